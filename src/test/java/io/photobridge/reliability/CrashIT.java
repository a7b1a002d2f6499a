package io.photobridge.reliability;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import io.photobridge.bench.Fixtures;
import io.photobridge.bench.JarProcess;
import io.photobridge.sandbox.FaultInjector;
import io.photobridge.sandbox.RecoveryConnectSandbox;
import io.photobridge.sandbox.StoredPhoto;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** kill -9 of the shipped jar at seeded random moments during an ingest: every photo reaches RecoveryConnect exactly once, and .done/. */
class CrashIT {

    private static final long ORDER = 57076501L;
    private static final long SEED = 20261122L;
    private static final Path PROJECT = Path.of("").toAbsolutePath();

    @TempDir
    Path home;

    @Test
    void killedAndRestartedRepeatedlyEveryPhotoIsUploadedExactlyOnceAndEndsInDone() throws Exception {
        SuiteSize size = SuiteSize.current();
        int files = size.pick(150, 500);
        int kills = size.pick(3, 10);
        Random random = new Random(SEED);

        Path staging = home.resolve("staging/" + ORDER);
        List<Path> photos = Fixtures.copies(Fixtures.photo(PROJECT.resolve("target/bench/fixtures"), 300_000), staging, "crash", files);
        Map<String, String> nameBySha = new HashMap<>();
        for (Path photo : photos) {
            nameBySha.put(sha256(photo), photo.getFileName().toString());
        }

        List<String> killLog = new ArrayList<>();
        long started = System.nanoTime();
        try (RecoveryConnectSandbox sandbox = new RecoveryConnectSandbox(RecoveryConnectSandbox.Settings.defaults()
                .withDataDir(home.resolve("sandbox")))) {
            sandbox.start();
            // a vendor that takes 250 ms per photo stretches the ingest over all the kills (at most ~40 photos between two)
            sandbox.faults().randomly(1.0, SEED, "/photos", List.of(new FaultInjector.Slow(Duration.ofMillis(250))));

            Path inbox = home.resolve("app/inbox");
            Files.createDirectories(inbox);
            Files.move(staging, inbox.resolve(String.valueOf(ORDER)));

            for (int kill = 1; kill <= kills; kill++) {
                JarProcess app = jar(sandbox);
                app.start();
                String moment;
                if (random.nextInt(4) == 0) { // during start-up: the ledger, the routes, the sandbox connection half made
                    long delay = 300 + random.nextInt(1200);
                    Thread.sleep(delay);
                    moment = String.format("%.1f s after start", delay / 1000.0);
                } else {
                    app.awaitReady(Duration.ofSeconds(60));
                    long delay = 1000 + random.nextInt(1500);
                    Thread.sleep(delay);
                    moment = String.format("%.1f s after ready", delay / 1000.0);
                }
                int before = sandbox.createdPhotos();
                app.kill();
                killLog.add(String.format("| %d | %s | %d | %d |", kill, moment, before, files - countFiles(inbox.resolve(".done"))));
                assertThat(before).as("kill %d must land while photos are still pending", kill).isLessThan(files);
            }

            JarProcess last = jar(sandbox);
            try {
                last.start().awaitReady(Duration.ofSeconds(60));
                await().atMost(Duration.ofMinutes(5)).pollInterval(Duration.ofMillis(200))
                        .until(() -> countFiles(inbox.resolve(".done")) == files && sandbox.createdPhotos() >= files);
                assertThat(last.isAlive()).as("the last run still running").isTrue();
                // a late duplicate would come from work still in flight: stop PhotoBridge (graceful: in-flight work ends),
                // then let every upload the sandbox still holds (each one slowed) land before counting
                last.stop();
                await().atMost(Duration.ofMinutes(1)).until(() -> sandbox.faults().slowInFlight() == 0);
            } finally {
                last.stop();
                Files.createDirectories(SuiteSize.RESULTS);
                Files.copy(last.log(), SuiteSize.RESULTS.resolve("crash-photobridge.log"), StandardCopyOption.REPLACE_EXISTING);
            }

            List<StoredPhoto> stored = sandbox.photos(ORDER);
            Map<String, Long> copies = stored.stream().collect(Collectors.groupingBy(StoredPhoto::sha256, Collectors.counting()));
            long lost = nameBySha.keySet().stream().filter(sha -> !copies.containsKey(sha)).count();
            long duplicated = copies.values().stream().mapToLong(n -> n - 1).sum();
            Set<String> done;
            try (Stream<Path> walk = Files.walk(inbox.resolve(".done"))) {
                done = walk.filter(Files::isRegularFile).map(p -> p.getFileName().toString()).collect(Collectors.toSet());
            }
            long inErrors = countFiles(inbox.resolve(".error"));
            long leftInInbox = countFiles(inbox.resolve(String.valueOf(ORDER)));

            size.writeResult("crash", String.format("""
                    Seed %d; %d photos of 300 KB; %d kill -9 of the shipped jar at a random moment (one in four during start-up, \
                    the others 1 to 2.5 s after it is ready), each followed by a restart; the RecoveryConnect sandbox answers in 250 ms so the \
                    ingest spans the kills. %.0f s in all.

                    | kill | moment | photos in RecoveryConnect at the kill | photos not yet in .done |
                    |---|---|---|---|
                    %s

                    | photos | in RecoveryConnect | lost | duplicated | in .done/ | in .error/ | left in the inbox |
                    |---|---|---|---|---|---|---|
                    | %d | %d | **%d** | **%d** | %d | %d | %d |
                    """, SEED, files, kills, (System.nanoTime() - started) / 1e9, String.join("\n", killLog),
                    files, stored.size(), lost, duplicated, done.size(), inErrors, leftInInbox));

            assertThat(lost).as("photos lost").isZero();
            assertThat(duplicated).as("photos uploaded twice").isZero();
            assertThat(stored).hasSize(files);
            assertThat(done).containsExactlyInAnyOrderElementsOf(nameBySha.values());
            assertThat(inErrors).as("files in .error").isZero();
            assertThat(leftInInbox).as("files left in the inbox").isZero();
        }
    }

    private JarProcess jar(RecoveryConnectSandbox sandbox) {
        return new JarProcess(PROJECT, home.resolve("app")).production()
                .property("photobridge.recoveryconnect.base-url", sandbox.baseUrl())
                .property("photobridge.inspektlabs.enabled", "false")
                .property("photobridge.pave.enabled", "false")
                .property("photobridge.retry.initial-delay-ms", "200")
                .property("photobridge.retry.max-delay-ms", "2000")
                .jvm("-Xmx256m");
    }

    private static long countFiles(Path dir) throws Exception {
        if (!Files.isDirectory(dir)) {
            return 0;
        }
        try (Stream<Path> walk = Files.walk(dir)) {
            return walk.filter(Files::isRegularFile).count();
        }
    }

    private static String sha256(Path file) throws Exception {
        return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(Files.readAllBytes(file)));
    }
}
