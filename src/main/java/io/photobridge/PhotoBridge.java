package io.photobridge;

import org.apache.camel.main.Main;

/** Starts PhotoBridge: Camel Main with the routes in {@code routes/} and the settings in {@code config/application.properties}. */
public final class PhotoBridge {

    /** System property (or env PHOTOBRIDGE_CONFIG) naming the properties file; default config/application.properties. */
    public static final String CONFIG = "photobridge.config";

    private PhotoBridge() {
    }

    public static void main(String[] args) throws Exception {
        create().run(args);
    }

    /** A configured, not yet started Main; tests start it the same way the jar does. */
    public static Main create() {
        Main main = new Main();
        String config = System.getProperty(CONFIG, System.getenv().getOrDefault("PHOTOBRIDGE_CONFIG", "config/application.properties"));
        main.setPropertyPlaceholderLocations("file:" + config);
        main.configure().addConfiguration(PhotoBridgeConfiguration.class);
        return main;
    }
}
