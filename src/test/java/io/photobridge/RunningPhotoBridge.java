package io.photobridge;

import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;

import io.photobridge.records.DamageRecords;
import io.photobridge.pave.PaveRelay;
import io.photobridge.records.Ledger;
import io.photobridge.records.PaveRecords;
import io.photobridge.sandbox.InspektlabsSandbox;
import io.photobridge.sandbox.PaveSandbox;
import io.photobridge.sandbox.RecoveryConnectSandbox;
import org.apache.camel.CamelContext;
import org.apache.camel.main.Main;

import static org.awaitility.Awaitility.await;

/** The real PhotoBridge Main (same configuration, same YAML routes) started in-process on a test's own folders and ports. */
public final class RunningPhotoBridge implements AutoCloseable {

    /** The order records API token tests use. */
    public static final String API_TOKEN = "test-api-token-4c1f";

    private final Main main;
    private final Path home;
    private final int httpPort;

    private RunningPhotoBridge(Main main, Path home, int httpPort) {
        this.main = main;
        this.home = home;
        this.httpPort = httpPort;
    }

    /** Starts PhotoBridge in demo mode with its inbox, ledger and sandbox data under {@code home}; {@code overrides} win. */
    public static RunningPhotoBridge start(Path home, Map<String, String> overrides) {
        int httpPort = freePort();
        Map<String, String> p = new LinkedHashMap<>();
        p.put("photobridge.mode", "demo");
        p.put("photobridge.inbox.dir", home.resolve("inbox").toString());
        p.put("photobridge.inbox.poll-ms", "100");
        p.put("photobridge.inbox.settle-ms", "300");
        p.put("photobridge.records.url", "jdbc:h2:file:" + home.resolve("records/photobridge").toAbsolutePath());
        p.put("photobridge.sandbox.data-dir", home.resolve("sandbox").toString());
        p.put("photobridge.sandbox.recoveryconnect.port", "0");
        p.put("photobridge.retry.initial-delay-ms", "100");
        p.put("photobridge.retry.max-delay-ms", "1000");
        p.put("photobridge.recoveryconnect.unknown-outcome-delay-ms", "500");
        p.put("camel.management.port", String.valueOf(httpPort));
        p.put("camel.server.port", String.valueOf(httpPort));
        p.put("photobridge.inspektlabs.public-base-url", "http://127.0.0.1:" + httpPort);
        p.put("photobridge.inspektlabs.media-dir", home.resolve("media").toString());
        p.put("photobridge.console.thumbnail-dir", home.resolve("thumbnails").toString());
        p.put("photobridge.inspektlabs.quiet-period-ms", "1000");
        p.put("photobridge.inspektlabs.retry.initial-delay-ms", "100");
        p.put("photobridge.inspektlabs.retry.max-delay-ms", "500");
        p.put("photobridge.inspektlabs.recovery-interval-ms", "1000");
        p.put("photobridge.sandbox.inspektlabs.port", "0");
        p.put("photobridge.api.token", API_TOKEN);
        p.put("photobridge.inspektlabs.max-uploads-per-minute", "1000");
        p.put("photobridge.sandbox.pave.port", "0");
        p.put("photobridge.pave.poll-ms", "3600000");
        p.put("photobridge.pave.link-dir", home.resolve("pave-links").toString());
        p.put("photobridge.recoveryconnect.transfer-dir", home.resolve("transfers").toString());
        p.put("photobridge.pave.staging-dir", home.resolve("pave-staging").toString());
        p.put("photobridge.sandbox.inspektlabs.callback-delay-ms", "300");
        p.put("photobridge.routes.reload-enabled", "false");
        p.putAll(overrides);
        Main main = PhotoBridge.create();
        p.forEach(main::addOverrideProperty);
        try {
            main.start();
        } catch (Exception e) {
            throw new IllegalStateException("PhotoBridge did not start", e);
        }
        RunningPhotoBridge app = new RunningPhotoBridge(main, home, httpPort);
        await().atMost(Duration.ofSeconds(30)).until(() -> app.context() != null && app.context().isStarted());
        return app;
    }

    public static RunningPhotoBridge start(Path home) {
        return start(home, Map.of());
    }

    public CamelContext context() {
        return main.getCamelContext();
    }

    public RecoveryConnectSandbox sandbox() {
        return context().getRegistry().lookupByNameAndType("recoveryConnectSandbox", RecoveryConnectSandbox.class);
    }

    public InspektlabsSandbox inspektlabs() {
        return context().getRegistry().lookupByNameAndType("inspektlabsSandbox", InspektlabsSandbox.class);
    }

    public DamageRecords damage() {
        return context().getRegistry().lookupByNameAndType("damageRecords", DamageRecords.class);
    }

    public PaveSandbox pave() {
        return context().getRegistry().lookupByNameAndType("paveSandbox", PaveSandbox.class);
    }

    public PaveRecords paveRecords() {
        return context().getRegistry().lookupByNameAndType("paveRecords", PaveRecords.class);
    }

    public PaveRelay paveRelay() {
        return context().getRegistry().lookupByNameAndType("paveRelay", PaveRelay.class);
    }

    public Ledger ledger() {
        return context().getRegistry().lookupByNameAndType("ledger", Ledger.class);
    }

    public Path inbox() {
        return home.resolve("inbox");
    }

    public String httpBase() {
        return "http://127.0.0.1:" + httpPort;
    }

    @Override
    public void close() {
        try {
            main.stop();
        } catch (Exception e) {
            throw new IllegalStateException("PhotoBridge did not stop cleanly", e);
        }
    }

    /** A free port outside the range the sandboxes' port-0 binds draw from (see JarProcess.freePort). */
    public static int freePort() {
        return io.photobridge.bench.JarProcess.freePort();
    }
}
