package io.photobridge;

import java.io.IOException;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;

import javax.net.ssl.SSLContext;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.photobridge.routes.Causes;
import io.photobridge.sandbox.SandboxConfiguration;
import io.photobridge.vendor.VendorModes;
import org.apache.camel.CamelConfiguration;
import org.apache.camel.CamelContext;
import org.apache.camel.StartupListener;
import org.apache.camel.component.micrometer.MicrometerConstants;
import org.apache.camel.component.micrometer.MicrometerUtils;
import org.apache.camel.health.HealthCheckResultBuilder;
import org.apache.camel.impl.health.AbstractHealthCheck;
import org.apache.camel.main.BaseMainSupport;
import org.apache.camel.main.Main;
import org.apache.camel.main.MainListenerSupport;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Starts PhotoBridge: Camel Main with the routes in {@code routes/} and the settings in {@code config/application.properties};
 * {@code java -jar photobridge.jar demo} runs the demo (all vendors simulated), no argument runs production.
 */
public final class PhotoBridge {

    static {
        // The first HTTP client (a sandbox's or a vendor's) waits for the JDK's default TLS context, its trust store parsed:
        // built meanwhile on a thread of its own, from here because Log4j's start comes next on this thread.
        Thread tls = new Thread(PhotoBridge::defaultTlsContext, "photobridge-tls-context");
        tls.setDaemon(true);
        tls.start();
    }

    private static final Logger LOG = LoggerFactory.getLogger(PhotoBridge.class);

    /** System property (or env PHOTOBRIDGE_CONFIG) naming the properties file; default config/application.properties. */
    public static final String CONFIG = "photobridge.config";

    /** The S3 source's route file: loaded only when a bucket is configured and answers (see S3RouteLoader). */
    static final String S3_ROUTE_FILE = "ingest-s3.camel.yaml";
    private static final String S3_ROUTE_PATTERN = "**/" + S3_ROUTE_FILE;
    /** Route file name prefix -> the setting that switches that feature on. */
    private static final Map<String, String> FEATURE_ROUTES = Map.of(
            "inspektlabs-", "photobridge.inspektlabs.enabled",
            "pave-", "photobridge.pave.enabled");

    private PhotoBridge() {
    }

    /** The messages of an exception and its causes, outermost first, without repeats, on one line. */
    static String causes(Throwable e) {
        return Causes.of(e);
    }

    /** Route files of a feature switched off by its setting: never loaded (their beans are not made), nor reloaded. */
    static boolean switchedOff(CamelContext context, String routeFile) {
        return FEATURE_ROUTES.entrySet().stream().anyMatch(feature -> routeFile.startsWith(feature.getKey())
                && !"true".equalsIgnoreCase(context.getPropertiesComponent().resolveProperty(feature.getValue()).orElse("true").trim()));
    }

    static boolean s3Configured(CamelContext context) {
        return context.getPropertiesComponent().resolveProperty(PhotoBridgeConfiguration.S3_BUCKET)
                .filter(bucket -> !bucket.isBlank()).isPresent();
    }

    public static void main(String[] args) {
        List<String> rest = new ArrayList<>(Arrays.asList(args));
        if (!rest.isEmpty() && rest.get(0).equals("validate")) {
            System.exit(ValidateCommand.run(rest.subList(1, rest.size()), System.out));
        }
        String mode = !rest.isEmpty() && List.of("demo", "production").contains(rest.get(0).toLowerCase(Locale.ROOT))
                ? rest.remove(0).toLowerCase(Locale.ROOT) : null;
        int code;
        try {
            Main main = create(mode);
            code = main.run(rest.toArray(String[]::new));
        } catch (Exception e) {
            LOG.error("PhotoBridge could not start: {}", causes(e));
            LOG.debug("Start-up failure", e);
            code = 1;
        }
        // an explicit exit: threads started before the failure (a sandbox, say) would otherwise keep the JVM alive
        System.exit(code);
    }

