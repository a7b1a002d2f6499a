package io.photobridge.routes;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.TreeSet;

import org.apache.camel.CamelContext;
import org.apache.camel.RoutesBuilder;
import org.apache.camel.StartupSummaryLevel;
import org.apache.camel.builder.RouteBuilder;
import org.apache.camel.builder.RouteConfigurationBuilder;
import org.apache.camel.impl.DefaultCamelContext;
import org.apache.camel.model.FromDefinition;
import org.apache.camel.model.OnExceptionDefinition;
import org.apache.camel.model.ProcessorDefinition;
import org.apache.camel.model.ProcessorDefinitionHelper;
import org.apache.camel.model.RouteConfigurationDefinition;
import org.apache.camel.model.RouteDefinition;
import org.apache.camel.model.SendDefinition;
import org.apache.camel.model.ToDynamicDefinition;
import org.apache.camel.model.rest.RestDefinition;
import org.apache.camel.model.rest.VerbDefinition;
import org.apache.camel.reifier.RouteReifier;
import org.apache.camel.spi.BeanRepository;
import org.apache.camel.spi.PropertiesComponent;
import org.apache.camel.spi.PropertiesSource;
import org.apache.camel.spi.Resource;
import org.apache.camel.support.DefaultRegistry;
import org.apache.camel.support.PluginHelper;
import org.apache.camel.support.ResourceHelper;

/**
 * Checks a whole set of route files before anything running is touched, by building every route (without starting it) in
 * a throw-away CamelContext that sees the running application's beans: YAML and DSL, every placeholder, every bean and
 * bean method, every endpoint URI and its options, route configurations, and that every direct:/seda: endpoint something
 * sends to still has a consumer.
 */
public final class RouteEditCheck {

    private final CamelContext live;
    private final Set<String> javaSendsTo;

    /** live: the running context (its beans); javaSendsTo: direct:/seda: endpoints the Java code sends to, which must keep a consumer. */
    public RouteEditCheck(CamelContext live, Set<String> javaSendsTo) {
        this.live = live;
        this.javaSendsTo = Set.copyOf(javaSendsTo);
    }

    /**
     * Checks the set with the running settings (a route edit). switchedOff: endpoints consumed by route files of features
     * switched off, which routes may still name behind the feature's own switch.
     */
    public void check(RouteSet set, Set<String> switchedOff) throws RouteEditException {
        PropertiesComponent running = live.getPropertiesComponent();
        check(set, switchedOff, scratch -> scratch.getPropertiesComponent().addPropertiesSource(new PropertiesSource() {
            @Override
            public String getName() {
                return "running-settings";
            }

            @Override
            public String getProperty(String name) {
                return running.resolveProperty(name).orElse(null);
            }
        }));
    }

    /** Checks the set with the settings as the config files on disk say now, plus -D and environment overrides (a config edit). */
    public void checkWithConfigOnDisk(RouteSet set, Set<String> switchedOff, List<String> locations, Properties overrides)
            throws RouteEditException {
        check(set, switchedOff, scratch -> {
            PropertiesComponent pc = scratch.getPropertiesComponent();
            locations.forEach(pc::addLocation);
            pc.setOverrideProperties(overrides);
        });
    }

    private interface Settings {
        void apply(CamelContext scratch);
    }

    private void check(RouteSet set, Set<String> switchedOff, Settings settings) throws RouteEditException {
        List<String> problems = new ArrayList<>();
        DefaultCamelContext scratch = new DefaultCamelContext(false);
        try {
            // the running beans, read only: the scratch context never closes or starts them
            scratch.getCamelContextExtension().setRegistry(new DefaultRegistry(readOnly(live)));
            scratch.getCamelContextExtension().setName("route-edit-check");
            scratch.setStartupSummaryLevel(StartupSummaryLevel.Off);
            scratch.build();
            settings.apply(scratch);
            scratch.init();
            Set<Path> unresolved = checkPlaceholders(scratch, set, problems);
            List<RouteDefinition> routes = new ArrayList<>();
            List<RouteConfigurationDefinition> configurations = new ArrayList<>();
            Map<RouteDefinition, Path> fileOf = new HashMap<>();
            Map<String, String> restSends = new HashMap<>();
            for (Path file : set.files()) {
                parse(scratch, file, routes, configurations, fileOf, restSends, problems);
            }
            checkWiring(routes, configurations, fileOf, restSends, switchedOff, problems);
            for (RouteDefinition route : routes) {
                if (unresolved.contains(fileOf.get(route))) {
                    continue; // its placeholder is reported already; building it would only say so again
                }
                try {
                    new RouteReifier(scratch, route).createRoute();
                } catch (RuntimeException e) {
                    Path file = fileOf.get(route);
                    int line = set.lineOf(file, route.getRouteId());
                    problems.add(file + (line > 0 ? " line " + line : "") + ": route '" + route.getRouteId() + "' cannot be built: "
                            + Causes.of(e));
                }
            }
        } finally {
            scratch.shutdown();
        }
        if (!problems.isEmpty()) {
            throw new RouteEditException(problems);
        }
    }

    /** Adds a problem per placeholder that does not resolve; returns the files holding one. */
    private static Set<Path> checkPlaceholders(CamelContext scratch, RouteSet set, List<String> problems) {
        Set<Path> files = new HashSet<>();
        for (RouteSet.Placeholder p : set.placeholders()) {
            try {
                scratch.resolvePropertyPlaceholders(p.text());
            } catch (RuntimeException e) {
                files.add(p.file());
                problems.add(p.file() + " line " + p.line() + ": placeholder " + p.text()
                        + " does not resolve: no such setting in config/application.properties, -D or the environment");
            }
        }
        return files;
    }

