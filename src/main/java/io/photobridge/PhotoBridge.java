package io.photobridge;

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
                String exclude = m.configure().getRoutesExcludePattern();
                m.configure().setRoutesExcludePattern(exclude == null || exclude.isBlank()
                        ? S3_ROUTE_PATTERN : exclude + "," + S3_ROUTE_PATTERN);
            }
        });
        return main;
    }
}
