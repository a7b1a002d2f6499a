package io.photobridge;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import org.apache.camel.CamelContext;
import org.apache.camel.main.BaseMainSupport;
import org.apache.camel.main.Main;
import org.apache.camel.main.MainListenerSupport;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Starts PhotoBridge: Camel Main with the routes in {@code routes/} and the settings in {@code config/application.properties}. */
public final class PhotoBridge {

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

    /** The messages of an exception and its causes, outermost first, without repeats. */
    static String causes(Throwable e) {
        StringBuilder text = new StringBuilder();
        for (Throwable t = e; t != null; t = t.getCause()) {
            String message = t.getMessage() == null ? t.getClass().getSimpleName() : t.getMessage().replaceAll("\\s+", " ");
            if (!text.toString().contains(message)) {
                text.append(text.length() == 0 ? "" : " <- ").append(message);
            }
        }
        return text.toString();
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
        Main main = create();
        int code;
        try {
            code = main.run(args);
        } catch (Exception e) {
            LOG.error("PhotoBridge could not start: {}", causes(e));
            LOG.debug("Start-up failure", e);
            code = 1;
        }
        // an explicit exit: threads started before the failure (a sandbox, say) would otherwise keep the JVM alive
        System.exit(code);
    }

    /** A configured, not yet started Main; tests start it the same way the jar does. */
    public static Main create() {
        Main main = new Main();
        String config = System.getProperty(CONFIG, System.getenv().getOrDefault("PHOTOBRIDGE_CONFIG", "config/application.properties"));
        main.setPropertyPlaceholderLocations("file:" + config);
        main.configure().addConfiguration(PhotoBridgeConfiguration.class);
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
            }
        });
        return main;
    }
}
