package io.photobridge.reliability;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.MessageDigest;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import io.photobridge.InProcessS3;
import io.photobridge.bench.Fixtures;
import io.photobridge.bench.JarProcess;
import io.photobridge.records.TestLedgers;
import io.photobridge.sandbox.FaultInjector;
import io.photobridge.sandbox.InspektlabsSandbox;
import io.photobridge.sandbox.InspektlabsUpload;
import io.photobridge.sandbox.PaveSandbox;
import io.photobridge.sandbox.RecoveryConnectSandbox;
import io.photobridge.sandbox.StoredPhoto;
import io.photobridge.TestHttp;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.ListObjectsV2Request;
import software.amazon.awssdk.services.s3.model.PutObjectRequest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Several instances of the shipped jar on one PostgreSQL ledger, sharing one drop folder, one S3 bucket (s3proxy) and one
 * media folder: first 2 instances, all running throughout (each must deliver a fair share), then 3, one of them killed
 * with -9 midway and restarted. Every photo reaches RecoveryConnect exactly once, leaves the inbox and the bucket, and
 * is in exactly one accepted Inspektlabs upload; every approved PAVE photo, captured while the instance is killed, is
 * relayed once. Reduced size in CI; -Dreliability.size=full feeds 1,000 photos.
 */
class MultiInstanceIT {

    private static final Path PROJECT = Path.of("").toAbsolutePath();
    private static final long[] ORDERS = {57076501L, 57076502L, 57076503L, 57076504L, 57076505L};
    private static final String BUCKET = "multi-instance";
    /** One photo in this many goes through S3, the others through the drop folder. */
    private static final int S3_EVERY = 5;
    /** The order the PAVE sessions are linked to. */
    private static final long PAVE_ORDER = ORDERS[0];
    private static final Path[] EXIF_JPEGS = {Path.of("src/test/resources/media/key-exif.jpg"),
            Path.of("src/test/resources/media/offset-exif.jpg")};
    private static final Pattern RUN = Pattern.compile("PhotoBridge run ([0-9a-f-]{36})");

    @TempDir
    Path home;

