package io.photobridge;

import java.io.IOException;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.PathMatcher;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Predicate;
import java.util.stream.Stream;

import org.apache.camel.RoutesBuilder;
import org.apache.camel.builder.RouteBuilder;
import org.apache.camel.spi.Resource;
import org.apache.camel.spi.RoutesLoader;
import org.apache.camel.support.PluginHelper;
import org.apache.camel.support.ResourceHelper;
import org.apache.camel.support.RouteWatcherReloadStrategy;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Route hot reload that parses every route file before Camel replaces the running routes: a broken edit is rejected with
 * a clear message naming the file and the error, and the running routes keep running (Camel's own reload removes them first).
 */
public final class ValidatingRouteReloadStrategy extends RouteWatcherReloadStrategy {

    private static final Logger LOG = LoggerFactory.getLogger(ValidatingRouteReloadStrategy.class);

    private final Path directory;
    private final Predicate<String> excluded;
    private final PathMatcher matcher;
    private final AtomicInteger rejected = new AtomicInteger();
    private final AtomicInteger accepted = new AtomicInteger();
    private volatile String lastRejection;

    /** directory: the routes folder; pattern: the route files in it, e.g. *.camel.yaml; excluded: file names not loaded now. */
    public ValidatingRouteReloadStrategy(String directory, String pattern, Predicate<String> excluded) {
        super(directory, false);
        setPattern(pattern);
        this.directory = Path.of(directory);
        this.matcher = FileSystems.getDefault().getPathMatcher("glob:" + pattern);
        this.excluded = excluded;
    }

    @Override
    protected void onRouteReload(Collection<Resource> changed, boolean removeEverything) {
        if (changed != null && !changed.isEmpty()
                && changed.stream().allMatch(r -> excluded.test(fileName(r)))) {
            LOG.info("Route file {} changed; it is not loaded in this configuration",
                    changed.stream().map(ValidatingRouteReloadStrategy::fileName).toList());
            return;
        }
        Optional<String> problem = validate();
        if (problem.isPresent()) {
            rejected.incrementAndGet();
            lastRejection = problem.get();
            LOG.error("Route change rejected, the running routes are unchanged: {}", problem.get());
            return;
        }
        lastRejection = null;
        accepted.incrementAndGet();
        // Camel's own reload re-reads one resource per running route, so a file holding several routes is loaded twice
        // ("duplicate route id"): reload every route file once instead.
        try {
            List<Resource> files = new ArrayList<>();
            for (Path file : routeFiles()) {
                if (!excluded.test(file.getFileName().toString())) {
                    files.add(ResourceHelper.resolveMandatoryResource(getCamelContext(), "file:" + file));
                }
            }
            getCamelContext().getRouteController().removeAllRoutes();
            getCamelContext().removeRouteTemplates("*");
            getCamelContext().getEndpointRegistry().clear();
            Set<String> ids = PluginHelper.getRoutesLoader(getCamelContext()).updateRoutes(files);
            LOG.info("Routes reloaded from {} files: {}", files.size(), ids);
        } catch (Exception e) {
            LOG.error("Reloading the routes failed after they parsed: {}; fix the route and save it again", describe(e));
        }
    }

    /** The first route file that does not parse, with the parser's message; empty when all do. */
    Optional<String> validate() {
        RoutesLoader loader = PluginHelper.getRoutesLoader(getCamelContext());
        for (Path file : routeFiles()) {
            if (excluded.test(file.getFileName().toString())) {
                continue;
            }
            try {
                Resource resource = ResourceHelper.resolveMandatoryResource(getCamelContext(), "file:" + file);
                for (RoutesBuilder builder : loader.findRoutesBuilders(List.of(resource))) {
                    if (builder instanceof RouteBuilder routeBuilder) {
                        routeBuilder.configureRoutes(getCamelContext());
                    }
                }
            } catch (Exception e) {
                return Optional.of(file + ": " + describe(e));
            }
        }
        return Optional.empty();
    }

    private List<Path> routeFiles() {
        List<Path> files = new ArrayList<>();
        try (Stream<Path> list = Files.list(directory)) {
            list.filter(p -> matcher.matches(p.getFileName())).sorted().forEach(files::add);
        } catch (IOException e) {
            LOG.warn("Cannot list route files in {}: {}", directory, e.toString());
        }
        return files;
    }

    private static String fileName(Resource resource) {
        String location = resource.getLocation();
        return location.substring(Math.max(location.lastIndexOf('/'), location.lastIndexOf(':')) + 1);
    }

    private static String describe(Throwable e) {
        StringBuilder message = new StringBuilder();
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t.getMessage() != null && (message.length() == 0 || !message.toString().contains(t.getMessage()))) {
                if (message.length() > 0) {
                    message.append(" <- ");
                }
                message.append(t.getMessage().replaceAll("\\s+", " ").trim());
            }
        }
        return message.toString();
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
        return lastRejection;
    }
}
