package io.photobridge;

import java.awt.Color;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;

import javax.imageio.ImageIO;

import io.photobridge.ingest.IngestProgress;
import io.photobridge.records.PhotoState;
import io.photobridge.sandbox.StoredPhoto;
import org.apache.logging.log4j.core.LogEvent;
import org.apache.logging.log4j.core.LoggerContext;
import org.apache.logging.log4j.core.appender.AbstractAppender;
import org.apache.logging.log4j.core.config.Property;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** Big drop-folder backlogs through the real Main, the real YAML routes and the RecoveryConnect sandbox. */
class BacklogTest {

    private static final int FILES = 2000;
    private static final long BUSY_ORDER = 57076503L;
    private static final long[] OTHER_ORDERS = {57076501L, 57076502L, 57076504L, 57076505L};
    private static final String[] TYPE_FOLDERS = {"", "key/", "general/", "vin/"};
    private static final Duration BACKLOG_WAIT = Duration.ofMinutes(5);

    @TempDir
    Path home;

    private RunningPhotoBridge app;
    private final ProgressLines progress = new ProgressLines();

    @BeforeEach
    void captureProgressLines() {
        progress.start();
        LoggerContext logging = LoggerContext.getContext(false);
        logging.getConfiguration().getRootLogger().addAppender(progress, null, null);
        logging.updateLoggers();
    }

    @AfterEach
    void stop() {
        if (app != null) {
            app.close();
        }
        LoggerContext logging = LoggerContext.getContext(false);
        logging.getConfiguration().getRootLogger().removeAppender(progress.getName());
        logging.updateLoggers();
        progress.stop();
    }