    @Test
    void twoThenThreeInstancesOnOneLedgerDeliverEachPhotoOnceAndShareTheWork() throws Exception {
        SuiteSize size = SuiteSize.current();
        int photos = size.pick(200, 1000);
        int firstRound = photos / 2;
        String schema = TestLedgers.newSchema();
        long started = System.nanoTime();

        Path shared = home.resolve("shared");
        Path inbox = shared.resolve("inbox");
        Files.createDirectories(inbox);
        Path staging = home.resolve("staging");
        byte[] jpeg = Fixtures.photo(PROJECT.resolve("target/bench/fixtures"), 40_000);
        List<Path> files = Fixtures.copies(jpeg, staging, "multi", photos);
        Map<String, String> nameBySha = new HashMap<>();
        for (Path file : files) {
            nameBySha.put(sha256(Files.readAllBytes(file)), file.getFileName().toString());
        }

        try (RecoveryConnectSandbox rc = new RecoveryConnectSandbox(RecoveryConnectSandbox.Settings.defaults()
                .withDataDir(home.resolve("rc-sandbox")));
             InspektlabsSandbox inspektlabs = new InspektlabsSandbox(InspektlabsSandbox.Settings.defaults()
                     .withDataDir(home.resolve("inspektlabs-sandbox")).withCallbackDelay(Duration.ofMillis(200)));
             PaveSandbox pave = new PaveSandbox(PaveSandbox.Settings.defaults().withDataDir(home.resolve("pave-sandbox")));
             InProcessS3 s3 = InProcessS3.start(JarProcess.freePort());
             S3Client client = s3.client()) {
            rc.start();
            inspektlabs.start();
            pave.start();
            // a vendor that takes 150 ms per photo: the work lasts long enough to be shared, and to kill an instance midway
            rc.faults().randomly(1.0, 15L, "/photos", List.of(new FaultInjector.Slow(Duration.ofMillis(150))));
            client.createBucket(b -> b.bucket(BUCKET));

            Map<String, Long> fair = new TreeMap<>();
            List<String> paveShas = new ArrayList<>();
            Map<String, JarProcess> instances = new LinkedHashMap<>();
            Map<String, String> instanceByRun = new HashMap<>();
            List<String> rounds = new ArrayList<>();
            try {
                // Round 1: two instances, both running throughout
                instances.put("a", jar("a", shared, schema, rc, inspektlabs, pave, s3, null));
                String reports = instances.get("a").httpBase();
                instances.put("b", jar("b", shared, schema, rc, inspektlabs, pave, s3, reports));
                startAll(instances.values());
                // PAVE sessions linked through the records API, as a user does; their photos are taken during round 2
                List<String> sessions = new ArrayList<>();
                for (int s = 0; s < size.pick(2, 4); s++) {
                    String key = pave.createSession();
                    HttpResponse<String> linked = post(instances.get("a"), "/api/orders/" + PAVE_ORDER + "/pave-sessions",
                            "{\"session_key\":\"" + key + "\"}");
                    assertThat(linked.statusCode()).as("link of PAVE session %s: %s", key, linked.body()).isEqualTo(201);
                    sessions.add(key);
                }
                feed(files.subList(0, firstRound), inbox, client);
                await().atMost(Duration.ofMinutes(size.pick(5, 15))).pollInterval(Duration.ofMillis(500))
                        .until(() -> rc.createdPhotos() >= firstRound && remaining(inbox, client) == 0);
                runs(instances, instanceByRun);
                fair.putAll(deliveredPerInstance(schema, instanceByRun));
                rounds.add(row("1: 2 instances, all running", firstRound, fair, "none"));

                // Round 2: a third instance; b is killed with -9 midway and restarted
                instances.put("c", jar("c", shared, schema, rc, inspektlabs, pave, s3, reports));
                instances.get("c").start().awaitReady(Duration.ofSeconds(180));
                int secondRound = photos - firstRound;
                Map<String, Long> before = deliveredPerInstance(schema, instanceByRun);
                feed(files.subList(firstRound, photos), inbox, client);
                // drivers capture while the instances work: a rejected shot, then its approved retake, per photo code
                for (String session : sessions) {
                    for (int code = 1; code <= size.pick(4, 10); code++) {
                        pave.capture(session, code, false, "Wrong View",
                                FaultsIT.uniqueExifJpeg(EXIF_JPEGS[code % 2], "multi-instance pave rejected " + session + "/" + code));
                        byte[] approved = FaultsIT.uniqueExifJpeg(EXIF_JPEGS[code % 2], "multi-instance pave " + session + "/" + code);
                        pave.capture(session, code, true, null, approved);
                        paveShas.add(sha256(approved));
                    }
                }
                await().atMost(Duration.ofMinutes(5)).pollInterval(Duration.ofMillis(50))
                        .until(() -> rc.createdPhotos() >= firstRound + secondRound / 4);
                int atKill = rc.createdPhotos();
                for (String session : sessions) {
                    pave.status(session, "COMPLETE");
                }
                instances.get("b").kill();
                String kill = String.format("b killed -9 with %d of %d photos in RecoveryConnect, restarted", atKill, photos);
                assertThat(atKill).as("the kill lands while photos are pending").isLessThan(photos);
                instances.get("b").start().awaitReady(Duration.ofSeconds(180));
                await().atMost(Duration.ofMinutes(size.pick(5, 15))).pollInterval(Duration.ofMillis(500))
                        .until(() -> rc.createdPhotos() >= photos + paveShas.size() && remaining(inbox, client) == 0);
                // damage analysis: every photo in an accepted upload (a batch completes after the order's quiet period); a
                // photo never analysed is reported with the figures below, not by a timeout here
                within(Duration.ofMinutes(size.pick(2, 5)), () -> analysedShas(inspektlabs).keySet().containsAll(nameBySha.keySet()));
                runs(instances, instanceByRun);
                Map<String, Long> after = deliveredPerInstance(schema, instanceByRun);
                Map<String, Long> second = new TreeMap<>();
                after.forEach((instance, n) -> second.put(instance, n - before.getOrDefault(instance, 0L)));
                rounds.add(row("2: 3 instances, one killed", secondRound, second, kill));
                // in-flight work ends with a graceful stop; a late duplicate would show after it
                for (JarProcess instance : instances.values()) {
                    instance.stop();
                }
                await().atMost(Duration.ofMinutes(1)).until(() -> rc.faults().slowInFlight() == 0);
            } finally {
                for (Map.Entry<String, JarProcess> instance : instances.entrySet()) {
                    instance.getValue().stop();
                    Files.createDirectories(SuiteSize.RESULTS);
                    if (Files.exists(instance.getValue().log())) {
                        Files.copy(instance.getValue().log(), SuiteSize.RESULTS.resolve("multi-instance-" + instance.getKey() + ".log"),
                                StandardCopyOption.REPLACE_EXISTING);
                    }
                }
            }

            Map<String, Long> copies = new HashMap<>();
            for (long order : ORDERS) {
                for (StoredPhoto p : rc.photos(order)) {
                    copies.merge(p.sha256(), 1L, Long::sum);
                }
            }
            long lost = nameBySha.keySet().stream().filter(sha -> !copies.containsKey(sha)).count();
            long duplicated = copies.values().stream().mapToLong(n -> n - 1).sum();
            List<StoredPhoto> paveOrder = rc.photos(PAVE_ORDER);
            long paveRelayed = paveShas.stream().filter(sha -> paveOrder.stream().filter(p -> p.sha256().equals(sha)).count() == 1).count();
            long paveMissing = paveShas.stream().filter(sha -> !copies.containsKey(sha)).count();
            Map<String, Long> analysed = analysedShas(inspektlabs);
            long analysedTwice = nameBySha.keySet().stream().filter(sha -> analysed.getOrDefault(sha, 0L) > 1).count();
            long notAnalysed = nameBySha.keySet().stream().filter(sha -> !analysed.containsKey(sha)).count();
            long inErrors = countFiles(inbox.resolve(".error"));
            long leftInInbox = remaining(inbox, client);

            size.writeResult("multi-instance", String.format("""
                    %d photos of 40 KB over 5 orders, one in %d through S3 (s3proxy) and the others through one shared drop folder; \
                    instances of the shipped jar on one PostgreSQL ledger, the RecoveryConnect sandbox answering in 150 ms, damage \
                    analysis on (Inspektlabs sandbox). Delivered per instance: photos UPLOADED in the ledger by that instance's \
                    runs (photo.claimed_by = the run id each instance logs as "PhotoBridge run <id>"). %.0f s in all.

                    | round | photos | delivered per instance | kill |
                    |---|---|---|---|
                    %s

                    | photos | in RecoveryConnect | lost | duplicated | analysed (Inspektlabs) | analysed twice | not analysed | in .error/ | left in inbox or bucket |
                    |---|---|---|---|---|---|---|---|---|
                    | %d | %d | **%d** | **%d** | %d | **%d** | %d | %d | %d |

                    PAVE: %d sessions linked to order %d, %d approved photos (each after a rejected shot) captured during round 2, \
                    the sessions completed at the kill: %d relayed once to RecoveryConnect, %d missing.
                    """, photos, S3_EVERY, (System.nanoTime() - started) / 1e9, String.join("\n", rounds), photos,
                    copies.values().stream().mapToLong(Long::longValue).sum() - paveShas.size(), lost, duplicated,
                    analysed.size(), analysedTwice, notAnalysed, inErrors, leftInInbox,
                    paveShas.size() / Math.max(1, size.pick(4, 10)), PAVE_ORDER, paveShas.size(), paveRelayed, paveMissing));

            assertThat(lost).as("photos lost").isZero();
            assertThat(duplicated).as("photos in RecoveryConnect twice").isZero();
            assertThat(inErrors).as("files in .error/").isZero();
            assertThat(leftInInbox).as("photos left in the inbox or the bucket").isZero();
            assertThat(notAnalysed).as(() -> "photos never analysed, with their timelines: " + timelines(schema,
                    nameBySha.keySet().stream().filter(sha -> !analysed.containsKey(sha)).toList())).isZero();
            assertThat(fair.keySet()).as("instances that delivered in round 1").containsExactly("a", "b");
            fair.forEach((instance, n) -> assertThat(n).as("photos delivered by %s of %d in round 1 (all running)", instance, firstRound)
                    .isGreaterThanOrEqualTo((long) Math.ceil(firstRound * 0.3)));
            assertThat(analysedTwice).as("photos in more than one accepted Inspektlabs upload").isZero();
            assertThat(paveShas).isNotEmpty();
            assertThat(paveRelayed).as("approved PAVE photos relayed to RecoveryConnect exactly once").isEqualTo(paveShas.size());
        }
    }

