package io.photobridge.routes;

import java.io.IOException;
import java.io.Reader;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.PathMatcher;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Deque;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Properties;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Predicate;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import io.micrometer.core.instrument.MeterRegistry;
import io.photobridge.cluster.SingletonRoutes;
import org.apache.camel.CamelContext;
import org.apache.camel.RoutesBuilder;
import org.apache.camel.builder.RouteBuilder;
import org.apache.camel.builder.RouteConfigurationBuilder;
import org.apache.camel.component.micrometer.MicrometerConstants;
import org.apache.camel.component.micrometer.MicrometerUtils;
import org.apache.camel.model.Model;
import org.apache.camel.model.RouteConfigurationDefinition;
import org.apache.camel.model.RouteDefinition;
import org.apache.camel.spi.Resource;
import org.apache.camel.support.FileWatcherResourceReloadStrategy;
import org.apache.camel.support.PluginHelper;
import org.apache.camel.support.ResourceHelper;
import org.apache.camel.support.RouteWatcherReloadStrategy;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Route and config hot reload as a transaction: the edited set is checked completely before anything running is touched
 * ({@link RouteEditCheck}), only the routes whose definition (placeholders resolved) changed are replaced, each after its
 * in-flight exchanges finished, and a replacement that fails to start is rolled back to the previous definitions.
 */
public final class ValidatingRouteReloadStrategy extends RouteWatcherReloadStrategy {

    private static final Logger LOG = LoggerFactory.getLogger(ValidatingRouteReloadStrategy.class);
    private static final int HISTORY = 50;
    /** How long the replaced singleton routes of one edit may take, together, to be started by their leadership. */
    private static final Duration SINGLETON_START = Duration.ofSeconds(10);
    private static final Pattern PLACEHOLDER = Pattern.compile("\\{\\{(.+?)}}");

    private final Path directory;
    private final Predicate<String> excluded;
    private final PathMatcher matcher;
    private final Duration drainTimeout;
    private final Path configFile;
    private final Predicate<String> readAtStartup;
    private final Set<String> javaSendsTo;
    private final Deque<Reload> history = new ArrayDeque<>();
    private FileWatcherResourceReloadStrategy configWatcher;
    private RouteSet appliedSet;
    private Map<String, String> appliedRoutes = Map.of();
    private Map<String, String> appliedConfigurations = Map.of();
    private Map<String, String> appliedRests = Map.of();
    private Properties appliedConfig;
    private volatile String pendingRejection;
    private final AtomicInteger rejected = new AtomicInteger();
    private final AtomicInteger accepted = new AtomicInteger();

    /**
     * directory/pattern: the route files; excluded: file names not loaded now; drainTimeout: how long a replaced route's
     * in-flight work may take; configFile: the properties file watched for edits (null = none); readAtStartup: settings the
     * Java wiring read at start-up (a change needs a restart); javaSendsTo: direct:/seda: endpoints the Java code sends to.
     */
    public ValidatingRouteReloadStrategy(String directory, String pattern, Predicate<String> excluded, Duration drainTimeout,
            Path configFile, Predicate<String> readAtStartup, Set<String> javaSendsTo) {
        super(directory, false);
        setPattern(pattern);
        this.directory = Path.of(directory);
        this.matcher = FileSystems.getDefault().getPathMatcher("glob:" + pattern);
        this.excluded = excluded;
        this.drainTimeout = drainTimeout;
        this.configFile = configFile;
        this.readAtStartup = readAtStartup;
        this.javaSendsTo = Set.copyOf(javaSendsTo);
    }

    @Override
    protected void doStart() throws Exception {
        super.doStart();
        synchronized (this) {
            try {
                remember(RouteSet.read(routeFiles()));
            } catch (RouteEditException e) {
                // the routes Main loaded are running; the next valid edit replaces them all
                LOG.warn("Route files could not be read for later comparison: {}", e.getMessage());
            }
            appliedConfig = readConfig();
        }
        if (configFile != null && Files.isDirectory(configFile.toAbsolutePath().getParent())) {
            configWatcher = new FileWatcherResourceReloadStrategy(configFile.toAbsolutePath().getParent().toString());
            configWatcher.setFileFilter(f -> f.getName().equals(configFile.getFileName().toString()));
            configWatcher.setResourceReload((name, resource) -> configEdited());
            configWatcher.setCamelContext(getCamelContext());
            configWatcher.start();
        }
    }

