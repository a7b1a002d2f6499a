package io.photobridge.sandbox;

import java.nio.file.Path;
import java.time.Duration;

/**
 * Runs an Inspektlabs sandbox in its own JVM for the streaming test: prints {@code PORT=<port>} and {@code MAXHEAP=<bytes>},
 * stops when stdin closes. Arguments: the data directory; callbacks follow after 200 ms.
 */
public final class InspektlabsSandboxMain {

    private InspektlabsSandboxMain() {
    }

    public static void main(String[] args) throws Exception {
        InspektlabsSandbox.Settings settings = InspektlabsSandbox.Settings.defaults().withCallbackDelay(Duration.ofMillis(200));
        if (args.length > 0) {
            settings = settings.withDataDir(Path.of(args[0]));
        }
        try (InspektlabsSandbox sandbox = new InspektlabsSandbox(settings)) {
            sandbox.start();
            System.out.println("MAXHEAP=" + Runtime.getRuntime().maxMemory());
            System.out.println("PORT=" + java.net.URI.create(sandbox.baseUrl()).getPort());
            System.out.flush();
            while (System.in.read() >= 0) {
                // run until the parent closes stdin
            }
        }
    }
}
