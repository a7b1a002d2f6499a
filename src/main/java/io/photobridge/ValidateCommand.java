package io.photobridge;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.PathMatcher;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Predicate;
import java.util.stream.Stream;

import io.photobridge.routes.RouteEditCheck;
import io.photobridge.routes.RouteEditException;
import io.photobridge.routes.RouteSet;
import io.photobridge.vendor.VendorModes;
import org.apache.camel.CamelContext;
import org.apache.camel.main.Main;
import org.apache.logging.log4j.Level;
import org.apache.logging.log4j.core.config.Configurator;

/**
 * {@code java -jar photobridge.jar validate [--demo] [routes-dir] [config]}: checks route files and settings offline, exactly as a
 * reload checks an edit (and as a start checks the settings), for admins and CI pipelines. Nothing is started: no port is
 * bound, the ledger is an empty in-memory database, no route runs.
 */
final class ValidateCommand {

    private ValidateCommand() {
    }

    /** Runs the check; prints one line per problem (file, line, rule) and a summary; returns the exit code (0 = valid). */
    static int run(List<String> arguments, PrintStream out) {
        List<String> args = new ArrayList<>(arguments);
        boolean demo = args.remove("--demo");
        Path routes = Path.of(args.size() > 0 ? args.get(0) : "routes");
        String config = args.size() > 1 ? args.get(1) : System.getProperty(PhotoBridge.CONFIG,
                System.getenv().getOrDefault("PHOTOBRIDGE_CONFIG", "config/application.properties"));
        if (!Files.isDirectory(routes)) {
            out.println("ERROR " + routes + ": not a folder (usage: validate [--demo] [routes-dir] [config-file])");
            return 2;
        }
        if (!Files.isRegularFile(Path.of(config))) {
            out.println("ERROR " + config + ": no such settings file (usage: validate [--demo] [routes-dir] [config-file])");
            return 2;
        }
        Configurator.setRootLevel(Level.WARN);
        String previous = System.getProperty(PhotoBridge.CONFIG);
        Main main;
        System.setProperty(PhotoBridge.CONFIG, config);
        try {
            main = PhotoBridge.create();
        } finally {
            if (previous == null) {
                System.clearProperty(PhotoBridge.CONFIG);
            } else {
                System.setProperty(PhotoBridge.CONFIG, previous);
            }
        }
        // the beans as a start makes them, but nothing that reaches outside: no routes, no servers, no real ledger
        main.addOverrideProperty("camel.main.routes-collector-enabled", "false");
        main.addOverrideProperty("camel.server.enabled", "false");
        main.addOverrideProperty("camel.management.enabled", "false");
        main.addOverrideProperty("photobridge.routes.reload-enabled", "false");
        main.addOverrideProperty("photobridge.records.url", "jdbc:h2:mem:photobridge-validate;DB_CLOSE_DELAY=-1");
        main.addOverrideProperty("photobridge.records.user", "sa");
        main.addOverrideProperty("photobridge.records.password", "");
        main.addOverrideProperty("photobridge.sandbox.recoveryconnect.port", "0");
        main.addOverrideProperty("photobridge.sandbox.inspektlabs.port", "0");
        main.addOverrideProperty("photobridge.sandbox.pave.port", "0");
        if (demo) {
            main.addOverrideProperty(VendorModes.MODE, "demo");
        }
        try {
            main.start();
        } catch (Exception e) {
            out.println("ERROR " + config + ": " + PhotoBridge.causes(e));
            out.println("1 problem: the settings would not start PhotoBridge");
            return 1;
        }
        try {
            CamelContext context = main.getCamelContext();
            Settings settings = new Settings(context.getPropertiesComponent());
            Predicate<String> excluded = file -> file.equals(PhotoBridge.S3_ROUTE_FILE) && !PhotoBridge.s3Configured(context)
                    || PhotoBridge.switchedOff(context, file);
            List<Path> checked = new ArrayList<>();
            List<Path> skipped = new ArrayList<>();
            PathMatcher matcher = FileSystems.getDefault().getPathMatcher("glob:" + settings.get("photobridge.routes.pattern"));
            try (Stream<Path> list = Files.list(routes)) {
                list.filter(p -> matcher.matches(p.getFileName())).sorted()
                        .forEach(p -> (excluded.test(p.getFileName().toString()) ? skipped : checked).add(p));
            }
            RouteSet set = RouteSet.read(checked);
            new RouteEditCheck(context, PhotoBridgeConfiguration.javaSendsTo(settings)).check(set, RouteSet.consumers(skipped));
            out.println("OK: " + checked.size() + " route files, " + set.routes().size() + " routes checked against " + config
                    + (skipped.isEmpty() ? "" : "; not loaded in this configuration: " + skipped.stream().map(p -> p.getFileName().toString()).toList()));
            return 0;
        } catch (RouteEditException e) {
            e.problems().forEach(problem -> out.println("ERROR " + problem));
            out.println(e.problems().size() + " problem(s): fix them before saving the files where PhotoBridge runs");
            return 1;
        } catch (IOException e) {
            out.println("ERROR " + routes + ": cannot be listed: " + e.getMessage());
            return 2;
        } finally {
            try {
                main.stop();
            } catch (Exception e) {
                out.println("WARN stopping the check's context: " + e.getMessage());
            }
        }
    }
}