    @Override
    protected void doStop() throws Exception {
        if (configWatcher != null) {
            configWatcher.stop();
        }
        super.doStop();
    }

    @Override
    protected void onRouteReload(Collection<Resource> changed, boolean removeEverything) {
        List<String> names = changed == null ? List.of() : changed.stream().map(ValidatingRouteReloadStrategy::fileName).toList();
        if (!names.isEmpty() && names.stream().allMatch(excluded)) {
            LOG.info("Route file {} changed; it is not loaded in this configuration", names);
            return;
        }
        reload("route edit " + (names.isEmpty() ? "" : String.join(", ", names)), false);
    }

    /** The config file changed: settings only routes read are applied live (validate, then swap); others need a restart. */
    synchronized void configEdited() {
        Properties now = readConfig();
        if (now.isEmpty()) {
            return; // a save in progress truncates the file first; its next event carries the content
        }
        Set<String> changedKeys = new TreeSet<>();
        for (String key : union(now.stringPropertyNames(), appliedConfig.stringPropertyNames())) {
            if (!Objects.equals(now.getProperty(key), appliedConfig.getProperty(key))) {
                changedKeys.add(key);
            }
        }
        String trigger = "config edit " + configFile.getFileName() + " " + shortList(changedKeys);
        if (changedKeys.isEmpty()) {
            return;
        }
        List<String> restartOnly = changedKeys.stream().filter(k -> k.startsWith("camel.") || readAtStartup.test(k)).toList();
        if (!restartOnly.isEmpty()) {
            record(new Reload(Instant.now(), trigger, Reload.Outcome.RESTART_NEEDED,
                    "settings read at start-up changed: " + shortList(restartOnly) + "; nothing was applied, restart PhotoBridge to apply"
                            + " the edit", List.of()));
            return;
        }
        if (reload(trigger, true).outcome() != Reload.Outcome.REJECTED) {
            appliedConfig = now;
        }
    }

    /** Checks the route files (and, for a config edit, the settings on disk) and swaps the routes that changed. */
    synchronized Reload reload(String trigger, boolean configEdit) {
        CamelContext context = getCamelContext();
        RouteSet next;
        try {
            awaitSaved(routeFiles());
            next = RouteSet.read(routeFiles());
            RouteEditCheck check = new RouteEditCheck(context, javaSendsTo);
            if (configEdit) {
                Properties overrides = new Properties();
                if (context.getPropertiesComponent() instanceof org.apache.camel.component.properties.PropertiesComponent pc
                        && pc.getOverrideProperties() != null) {
                    overrides.putAll(pc.getOverrideProperties());
                }
                check.checkWithConfigOnDisk(next, switchedOffConsumers(), context.getPropertiesComponent().getLocations(), overrides);
                for (String location : context.getPropertiesComponent().getLocations()) {
                    if (location.endsWith(configFile.getFileName().toString())) {
                        context.getPropertiesComponent().reloadProperties(location);
                    }
                }
            } else {
                check.check(next, switchedOffConsumers());
            }
        } catch (RouteEditException e) {
            pendingRejection = e.getMessage();
            return record(new Reload(Instant.now(), trigger, Reload.Outcome.REJECTED, e.getMessage(), List.of()));
        }
        try {
            List<String> replaced = swap(next);
            // cleared only now: while a second attempt at the same save runs, the first one's rollback still stands
            pendingRejection = null;
            return record(new Reload(Instant.now(), trigger, replaced.isEmpty() ? Reload.Outcome.UNCHANGED : Reload.Outcome.APPLIED,
                    replaced.isEmpty() ? "no route definition changed" : "replaced " + replaced.size() + " route(s)", replaced));
        } catch (RouteEditException e) {
            pendingRejection = null;
            return record(new Reload(Instant.now(), trigger,
                    e.isRestartNeeded() ? Reload.Outcome.RESTART_NEEDED : Reload.Outcome.REJECTED, e.getMessage(), List.of()));
        } catch (RolledBack e) {
            pendingRejection = e.getMessage(); // the files on disk are not what runs
            return record(new Reload(Instant.now(), trigger, Reload.Outcome.ROLLED_BACK, e.getMessage(), e.routes));
        }
    }