    @Test
    void twoThousandFilesDumpedAtOnceAreEachUploadedOnceWithBoundedFilesInFlight() throws Exception {
        app = RunningPhotoBridge.start(home, Map.of("photobridge.ingest.progress-every-seconds", "2"));
        int parallel = intSetting("photobridge.ingest.parallel-uploads");
        int maxInFlight = intSetting("photobridge.ingest.max-in-flight");
        int bound = maxInFlight + parallel + 1;

        // Written outside the inbox, then each order folder is renamed into it: the whole dump appears at once.
        Path staging = home.resolve("staging");
        Set<String> relativePaths = new HashSet<>();
        Set<String> sha256s = new HashSet<>();
        Map<Long, AtomicInteger> perOrder = new java.util.TreeMap<>();
        for (int i = 0; i < FILES; i++) {
            long order = i < FILES * 3 / 5 ? BUSY_ORDER : OTHER_ORDERS[i % OTHER_ORDERS.length];
            String relative = order + "/" + TYPE_FOLDERS[i % TYPE_FOLDERS.length] + String.format("IMG_%05d.jpg", i);
            byte[] jpeg = jpeg(i);
            Path file = staging.resolve(relative);
            Files.createDirectories(file.getParent());
            Files.write(file, jpeg);
            relativePaths.add(relative);
            sha256s.add(sha256(jpeg));
            perOrder.computeIfAbsent(order, o -> new AtomicInteger()).incrementAndGet();
        }
        assertThat(sha256s).as("every generated photo has its own bytes").hasSize(FILES);

        InFlightSampler sampler = new InFlightSampler();
        sampler.start();
        long started = System.nanoTime();
        Files.createDirectories(app.inbox());
        try (Stream<Path> orders = Files.list(staging)) {
            for (Path order : orders.toList()) {
                Files.move(order, app.inbox().resolve(order.getFileName().toString()), StandardCopyOption.ATOMIC_MOVE);
            }
        }
        Path done = app.inbox().resolve(".done");
        await().atMost(BACKLOG_WAIT).pollInterval(Duration.ofMillis(250))
                .until(() -> filesUnder(done).size() + filesUnder(app.inbox().resolve(".error")).size() >= FILES);
        double seconds = (System.nanoTime() - started) / 1e9;
        sampler.stop();
        System.out.printf("BacklogTest: %d files in %.1f s = %.1f files/s (parallel-uploads %d, max-in-flight %d,"
                + " most files in flight seen %d, bound %d)%n", FILES, seconds, FILES / seconds, parallel, maxInFlight,
                sampler.max(), bound);

        assertThat(filesUnder(app.inbox().resolve(".error"))).isEmpty();
        assertThat(filesUnder(done)).containsExactlyInAnyOrderElementsOf(relativePaths);
        assertThat(filesUnder(app.inbox()).stream().filter(p -> !p.startsWith(".")).toList()).isEmpty();

        List<StoredPhoto> stored = new ArrayList<>();
        for (Map.Entry<Long, AtomicInteger> order : perOrder.entrySet()) {
            List<StoredPhoto> photos = app.sandbox().photos(order.getKey());
            assertThat(photos).as("photos of order %s", order.getKey()).hasSize(order.getValue().get());
            stored.addAll(photos);
        }
        assertThat(stored).extracting(StoredPhoto::sha256).containsExactlyInAnyOrderElementsOf(sha256s);
        assertThat(app.sandbox().createRequests()).isEqualTo(FILES);
        assertThat(app.ledger().inState(PhotoState.UPLOADED)).hasSize(FILES);

        assertThat(sampler.max()).as("files in flight (sampled)").isPositive().isLessThanOrEqualTo(bound);

        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> assertThat(progress.lines)
                .anyMatch(l -> l.startsWith("Inbox progress: " + FILES + " done, 0 failed, 0 remaining, 0 in flight, ")));
    }

    @Test
    void metricsShowTheInboxBacklogAndTheFilesInFlight() throws Exception {
        app = RunningPhotoBridge.start(home, Map.of("photobridge.ingest.progress-every-seconds", "1"));
        app.context().getRouteController().stopRoute(IngestProgress.ROUTE);
        for (int i = 0; i < 25; i++) {
            Path file = app.inbox().resolve(BUSY_ORDER + "/key/waiting-" + i + ".jpg");
            Files.createDirectories(file.getParent());
            Files.write(file, jpeg(i));
        }
        Files.writeString(app.inbox().resolve(BUSY_ORDER + "/manifest.csv"), "file,order\n");

        await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> assertThat(metrics())
                .containsPattern("(?m)^photobridge_inbox_backlog(\\{[^}]*\\})? 25\\.0$")
                .containsPattern("(?m)^photobridge_ingest_inflight(\\{[^}]*\\})? 0\\.0$"));

        app.context().getRouteController().startRoute(IngestProgress.ROUTE);
        await().atMost(Duration.ofSeconds(60)).until(() -> filesUnder(app.inbox().resolve(".done")).size() == 25);
        await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> assertThat(metrics())
                .containsPattern("(?m)^photobridge_inbox_backlog(\\{[^}]*\\})? 0\\.0$"));
        await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> assertThat(progress.lines)
                .anyMatch(l -> l.matches("Inbox progress: 25 done, 0 failed, 0 remaining, 0 in flight, [0-9.]+ files/s")));
    }

    private String metrics() throws Exception {
        HttpResponse<String> response = TestHttp.client().send(
                HttpRequest.newBuilder(URI.create(app.httpBase() + "/observe/metrics")).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(response.statusCode()).isEqualTo(200);
        return response.body();
    }

    private int intSetting(String key) {
        return Integer.parseInt(app.context().resolvePropertyPlaceholders("{{" + key + "}}").trim());
    }

    /** Files under a folder, as paths relative to it with '/' separators. */
    private static List<String> filesUnder(Path root) throws IOException {
        if (!Files.isDirectory(root)) {
            return List.of();
        }
        try (Stream<Path> files = Files.walk(root)) {
            return files.filter(Files::isRegularFile).map(f -> root.relativize(f).toString().replace('\\', '/')).toList();
        }
    }

    /** A 16x16 JPEG whose pixels spell the index, so every index gives other bytes. */
    static byte[] jpeg(int index) throws IOException {
        BufferedImage image = new BufferedImage(16, 16, BufferedImage.TYPE_INT_RGB);
        Color background = new Color((index * 37) % 256, (index * 91) % 256, (index * 151) % 256);
        for (int block = 0; block < 16; block++) {
            int rgb = ((index >> block) & 1) == 1 ? 0xFFFFFF : background.getRGB();
            for (int x = 0; x < 4; x++) {
                for (int y = 0; y < 4; y++) {
                    image.setRGB((block % 4) * 4 + x, (block / 4) * 4 + y, rgb);
                }
            }
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        if (!ImageIO.write(image, "jpg", out)) {
            throw new IllegalStateException("no JPEG writer");
        }
        return out.toByteArray();
    }

    private static String sha256(byte[] bytes) throws Exception {
        return java.util.HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
    }

    /** Samples Camel's inflight repository of the drop-folder route from its own thread, keeping the largest count seen. */
    private final class InFlightSampler {
        private final AtomicBoolean running = new AtomicBoolean(true);
        private final AtomicInteger max = new AtomicInteger();
        private final Thread thread = new Thread(() -> {
            while (running.get()) {
                max.accumulateAndGet(app.context().getInflightRepository().size(IngestProgress.ROUTE), Math::max);
                try {
                    Thread.sleep(1);
                } catch (InterruptedException e) {
                    return;
                }
            }
        }, "inflight-sampler");

        void start() {
            thread.setDaemon(true);
            thread.start();
        }

        void stop() throws InterruptedException {
            running.set(false);
            thread.join();
        }

        int max() {
            return max.get();
        }
    }

    /** Collects the lines IngestProgress logs. */
    private static final class ProgressLines extends AbstractAppender {
        final List<String> lines = new CopyOnWriteArrayList<>();

        ProgressLines() {
            super("backlog-test-progress", null, null, true, Property.EMPTY_ARRAY);
        }

        @Override
        public void append(LogEvent event) {
            if (IngestProgress.class.getName().equals(event.getLoggerName())) {
                lines.add(event.getMessage().getFormattedMessage());
            }
        }
    }
}