    private static void defaultTlsContext() {
        try {
            SSLContext.getDefault();
        } catch (NoSuchAlgorithmException e) {
            // the first HTTP client reports it
        }
    }

    /** A configured, not yet started Main whose mode comes from the settings; tests start it the same way the jar does. */
    public static Main create() {
        return create(null);
    }

    /** A configured, not yet started Main; mode: "demo" or "production" (the jar's first argument), null = photobridge.mode. */
    public static Main create(String mode) {
        Main main = new Main();
        String config = System.getProperty(CONFIG, System.getenv().getOrDefault("PHOTOBRIDGE_CONFIG", "config/application.properties"));
        main.setPropertyPlaceholderLocations("file:" + config);
        environmentOverrides(Path.of(config), System.getenv(), System.getProperties()).forEach(main::addOverrideProperty);
        if (mode != null) {
            modeConflict(mode, System.getenv(), System.getProperties()).ifPresent(conflict -> {
                throw new IllegalStateException(conflict);
            });
            main.addOverrideProperty(VendorModes.MODE, mode);
        }
        ModeConfiguration modeConfiguration = new ModeConfiguration();
        main.configure().addConfiguration(modeConfiguration);
        main.addMainListener(new MainListenerSupport() {
            @Override
            public void beforeConfigure(BaseMainSupport m) {
                // the S3 route is loaded by S3RouteLoader once its bucket answers, never by Main
                List<String> excluded = new ArrayList<>(List.of(S3_ROUTE_PATTERN));
                FEATURE_ROUTES.keySet().stream().sorted()
                        .filter(prefix -> switchedOff(m.getCamelContext(), prefix))
                        .forEach(prefix -> excluded.add("**/" + prefix + "*.camel.yaml"));
                String exclude = m.configure().getRoutesExcludePattern();
                if (exclude != null && !exclude.isBlank()) {
                    excluded.add(0, exclude);
                }
                m.configure().setRoutesExcludePattern(String.join(",", excluded));
                // before Camel pre-parses the route files and builds its metrics: the ledger opens meanwhile
                modeConfiguration.begin(m.getCamelContext());
            }
        });
        return main;
    }

    /**
     * Environment variables for the keys of the properties file (the key in upper case, '.' and '-' as '_'), as overrides.
     * Camel's properties component finds them for {{placeholders}}, but Camel Main configures its own camel.server.*,
     * camel.management.* (and most other camel.*) options from the file's values, looking at the environment only for
     * camel.main.*: CAMEL_SERVER_PORT was ignored. A -D system property still wins over the environment.
     */
    static Map<String, String> environmentOverrides(Path config, Map<String, String> env, Properties system) {
        Map<String, String> overrides = new LinkedHashMap<>();
        if (!Files.isRegularFile(config)) {
            return overrides;
        }
        Properties file = new Properties();
        try (Reader in = Files.newBufferedReader(config, StandardCharsets.UTF_8)) {
            file.load(in);
        } catch (IOException e) {
            throw new IllegalStateException("cannot read " + config + ": " + e.getMessage(), e);
        }
        file.stringPropertyNames().stream().sorted().forEach(key -> {
            String value = env.get(environmentName(key));
            if (value != null && system.getProperty(key) == null) {
                overrides.put(key, value);
            }
        });
        return overrides;
    }

    /**
     * The mode argument against PHOTOBRIDGE_MODE and -Dphotobridge.mode: Camel lets either beat the argument, so a
     * disagreement is refused instead of one of them silently deciding whether real vendors are called.
     */
    static Optional<String> modeConflict(String argument, Map<String, String> env, Properties system) {
        String fromEnv = env.get(environmentName(VendorModes.MODE));
        String fromSystem = system.getProperty(VendorModes.MODE);
        for (String[] other : new String[][] {{"-D" + VendorModes.MODE, fromSystem}, {environmentName(VendorModes.MODE), fromEnv}}) {
            if (other[1] != null && !other[1].isBlank() && !other[1].trim().equalsIgnoreCase(argument)) {
                return Optional.of("the argument '" + argument + "' contradicts " + other[0] + "=" + other[1].trim()
                        + ": remove one of them");
            }
        }
        return Optional.empty();
    }