    /** Replaces the changed routes; returns their ids. */
    private List<String> swap(RouteSet next) throws RouteEditException, RolledBack {
        CamelContext context = getCamelContext();
        Map<String, String> nextRoutes = resolved(next.routes());
        Map<String, String> nextConfigurations = resolved(next.configurations());
        if (!resolved(next.rests()).equals(appliedRests)) {
            throw RouteEditException.restartNeeded("a rest: definition changed (" + next.rests().values().stream()
                    .map(r -> r.file().getFileName().toString()).distinct().toList() + "): Camel builds the HTTP operations of the"
                    + " rest DSL at start-up; nothing was applied, restart PhotoBridge to apply the edit");
        }
        Set<String> changedConfigurations = new TreeSet<>();
        for (String id : union(nextConfigurations.keySet(), appliedConfigurations.keySet())) {
            if (!Objects.equals(nextConfigurations.get(id), appliedConfigurations.get(id))) {
                changedConfigurations.add(id);
            }
        }
        Set<String> running = new HashSet<>();
        context.getRoutes().forEach(r -> running.add(r.getRouteId()));
        Set<String> replace = new TreeSet<>();
        nextRoutes.forEach((id, definition) -> {
            String configuration = next.routes().get(id).configurationId();
            if (!definition.equals(appliedRoutes.get(id)) || !running.contains(id)
                    || (configuration == null ? !changedConfigurations.isEmpty() : changedConfigurations.contains(configuration))) {
                replace.add(id);
            }
        });
        Set<String> removed = new TreeSet<>(appliedRoutes.keySet());
        removed.removeAll(nextRoutes.keySet());
        removed.retainAll(running);
        if (replace.isEmpty() && removed.isEmpty() && changedConfigurations.isEmpty()) {
            remember(next);
            return List.of();
        }

        List<String> toStop = stopOrder(union(replace, removed).stream().filter(running::contains).toList());
        List<String> stopped = new ArrayList<>();
        for (String id : toStop) {
            boolean done;
            try {
                done = context.getRouteController().stopRoute(id, drainTimeout.toMillis(), TimeUnit.MILLISECONDS, true);
            } catch (Exception e) {
                done = false;
            }
            if (!done) {
                restart(stopped);
                throw new RouteEditException("the in-flight work of route '" + id + "' did not finish within "
                        + drainTimeout.toSeconds() + " s (photobridge.routes.drain-timeout-ms); nothing was changed, save the"
                        + " file again to retry");
            }
            stopped.add(id);
        }

        RouteSet previous = appliedSet;
        Model model = context.getCamelContextExtension().getContextPlugin(Model.class);
        List<String> changed = new ArrayList<>(replace);
        changed.addAll(removed);
        try {
            replaceConfigurations(model, definitions(next, Set.of(), changedConfigurations).configurations(), changedConfigurations);
            for (String id : removed) {
                model.removeRouteDefinition(model.getRouteDefinition(id));
            }
            model.addRouteDefinitions(definitions(next, replace, Set.of()).routes());
            long deadline = System.nanoTime() + SINGLETON_START.toNanos();
            for (String id : replace) {
                // a singleton route stays stopped, processors included, on an instance that does not lead its singleton
                if (!SingletonRoutes.runsAsItShould(context, id, deadline)) {
                    throw new IllegalStateException("route '" + id + "' did not start");
                }
            }
        } catch (Exception e) {
            String reason = "route(s) " + replace + ": " + Causes.of(e);
            try {
                for (String id : replace) {
                    RouteDefinition failed = model.getRouteDefinition(id);
                    if (failed != null) {
                        context.getRouteController().stopRoute(id);
                        model.removeRouteDefinition(failed);
                    }
                }
                Set<String> restore = new TreeSet<>(stopped);
                if (previous != null) {
                    Definitions old = definitions(previous, restore, changedConfigurations);
                    replaceConfigurations(model, old.configurations(), changedConfigurations);
                    model.addRouteDefinitions(old.routes());
                }
            } catch (Exception rollback) {
                throw new RolledBack("a new route failed to start (" + reason + ") and restoring the previous definitions failed too ("
                        + Causes.of(rollback) + "): check /observe/health", changed);
            }
            throw new RolledBack("a new route did not start, the previous definitions were restored: " + reason, changed);
        }
        remember(next);
        return changed;
    }

    private void replaceConfigurations(Model model, List<RouteConfigurationDefinition> definitions, Set<String> ids) throws Exception {
        for (RouteConfigurationDefinition existing : new ArrayList<>(model.getRouteConfigurationDefinitions())) {
            if (ids.contains(existing.getId())) {
                model.removeRouteConfiguration(existing);
            }
        }
        model.addRouteConfigurations(definitions);
    }