    private static void parse(CamelContext scratch, Path file, List<RouteDefinition> routes,
            List<RouteConfigurationDefinition> configurations, Map<RouteDefinition, Path> fileOf, Map<String, String> restSends,
            List<String> problems) {
        try {
            Resource resource = ResourceHelper.resolveMandatoryResource(scratch, "file:" + file);
            for (RoutesBuilder builder : PluginHelper.getRoutesLoader(scratch).findRoutesBuilders(List.of(resource))) {
                if (builder instanceof RouteConfigurationBuilder config) {
                    config.addRouteConfigurationsToCamelContext(scratch);
                    configurations.addAll(config.getRouteConfigurationCollection().getRouteConfigurations());
                }
                if (builder instanceof RouteBuilder routeBuilder) {
                    for (RouteDefinition route : routeBuilder.configureRoutes(scratch).getRoutes()) {
                        routes.add(route);
                        fileOf.put(route, file);
                    }
                    for (RestDefinition rest : routeBuilder.getRestCollection().getRests()) {
                        for (VerbDefinition verb : rest.getVerbs()) {
                            if (verb.getTo() != null && verb.getTo().getUri() != null) {
                                restSends.putIfAbsent(internalName(verb.getTo().getUri()), file + " (rest " + rest.getPath()
                                        + (verb.getPath() == null ? "" : verb.getPath()) + ")");
                            }
                        }
                    }
                }
            }
        } catch (Exception e) {
            problems.add(file + ": " + Causes.of(e));
        }
    }

    /** Every direct:/seda: endpoint a route, a route configuration or the Java code sends to has a consumer in the new set. */
    private void checkWiring(List<RouteDefinition> routes, List<RouteConfigurationDefinition> configurations,
            Map<RouteDefinition, Path> fileOf, Map<String, String> restSends, Set<String> switchedOff, List<String> problems) {
        Set<String> consumed = new LinkedHashSet<>(switchedOff);
        for (RouteDefinition route : routes) {
            FromDefinition from = route.getInput();
            if (from != null && from.getEndpointUri() != null) {
                consumed.add(internalName(from.getEndpointUri()));
            }
        }
        Map<String, String> senders = new HashMap<>();
        javaSendsTo.forEach(uri -> senders.put(internalName(uri), "PhotoBridge's Java code"));
        restSends.forEach(senders::putIfAbsent);
        for (RouteDefinition route : routes) {
            sendsTo(route.getOutputs()).forEach(uri -> senders.putIfAbsent(uri, fileOf.get(route) + " (route '" + route.getRouteId() + "')"));
        }
        for (RouteConfigurationDefinition config : configurations) {
            for (OnExceptionDefinition onException : config.getOnExceptions()) {
                sendsTo(onException.getOutputs()).forEach(uri -> senders.putIfAbsent(uri, "route configuration '" + config.getId() + "'"));
            }
        }
        Set<String> missing = new TreeSet<>();
        senders.forEach((uri, sender) -> {
            if ((uri.startsWith("direct:") || uri.startsWith("seda:")) && !consumed.contains(uri)) {
                missing.add(uri + " (sent to by " + sender + ")");
            }
        });
        if (!missing.isEmpty()) {
            problems.add("no route would consume " + String.join(", ", missing) + ": keep or add the route that reads from it");
        }
    }

    private static Set<String> sendsTo(List<ProcessorDefinition<?>> outputs) {
        Set<String> uris = new LinkedHashSet<>();
        Collection<SendDefinition> sends = ProcessorDefinitionHelper.filterTypeInOutputs(outputs, SendDefinition.class);
        for (SendDefinition<?> send : sends) {
            if (send.getEndpointUri() != null) {
                uris.add(internalName(send.getEndpointUri()));
            }
        }
        for (ToDynamicDefinition dynamic : ProcessorDefinitionHelper.filterTypeInOutputs(outputs, ToDynamicDefinition.class)) {
            if (dynamic.getUri() != null && !dynamic.getUri().contains("${")) {
                uris.add(internalName(dynamic.getUri()));
            }
        }
        return uris;
    }

    /** direct:name / direct://name?options -> direct:name; other URIs unchanged. */
    static String internalName(String uri) {
        for (String scheme : List.of("direct", "seda")) {
            if (uri.startsWith(scheme + ":")) {
                String name = uri.substring(scheme.length() + 1).replaceFirst("^//", "");
                int query = name.indexOf('?');
                return scheme + ":" + (query < 0 ? name : name.substring(0, query));
            }
        }
        return uri;
    }

    private static BeanRepository readOnly(CamelContext live) {
        return new BeanRepository() {
            @Override
            public Object lookupByName(String name) {
                return live.getRegistry().lookupByName(name);
            }

            @Override
            public <T> T lookupByNameAndType(String name, Class<T> type) {
                return live.getRegistry().lookupByNameAndType(name, type);
            }

            @Override
            public <T> Map<String, T> findByTypeWithName(Class<T> type) {
                return live.getRegistry().findByTypeWithName(type);
            }

            @Override
            public <T> Set<T> findByType(Class<T> type) {
                return live.getRegistry().findByType(type);
            }
        };
    }
}