    /** The environment variable of a setting: photobridge.inbox.poll-ms -> PHOTOBRIDGE_INBOX_POLL_MS. */
    static String environmentName(String key) {
        return key.toUpperCase(Locale.ROOT).replace('.', '_').replace('-', '_');
    }

    /**
     * Decides demo or production, announces the mode and starts opening the ledger (begin), then starts the simulators the mode
     * asks for (only then) and wires PhotoBridge (configure).
     */
    private static final class ModeConfiguration implements CamelConfiguration {

        private VendorModes modes;
        private Settings settings;
        private LedgerOpening ledger;

        /** Refuses an unsafe start, announces the mode and starts opening the ledger on a thread of its own. */
        void begin(CamelContext context) {
            modes = VendorModes.of(context.getPropertiesComponent());
            // before anything binds a port or opens the ledger
            PhotoBridgeConfiguration.refuseUnsafeStart(new Settings(context.getPropertiesComponent()), modes);
            announce(modes);
            settings = new Settings(context.getPropertiesComponent());
            ledger = LedgerOpening.start(settings);
        }

        @Override
        public void configure(CamelContext context) throws Exception {
            if (ledger == null) {
                begin(context);
            }
            try {
                if (modes.anySimulated()) {
                    new SandboxConfiguration(modes).configure(context);
                }
                new PhotoBridgeConfiguration(settings, ledger).configure(context);
            } catch (Exception | Error e) {
                ledger.abandon();
                throw e;
            }
            context.getRegistry().bind("photobridgeModeHealth", modeHealth(modes));
            context.addStartupListener(new StartupListener() {
                @Override
                public void onCamelContextStarted(CamelContext started, boolean alreadyStarted) {
                    MeterRegistry registry = MicrometerUtils.getMeterRegistryFromCamelRegistry(started.getRegistry(),
                            MicrometerConstants.METRICS_REGISTRY_NAME);
                    if (registry != null && registry.find("photobridge.info").gauge() == null) {
                        Gauge.Builder<VendorModes> info = Gauge.builder("photobridge.info", modes, m -> 1)
                                .description("PhotoBridge's mode and how each vendor is reached (real, simulated, off)")
                                .tag("mode", modes.mode());
                        VendorModes.vendors().forEach(v -> info.tag(v, modes.state(v).label()));
                        info.register(registry);
                    }
                }
            });
        }
    }

    private static void announce(VendorModes modes) {
        if (modes.demo()) {
            LOG.warn("*** DEMO MODE: RecoveryConnect, Inspektlabs and PAVE are simulated in-process; no photo reaches a real vendor."
                    + " For real use start without 'demo' (photobridge.mode=production) ***");
        } else if (modes.anySimulated()) {
            LOG.warn("*** SIMULATED in production: {} (photobridge.<vendor>.simulated=true): those calls never reach the real"
                    + " service ***", modes.simulatedNames());
        } else {
            LOG.info("Production mode: {}", modes.describe());
        }
    }

    /** Readiness detail of the mode: always UP, it says demo or production and how each vendor is reached. */
    private static AbstractHealthCheck modeHealth(VendorModes modes) {
        return new AbstractHealthCheck("photobridge", "mode") {
            @Override
            protected void doCall(HealthCheckResultBuilder builder, Map<String, Object> options) {
                builder.detail("mode", modes.mode()).detail("simulated", modes.simulatedNames());
                VendorModes.vendors().forEach(v -> builder.detail(v, modes.state(v).label()));
                builder.message(modes.demo() ? "demo mode: all vendors simulated" : "production: simulated " + modes.simulatedNames())
                        .up();
            }

            @Override
            public boolean isLiveness() {
                return false;
            }
        };
    }
}