    private record Definitions(List<RouteDefinition> routes, List<RouteConfigurationDefinition> configurations) {
    }

    /** The named routes and route configurations of a set, parsed for the running context. */
    private Definitions definitions(RouteSet set, Set<String> routeIds, Set<String> configurationIds) throws Exception {
        CamelContext context = getCamelContext();
        List<RouteDefinition> routes = new ArrayList<>();
        List<RouteConfigurationDefinition> configurations = new ArrayList<>();
        for (Path file : set.files()) {
            boolean wanted = set.routes().values().stream().anyMatch(e -> e.file().equals(file) && routeIds.contains(e.id()))
                    || set.configurations().values().stream().anyMatch(e -> e.file().equals(file) && configurationIds.contains(e.id()));
            if (!wanted) {
                continue;
            }
            Resource resource = ResourceHelper.resolveMandatoryResource(context, "file:" + file);
            for (RoutesBuilder builder : PluginHelper.getRoutesLoader(context).findRoutesBuilders(List.of(resource))) {
                if (builder instanceof RouteConfigurationBuilder config) {
                    config.setCamelContext(context);
                    config.getRouteConfigurationCollection().setCamelContext(context);
                    config.configuration();
                    config.getRouteConfigurationCollection().getRouteConfigurations().stream()
                            .filter(c -> configurationIds.contains(c.getId())).forEach(configurations::add);
                }
                if (builder instanceof RouteBuilder routeBuilder) {
                    for (RouteDefinition route : routeBuilder.configureRoutes(context).getRoutes()) {
                        if (routeIds.contains(route.getRouteId())) {
                            if (route.getResource() == null) {
                                route.setResource(resource);
                            }
                            routes.add(route);
                        }
                    }
                }
            }
        }
        return new Definitions(routes, configurations);
    }

    /** Sources first (file, timer, HTTP...), then direct:/seda: routes, callers before the routes they call. */
    private List<String> stopOrder(List<String> ids) {
        Model model = getCamelContext().getCamelContextExtension().getContextPlugin(Model.class);
        Map<String, Integer> depth = new HashMap<>();
        for (String id : ids) {
            RouteDefinition definition = model.getRouteDefinition(id);
            String from = definition == null || definition.getInput() == null ? "" : definition.getInput().getEndpointUri();
            depth.put(id, from.startsWith("direct:") ? 2 : from.startsWith("seda:") ? 1 : 0);
        }
        List<String> ordered = new ArrayList<>(ids);
        ordered.sort((a, b) -> depth.get(a) - depth.get(b));
        return ordered;
    }