    private static HttpResponse<String> post(JarProcess instance, String path, String body) throws Exception {
        return TestHttp.client().send(HttpRequest.newBuilder(URI.create(instance.httpBase() + path))
                .header("Content-Type", "application/json")
                .header("Authorization", "Bearer jar-test-api-token-3f9b")
                .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
    }

    /** Waits for the condition at most this long; whether it came true. */
    private static boolean within(Duration atMost, java.util.concurrent.Callable<Boolean> condition) {
        try {
            await().atMost(atMost).pollInterval(Duration.ofMillis(500)).until(condition);
            return true;
        } catch (org.awaitility.core.ConditionTimeoutException notYet) {
            return false;
        }
    }

    /**
     * An instance on the shared folders and ledger. Inspektlabs reports come to the first instance, as they would to a load
     * balancer in front of all of them: a report for a batch the killed instance sent must not be lost with it.
     */
    private JarProcess jar(String name, Path shared, String schema, RecoveryConnectSandbox rc, InspektlabsSandbox inspektlabs,
                           PaveSandbox pave, InProcessS3 s3, String publicBaseUrl) {
        JarProcess jar = new JarProcess(PROJECT, home.resolve("instance-" + name)).production()
                .property("photobridge.inbox.dir", shared.resolve("inbox").toString())
                .property("photobridge.inspektlabs.media-dir", shared.resolve("media").toString())
                .property("photobridge.records.url", TestLedgers.PG + "?currentSchema=" + schema)
                .property("photobridge.records.user", "postgres")
                .property("photobridge.records.password", "")
                .property("photobridge.recoveryconnect.base-url", rc.baseUrl())
                .property("photobridge.inspektlabs.base-url", inspektlabs.baseUrl())
                .property("photobridge.inspektlabs.quiet-period-ms", "3000")
                .property("photobridge.pave.base-url", pave.baseUrl() + "/v1")
                .property("photobridge.pave.username", pave.settings().username())
                .property("photobridge.pave.api-key", pave.settings().apiKey())
                .property("photobridge.pave.api.secret", pave.settings().apiSecret())
                .property("photobridge.pave.poll-ms", "500")
                // a killed instance's session leases are taken over after this
                .property("photobridge.pave.lease-seconds", "10")
                .property("photobridge.claims.keep-alive-ms", "1000")
                .property("photobridge.claims.max-age-ms", "5000")
                .property("photobridge.recoveryconnect.unknown-outcome-delay-ms", "2000")
                .property("photobridge.retry.initial-delay-ms", "200")
                .property("photobridge.retry.max-delay-ms", "2000")
                .jvm("-Xmx256m");
        s3.settings(BUCKET).forEach(jar::property);
        if (publicBaseUrl != null) {
            jar.property("photobridge.inspektlabs.public-base-url", publicBaseUrl);
        }
        return jar;
    }

    private static void startAll(Iterable<JarProcess> instances) throws Exception {
        for (JarProcess instance : instances) {
            instance.start();
        }
        for (JarProcess instance : instances) {
            instance.awaitReady(Duration.ofSeconds(180));
        }
    }

    /** One photo in S3_EVERY into the bucket, the others into the drop folder, each under its order. */
    private static void feed(List<Path> files, Path inbox, S3Client client) throws Exception {
        for (int i = 0; i < files.size(); i++) {
            Path file = files.get(i);
            long order = ORDERS[i % ORDERS.length];
            if (i % S3_EVERY == 0) {
                client.putObject(PutObjectRequest.builder().bucket(BUCKET).key("incoming/" + order + "/" + file.getFileName()).build(),
                        RequestBody.fromFile(file));
            } else {
                Fixtures.deliver(file, inbox.resolve(String.valueOf(order)));
            }
        }
    }

    /** Photos not delivered yet: files in the inbox (outside .done/ and .error/) and objects under incoming/. */
    private static long remaining(Path inbox, S3Client client) throws Exception {
        long files;
        try (Stream<Path> walk = Files.walk(inbox)) {
            files = walk.filter(Files::isRegularFile).filter(p -> !inbox.relativize(p).toString().startsWith(".")).count();
        }
        return files + client.listObjectsV2(ListObjectsV2Request.builder().bucket(BUCKET).prefix("incoming/").build()).keyCount();
    }

    /** Each instance's run ids, from the "PhotoBridge run <id>" line each start logs. */
    private static void runs(Map<String, JarProcess> instances, Map<String, String> instanceByRun) throws Exception {
        for (Map.Entry<String, JarProcess> instance : instances.entrySet()) {
            Matcher m = RUN.matcher(Files.readString(instance.getValue().log()));
            while (m.find()) {
                instanceByRun.put(m.group(1), instance.getKey());
            }
        }
    }

    /** Photos UPLOADED per instance, from the ledger (the run that claimed the upload). */
    private static Map<String, Long> deliveredPerInstance(String schema, Map<String, String> instanceByRun) throws Exception {
        Map<String, Long> delivered = new TreeMap<>();
        try (Connection c = DriverManager.getConnection(TestLedgers.PG + "?currentSchema=" + schema, "postgres", "");
             PreparedStatement st = c.prepareStatement("select claimed_by, count(*) from photo where state = 'UPLOADED' group by claimed_by");
             ResultSet rs = st.executeQuery()) {
            while (rs.next()) {
                delivered.merge(instanceByRun.getOrDefault(rs.getString(1), "unknown run " + rs.getString(1)), rs.getLong(2), Long::sum);
            }
        }
        return delivered;
    }

    /** The ledger's timeline of each photo (by SHA-256), for a failure message. */
    private static Map<String, List<String>> timelines(String schema, List<String> shas) {
        Map<String, List<String>> timelines = new TreeMap<>();
        try (Connection c = DriverManager.getConnection(TestLedgers.PG + "?currentSchema=" + schema, "postgres", "");
             PreparedStatement st = c.prepareStatement("select p.original_name, e.kind, e.detail from photo p join photo_event e"
                     + " on e.photo_id = p.id where p.sha256 = ? order by e.id")) {
            for (String sha : shas) {
                st.setString(1, sha);
                try (ResultSet rs = st.executeQuery()) {
                    while (rs.next()) {
                        timelines.computeIfAbsent(rs.getString(1), k -> new ArrayList<>()).add(rs.getString(2) + ": " + rs.getString(3));
                    }
                }
            }
        } catch (java.sql.SQLException e) {
            return Map.of("(the ledger could not be read)", List.of(e.toString()));
        }
        return timelines;
    }

    private static String row(String round, int photos, Map<String, Long> delivered, String kill) {
        String shares = delivered.entrySet().stream()
                .map(e -> String.format("%s %d (%.0f%%)", e.getKey(), e.getValue(), 100.0 * e.getValue() / photos))
                .collect(Collectors.joining(", "));
        return String.format("| %s | %d | %s | %s |", round, photos, shares, kill);
    }

    /** How many accepted Inspektlabs uploads hold each file (by SHA-256). */
    private static Map<String, Long> analysedShas(InspektlabsSandbox inspektlabs) {
        return inspektlabs.uploads().stream().flatMap(u -> u.files().stream()).map(InspektlabsUpload.UploadedFile::sha256)
                .collect(Collectors.groupingBy(sha -> sha, Collectors.counting()));
    }

    private static long countFiles(Path dir) throws Exception {
        if (!Files.isDirectory(dir)) {
            return 0;
        }
        try (Stream<Path> walk = Files.walk(dir)) {
            return walk.filter(Files::isRegularFile).count();
        }
    }

    private static String sha256(byte[] bytes) throws Exception {
        return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
    }
}
