package io.photobridge.sandbox;

import java.nio.file.Path;

/**
 * Runs a sandbox in its own JVM for the streaming test: prints {@code PORT=<port>} and {@code MAXHEAP=<bytes>}, stops when stdin closes.
 */
public final class RecoveryConnectSandboxMain {

    private RecoveryConnectSandboxMain() {
    }

    public static void main(String[] args) throws Exception {
        RecoveryConnectSandbox.Settings settings = RecoveryConnectSandbox.Settings.defaults();
        if (args.length > 0) {
            settings = settings.withDataDir(Path.of(args[0]));
        }
        try (RecoveryConnectSandbox sandbox = new RecoveryConnectSandbox(settings)) {
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