    /** An editor's save empties a file before it writes it: give an empty route file a moment before reading it as empty. */
    private static void awaitSaved(List<Path> files) {
        for (int i = 0; i < 5 && files.stream().anyMatch(ValidatingRouteReloadStrategy::isEmpty); i++) {
            try {
                Thread.sleep(100);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }

    private static boolean isEmpty(Path file) {
        try {
            return Files.size(file) == 0;
        } catch (IOException e) {
            return false;
        }
    }

    private void restart(List<String> stopped) {
        for (String id : stopped) {
            try {
                getCamelContext().getRouteController().startRoute(id);
            } catch (Exception e) {
                LOG.error("Route {} could not be restarted: {}", id, Causes.of(e));
            }
        }
    }

    private void remember(RouteSet set) {
        appliedSet = set;
        appliedRoutes = resolved(set.routes());
        appliedConfigurations = resolved(set.configurations());
        appliedRests = resolved(set.rests());
    }

    /** Each entry's definition with its placeholders resolved by the running settings, so a settings change is a definition change. */
    private Map<String, String> resolved(Map<String, RouteSet.Entry> entries) {
        Map<String, String> result = new LinkedHashMap<>();
        entries.forEach((id, entry) -> {
            // placeholder by placeholder: the definition's own braces would confuse a whole-text resolution
            Matcher placeholders = PLACEHOLDER.matcher(entry.definition());
            StringBuilder definition = new StringBuilder();
            while (placeholders.find()) {
                String value;
                try {
                    value = getCamelContext().resolvePropertyPlaceholders(placeholders.group());
                } catch (RuntimeException e) {
                    value = placeholders.group(); // the check refuses an unresolvable placeholder before it gets here
                }
                placeholders.appendReplacement(definition, Matcher.quoteReplacement(value));
            }
            placeholders.appendTail(definition);
            result.put(id, definition.toString());
        });
        return result;
    }

    private Reload record(Reload reload) {
        if (reload.outcome() == Reload.Outcome.REJECTED) {
            rejected.incrementAndGet();
        } else if (reload.outcome() == Reload.Outcome.APPLIED || reload.outcome() == Reload.Outcome.UNCHANGED) {
            accepted.incrementAndGet();
        }
        synchronized (history) {
            history.addFirst(reload);
            while (history.size() > HISTORY) {
                history.removeLast();
            }
        }
        switch (reload.outcome()) {
            case APPLIED, UNCHANGED -> LOG.info("Reload {}: {} ({}){}", reload.outcome().label(), reload.detail(), reload.trigger(),
                    reload.routes().isEmpty() ? "" : " " + reload.routes());
            case RESTART_NEEDED -> LOG.warn("Reload {}: {} ({})", reload.outcome().label(), reload.detail(), reload.trigger());
            default -> LOG.error("Reload {}, the running routes are unchanged: {} ({})", reload.outcome().label(), reload.detail(),
                    reload.trigger());
        }
        MeterRegistry registry = MicrometerUtils.getMeterRegistryFromCamelRegistry(getCamelContext().getRegistry(),
                MicrometerConstants.METRICS_REGISTRY_NAME);
        if (registry != null) {
            registry.counter("photobridge.routes.reloads", "outcome", reload.outcome().label()).increment();
        }
        return reload;
    }

    private Properties readConfig() {
        Properties properties = new Properties();
        if (configFile != null && Files.isRegularFile(configFile)) {
            try (Reader reader = Files.newBufferedReader(configFile)) {
                properties.load(reader);
            } catch (IOException e) {
                LOG.warn("Cannot read {}: {}", configFile, e.toString());
            }
        }
        return properties;
    }

    private List<Path> routeFiles() {
        return routeFiles(false);
    }

    /** The route files loaded now, or (excludedOnes) those of features switched off. */
    private List<Path> routeFiles(boolean excludedOnes) {
        List<Path> files = new ArrayList<>();
        try (Stream<Path> list = Files.list(directory)) {
            list.filter(p -> matcher.matches(p.getFileName()) && excluded.test(p.getFileName().toString()) == excludedOnes)
                    .sorted().forEach(files::add);
        } catch (IOException e) {
            LOG.warn("Cannot list route files in {}: {}", directory, e.toString());
        }
        return files;
    }

    /** The endpoints the route files of switched-off features consume: routes may name them behind the feature's switch. */
    private Set<String> switchedOffConsumers() {
        return RouteSet.consumers(routeFiles(true));
    }

    private static String shortList(Collection<String> keys) {
        List<String> list = List.copyOf(keys);
        return list.size() <= 10 ? list.toString()
                : list.subList(0, 10).toString().replace("]", ", and " + (list.size() - 10) + " more]");
    }

    private static <T> Set<T> union(Collection<T> a, Collection<T> b) {
        Set<T> all = new LinkedHashSet<>(a);
        all.addAll(b);
        return all;
    }

    private static String fileName(Resource resource) {
        String location = resource.getLocation();
        return location.substring(Math.max(location.lastIndexOf('/'), location.lastIndexOf(':')) + 1);
    }

    /** The routes that should be running now (those the applied route files define), for health. */
    public synchronized Set<String> expectedRoutes() {
        return Set.copyOf(appliedRoutes.keySet());
    }

    /** Why the route files on disk were refused, or null when the files on disk are what runs. */
    public String pendingRejection() {
        return pendingRejection;
    }

    /** The latest reloads, newest first. */
    public List<Reload> recentReloads() {
        synchronized (history) {
            return List.copyOf(history);
        }
    }

    /** Route edits rejected since start. */
    public int rejectedReloads() {
        return rejected.get();
    }

    /** Route edits applied since start. */
    public int acceptedReloads() {
        return accepted.get();
    }

    /** Why the latest edit was rejected, or null when the latest edit was applied. */
    public String lastRejection() {
        return pendingRejection;
    }

    /** Routes of a failed swap after their previous definitions were put back. */
    private static final class RolledBack extends Exception {
        private final List<String> routes;

        RolledBack(String message, List<String> routes) {
            super(message);
            this.routes = routes;
        }
    }
}
