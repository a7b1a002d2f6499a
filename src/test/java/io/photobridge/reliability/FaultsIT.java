package io.photobridge.reliability;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.Function;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.photobridge.RunningPhotoBridge;
import io.photobridge.records.DamageJob;
import io.photobridge.records.DamageJobState;
import io.photobridge.records.DamageReport;
import io.photobridge.records.PaveCapture;
import io.photobridge.records.PaveRecords;
import io.photobridge.records.PhotoEvent;
import io.photobridge.records.PhotoRecord;
import io.photobridge.records.PhotoState;
import io.photobridge.sandbox.FaultInjector;
import io.photobridge.sandbox.FaultInjector.Drop;
import io.photobridge.sandbox.FaultInjector.Fault;
import io.photobridge.sandbox.FaultInjector.LostAnswer;
import io.photobridge.sandbox.FaultInjector.Slow;
import io.photobridge.sandbox.FaultInjector.Status;
import io.photobridge.sandbox.InspektlabsUpload;
import io.photobridge.sandbox.StoredPhoto;
import io.photobridge.TestHttp;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Reliability, faults: 20% of the calls to each of the three vendors (RecoveryConnect, Inspektlabs, PAVE) answer 429, 503,
 * 500, answer only after the client's timeout, or drop the connection (seeded); every photo is still delivered exactly
 * once, every damage report stored, every PAVE verdict and approved photo recorded once.
 */
class FaultsIT {

    /** The share of vendor calls that fail. */
    private static final double PROBABILITY = 0.2;
    /** Seeds of the three sandboxes' fault sequences; -Dfaults.seed=n replaces the base (n, n+1, n+2). */
    private static final long BASE_SEED = Long.getLong("faults.seed", 20_250_611L);
    private static final long RC_SEED = BASE_SEED;
    private static final long INSPEKTLABS_SEED = BASE_SEED + 1;
    private static final long PAVE_SEED = BASE_SEED + 2;
    /** Every vendor call gives up after this long (requests and uploads alike)... */
    private static final Duration CLIENT_TIMEOUT = Duration.ofSeconds(2);
    /** ...and the slow fault answers only after this long (the sandbox then handles the request normally). */
    private static final Duration SLOW = CLIENT_TIMEOUT.plusMillis(1000);

    /** The workload arrives in waves this far apart. */
    private static final Duration TICK = Duration.ofMillis(1000);

    private static final long[] ORDERS = {57076501L, 57076502L, 57076503L, 57076504L, 57076505L};
    private static final String[] TYPE_FOLDERS = {"", "key/", "general/", "front/", "vin/", "odometer/"};
    private static final long PAVE_ORDER = 57076503L;
    /** PAVE photo codes first rejected (then retaken and approved) in each session. */
    private static final Set<Integer> RETAKEN = Set.of(2, 4, 9);
    private static final Path[] EXIF_JPEGS = {Path.of("src/test/resources/media/key-exif.jpg"),
            Path.of("src/test/resources/media/offset-exif.jpg")};

    @TempDir
    Path home;

    private RunningPhotoBridge app;
    private final ObjectMapper json = new ObjectMapper();

    @AfterEach
    void stop() {
        if (app != null) {
            app.close();
        }
    }

    @Test
    void twentyPercentVendorFaultsLoseNothingDuplicateNothingAndEveryReportIsStored() throws Exception {
        SuiteSize size = SuiteSize.current();
        int photos = size.pick(40, 300);
        int paveSessions = size.pick(2, 4);
        int ticks = size.pick(15, 40);
        Duration bound = Duration.ofSeconds(size.pick(100, 900));
        String timeout = Long.toString(CLIENT_TIMEOUT.toMillis());
        Map<String, String> settings = new LinkedHashMap<>();
        settings.put("photobridge.recoveryconnect.request-timeout-ms", timeout);
        settings.put("photobridge.recoveryconnect.upload-timeout-ms", timeout);
        settings.put("photobridge.inspektlabs.request-timeout-ms", timeout);
        settings.put("photobridge.inspektlabs.upload-timeout-ms", timeout);
        settings.put("photobridge.pave.request-timeout-ms", timeout);
        // the sandbox finishes a slow upload 1 s after the client gave up: PhotoBridge looks for it after 2 s, not at once
        settings.put("photobridge.recoveryconnect.unknown-outcome-delay-ms", Long.toString(2 * SLOW.minus(CLIENT_TIMEOUT).toMillis()));
        // small damage batches: more Inspektlabs calls, so that its faults are met as often as the others'
        settings.put("photobridge.inspektlabs.max-images-per-batch", "5");
        // an upload answered past the timeout was accepted: its report comes 0.3 s later, well within this wait
        settings.put("photobridge.inspektlabs.lost-answer-wait-ms", "10000");
        // the relay's own timer polls the linked sessions while the faults are on
        settings.put("photobridge.pave.poll-ms", "500");
        app = RunningPhotoBridge.start(home, settings);

        // Setup before the faults: PAVE sessions created and linked to an order through the API, as a user does.
        List<String> sessions = new ArrayList<>();
        for (int s = 0; s < paveSessions; s++) {
            String key = app.pave().createSession();
            HttpResponse<String> linked = post("/api/orders/" + PAVE_ORDER + "/pave-sessions", "{\"session_key\":\"" + key + "\"}");
            assertThat(linked.statusCode()).as("link of PAVE session %s: %s", key, linked.body()).isEqualTo(201);
            sessions.add(key);
        }

        // The workload, written outside the inbox: N distinct EXIF JPEGs spread over the sandbox's orders and type folders.
        Path staging = home.resolve("staging");
        Map<String, String> inboxFiles = new TreeMap<>();
        for (int i = 0; i < photos; i++) {
            long order = ORDERS[i % ORDERS.length];
            String relative = order + "/" + TYPE_FOLDERS[(i / ORDERS.length) % TYPE_FOLDERS.length] + String.format("IMG_%05d.jpg", i);
            byte[] jpeg = uniqueExifJpeg(EXIF_JPEGS[i % EXIF_JPEGS.length], "faults-it inbox photo " + i);
            Path file = staging.resolve(relative);
            Files.createDirectories(file.getParent());
            Files.write(file, jpeg);
            inboxFiles.put(relative, sha256(jpeg));
        }
        assertThat(Set.copyOf(inboxFiles.values())).as("every inbox photo has its own bytes").hasSize(photos);

        List<FaultInjector> injectors = List.of(app.sandbox().faults(), app.inspektlabs().faults(), app.pave().faults());
        List<String> vendors = List.of("RecoveryConnect", "Inspektlabs", "PAVE");
        List<Long> seeds = List.of(RC_SEED, INSPEKTLABS_SEED, PAVE_SEED);
        List<Fault> mix = faultMix();
        System.out.printf("FaultsIT (%s): %d inbox photos and %d PAVE session(s) arriving over %d s; faults on every path of all three vendors with"
                        + " probability %.2f, seeds RecoveryConnect %d, Inspektlabs %d, PAVE %d; client timeout %d ms, slow answer %d ms%n",
                size, photos, paveSessions, ticks * TICK.toSeconds(), PROBABILITY, RC_SEED, INSPEKTLABS_SEED, PAVE_SEED, CLIENT_TIMEOUT.toMillis(),
                SLOW.toMillis());
        for (int v = 0; v < injectors.size(); v++) {
            injectors.get(v).randomly(PROBABILITY, seeds.get(v), null, mix);
        }
        long started = System.nanoTime();

        // Faults on. The work arrives over a while, so that it meets the faults all along: a wave of camera files moved into
        // the inbox every tick, and the drivers' PAVE captures (a rejected shot before its approved retake) in between.
        List<PaveShot> shots = new ArrayList<>();
        for (String key : sessions) {
            for (int code = 1; code <= 13; code++) {
                if (RETAKEN.contains(code)) {
                    shots.add(new PaveShot(key, code, false));
                }
                shots.add(new PaveShot(key, code, true));
            }
        }
        List<String> relativePaths = new ArrayList<>(inboxFiles.keySet());
        Map<String, String> approvedPave = new TreeMap<>();
        int rejectedPave = 0;
        for (int tick = 0; tick < ticks; tick++) {
            for (int i = 0; i < relativePaths.size(); i++) {
                if (i % ticks == tick) {
                    Path target = app.inbox().resolve(relativePaths.get(i));
                    Files.createDirectories(target.getParent());
                    Files.move(staging.resolve(relativePaths.get(i)), target, StandardCopyOption.ATOMIC_MOVE);
                }
            }
            for (int j = 0; j < shots.size(); j++) {
                if ((long) j * ticks / shots.size() == tick) {
                    PaveShot shot = shots.get(j);
                    byte[] jpeg = uniqueExifJpeg(EXIF_JPEGS[shot.code() % 2], "faults-it pave " + shot);
                    app.pave().capture(shot.session(), shot.code(), shot.approved(), shot.approved() ? null : "Wrong View", jpeg);
                    if (shot.approved()) {
                        approvedPave.put(shot.session() + "/" + shot.code(), sha256(jpeg));
                    } else {
                        rejectedPave++;
                    }
                }
            }
            Thread.sleep(TICK.toMillis());
        }
        for (String key : sessions) {
            app.pave().status(key, "COMPLETE");
        }
        int paveCaptures = shots.size();

        await().atMost(bound).pollInterval(Duration.ofSeconds(1))
                .untilAsserted(() -> assertThat(snapshot(sessions)).matches(s -> s.settled(photos), "settled"));
        double elapsed = (System.nanoTime() - started) / 1e9;
        // a slow answer may still be handled by a sandbox after the client gave up: let the last of them land before counting
        await().atMost(bound).until(() -> injectors.stream().allMatch(i -> i.slowInFlight() == 0));
        List<Integer> injected = injectors.stream().map(FaultInjector::injected).toList();
        for (FaultInjector injector : injectors) {
            injector.clear();
        }

        // --- RecoveryConnect: every photo exactly once, by content
        List<StoredPhoto> stored = new ArrayList<>();
        for (long order : ORDERS) {
            stored.addAll(app.sandbox().photos(order));
        }
        Map<String, Long> copies = stored.stream().collect(Collectors.groupingBy(StoredPhoto::sha256, Collectors.counting()));
        List<String> expected = new ArrayList<>(inboxFiles.values());
        expected.addAll(approvedPave.values());
        long lost = expected.stream().filter(sha -> !copies.containsKey(sha)).count();
        long duplicates = copies.values().stream().mapToLong(n -> n - 1).sum();
        long unexpected = copies.keySet().stream().filter(sha -> !expected.contains(sha)).count();

        List<PhotoRecord> rows = new ArrayList<>();
        for (long order : ORDERS) {
            rows.addAll(app.ledger().photos(order));
        }
        Map<Integer, Long> attempts = rows.stream().collect(Collectors.groupingBy(PhotoRecord::attempts, TreeMap::new,
                Collectors.counting()));
        int budget = 1 + Integer.parseInt(app.context().resolvePropertyPlaceholders("{{photobridge.retry.max-redeliveries}}"));

        // --- damage analysis: every job reported, every photo in exactly one reported job
        List<DamageJob> jobs = new ArrayList<>();
        for (long order : ORDERS) {
            jobs.addAll(app.damage().jobs(order));
        }
        List<DamageReport> reports = app.damage().reports();
        Map<Long, Long> reportsPerJob = reports.stream().filter(r -> r.jobId() != null)
                .collect(Collectors.groupingBy(DamageReport::jobId, Collectors.counting()));
        long unmatchedReports = reports.stream().filter(r -> r.jobId() == null).count();
        long reportedJobs = jobs.stream().filter(j -> j.state() == DamageJobState.REPORTED).count();
        List<String> acceptedUploads = app.inspektlabs().uploads().stream().map(InspektlabsUpload::session).toList();
        double analysesPerBatch = (double) acceptedUploads.size() / jobs.size();
        Set<String> reportedInspections = reports.stream().map(DamageReport::inspectionId).collect(Collectors.toSet());

        // --- PAVE
        List<PaveCapture> captures = app.paveRecords().capturesOf(PAVE_ORDER);
        List<PhotoEvent> paveTimeline = app.ledger().timeline(PAVE_ORDER);
        long relayed = captures.stream().filter(c -> PaveCapture.RELAYED.equals(c.relayState())).count();

        String result = String.format("| | |%n|---|---|%n"
                        + "| seeds (RecoveryConnect, Inspektlabs, PAVE) | %d, %d, %d |%n"
                        + "| fault probability per vendor call | %.2f (429 Retry-After 1 s, 503, 500, slow %d ms past a %d ms client timeout, dropped connection) |%n"
                        + "| faults injected: RecoveryConnect | %d (%s) |%n"
                        + "| faults injected: Inspektlabs | %d (%s) |%n"
                        + "| faults injected: PAVE | %d (%s) |%n"
                        + "| photos dropped + PAVE photos approved | %d + %d |%n"
                        + "| photos in RecoveryConnect (distinct / stored) | %d / %d |%n"
                        + "| lost / duplicates / unexpected | %d / %d / %d |%n"
                        + "| RecoveryConnect create requests handled (past the faults) | %d |%n"
                        + "| upload attempts per photo (attempts: photos; at most %d) | %s |%n"
                        + "| damage jobs / reported / reports stored for them | %d / %d / %d |%n"
                        + "| uploads Inspektlabs accepted / their reports stored | %d / %d |%n"
                        + "| analyses per batch (accepted uploads / damage jobs; goal 1.00) | %.2f |%n"
                        + "| reports not linked to a job | %d |%n"
                        + "| PAVE verdicts recorded (approved + rejected) / approved photos relayed | %d (%d + %d) / %d |%n"
                        + "| work arriving over / elapsed until all settled | %d s / %.1f s |%n",
                RC_SEED, INSPEKTLABS_SEED, PAVE_SEED, PROBABILITY, SLOW.toMillis(), CLIENT_TIMEOUT.toMillis(),
                injected.get(0), kinds(RC_SEED, injected.get(0), mix), injected.get(1), kinds(INSPEKTLABS_SEED, injected.get(1), mix),
                injected.get(2), kinds(PAVE_SEED, injected.get(2), mix),
                photos, approvedPave.size(), copies.size(), stored.size(), lost, duplicates, unexpected,
                app.sandbox().createRequests(), budget, attempts, jobs.size(), reportedJobs, reportsPerJob.values().stream().mapToLong(Long::longValue).sum(),
                acceptedUploads.size(), acceptedUploads.stream().filter(reportedInspections::contains).count(),
                analysesPerBatch, unmatchedReports, captures.size(), approvedPave.size(), rejectedPave, relayed, ticks * TICK.toSeconds(), elapsed);
        System.out.println("FaultsIT results (" + size + "):\n" + result);
        size.writeResult("faults", result);

        // faults really happened, on each vendor, and the whole mix was exercised
        for (int v = 0; v < vendors.size(); v++) {
            assertThat(injected.get(v)).as("faults injected into %s", vendors.get(v)).isPositive();
        }
        Map<String, Integer> allKinds = new TreeMap<>();
        for (int v = 0; v < vendors.size(); v++) {
            kinds(seeds.get(v), injected.get(v), mix).forEach((k, n) -> allKinds.merge(k, n, Integer::sum));
        }
        assertThat(allKinds.keySet()).as("fault kinds injected").containsExactlyInAnyOrderElementsOf(
                mix.stream().map(FaultsIT::kind).toList());

        // every photo in RecoveryConnect exactly once
        assertThat(lost).as("photos lost").isZero();
        assertThat(duplicates).as("duplicate photos in RecoveryConnect: %s", copies.entrySet().stream()
                .filter(e -> e.getValue() > 1).map(Map.Entry::getKey).toList()).isZero();
        assertThat(unexpected).as("photos in RecoveryConnect nobody sent").isZero();

        // every inbox file ended in .done/, none in .error/, nothing left behind
        assertThat(filesUnder(app.inbox().resolve(".error"))).as("files in .error/").isEmpty();
        assertThat(filesUnder(app.inbox().resolve(".done"))).containsExactlyInAnyOrderElementsOf(inboxFiles.keySet());
        assertThat(filesUnder(app.inbox()).stream().filter(p -> !p.startsWith(".")).toList()).as("files left in the inbox").isEmpty();

        // the ledger agrees: each photo UPLOADED once, with the attachment RecoveryConnect holds
        Map<String, StoredPhoto> bySha = stored.stream().collect(Collectors.toMap(StoredPhoto::sha256, Function.identity(), (a, b) -> a));
        assertThat(rows).hasSize(expected.size());
        assertThat(rows).allSatisfy(row -> {
            assertThat(row.state()).as("ledger state of %s", row.originalName()).isEqualTo(PhotoState.UPLOADED);
            assertThat(row.pictureTimeFrom()).as("picture time of %s", row.originalName())
                    .isEqualTo(row.sourceUri().startsWith("pave://") ? "CAPTURE" : "EXIF");
            assertThat(row.rcAttachmentId()).as("attachment of %s", row.originalName()).isEqualTo(bySha.get(row.sha256()).id());
        });

        // every damage job reported, its report stored once, and every photo analysed in exactly one reported job
        assertThat(jobs).as("damage jobs").isNotEmpty().allSatisfy(j -> {
            assertThat(j.state()).as("damage job %d (%s)", j.id(), j.lastError()).isEqualTo(DamageJobState.REPORTED);
            assertThat(reportsPerJob.get(j.id())).as("reports of damage job %d", j.id()).isEqualTo(1L);
        });
        // every upload Inspektlabs accepted, even one the client timed out on, had its report stored, linked to its job
        assertThat(reportedInspections).as("reports stored").containsAll(acceptedUploads);
        assertThat(unmatchedReports).as("reports not linked to a job").isZero();
        assertThat(acceptedUploads).as("analyses: one per damage job").hasSameSizeAs(jobs);
        Map<Long, Long> jobsPerPhoto = jobs.stream().flatMap(j -> app.damage().includedPhotos(j.id()).stream())
                .collect(Collectors.groupingBy(id -> id, Collectors.counting()));
        assertThat(rows).allSatisfy(row -> assertThat(jobsPerPhoto.get(row.id()))
                .as("damage jobs of %s", row.originalName()).isEqualTo(1L));
        // ...and the order records API shows them, as a user reads them
        for (long order : ORDERS) {
            JsonNode record = records(order);
            List<DamageJob> orderJobs = jobs.stream().filter(j -> j.orderId() == order).toList();
            assertThat(record.path("damageJobs")).hasSize(orderJobs.size());
            assertThat(record.path("damageJobs")).allSatisfy(j -> assertThat(j.path("state").asText()).isEqualTo("REPORTED"));
            assertThat(record.path("damageReports")).hasSize(orderJobs.size());
            assertThat(record.path("photos")).hasSize((int) rows.stream().filter(r -> r.orderId() == order).count());
        }

        // PAVE: every verdict recorded once, every approved photo relayed once, the sessions done
        assertThat(captures).hasSize(paveCaptures);
        assertThat(captures).filteredOn(c -> !c.approved()).hasSize(rejectedPave).allSatisfy(c -> {
            assertThat(c.approvedMessage()).isEqualTo("REJECTED: Wrong View");
            assertThat(c.relayState()).isEqualTo(PaveCapture.NOT_APPROVED);
        });
        assertThat(captures).filteredOn(PaveCapture::approved).hasSize(approvedPave.size())
                .allSatisfy(c -> assertThat(c.relayState()).isEqualTo(PaveCapture.RELAYED));
        assertThat(paveTimeline).filteredOn(e -> e.kind().equals("PAVE_ACCEPTED")).hasSize(approvedPave.size());
        assertThat(paveTimeline).filteredOn(e -> e.kind().equals("PAVE_REJECTED")).hasSize(rejectedPave);
        for (String key : sessions) {
            PaveRecords.Session session = app.paveRecords().session(key).orElseThrow();
            assertThat(session.active()).as("session %s still polled (%s)", key, session.lastError()).isFalse();
            assertThat(session.status()).isEqualTo("COMPLETE");
        }
    }

    /**
     * 20% of Inspektlabs' upload answers are lost after the upload was accepted (the sandbox stores it, then closes the
     * connection): every batch is still analysed exactly once, and every report is linked to its job.
     */
    @Test
    void lostUploadAnswersCostNoSecondAnalysis() throws Exception {
        SuiteSize size = SuiteSize.current();
        int photos = size.pick(60, 300);
        Map<String, String> settings = new LinkedHashMap<>();
        // batches of 3: many uploads, so that the lost answers are many too
        settings.put("photobridge.inspektlabs.max-images-per-batch", "3");
        // the sandbox's report comes 0.3 s after it accepted an upload: well within this wait
        settings.put("photobridge.inspektlabs.lost-answer-wait-ms", "30000");
        app = RunningPhotoBridge.start(home, settings);
        long seed = INSPEKTLABS_SEED;
        app.inspektlabs().faults().randomly(PROBABILITY, seed, "/api/upload", List.of(new LostAnswer()));

        Path staging = home.resolve("staging");
        for (int i = 0; i < photos; i++) {
            long order = ORDERS[i % ORDERS.length];
            Path file = staging.resolve(order + "/" + String.format("IMG_%05d.jpg", i));
            Files.createDirectories(file.getParent());
            Files.write(file, uniqueExifJpeg(EXIF_JPEGS[i % EXIF_JPEGS.length], "faults-it lost answer " + i));
        }
        long started = System.nanoTime();
        for (long order : ORDERS) {
            Files.createDirectories(app.inbox());
            Files.move(staging.resolve(Long.toString(order)), app.inbox().resolve(Long.toString(order)), StandardCopyOption.ATOMIC_MOVE);
        }

        Duration bound = Duration.ofSeconds(size.pick(120, 600));
        await().atMost(bound).pollInterval(Duration.ofMillis(500)).until(() -> {
            List<DamageJob> jobs = new ArrayList<>();
            long batched = 0;
            for (long order : ORDERS) {
                jobs.addAll(app.damage().jobs(order));
            }
            for (DamageJob job : jobs) {
                batched += app.damage().includedPhotos(job.id()).size();
            }
            return batched == photos && jobs.stream().allMatch(j -> j.state() == DamageJobState.REPORTED);
        });
        double elapsed = (System.nanoTime() - started) / 1e9;
        int lostAnswers = app.inspektlabs().faults().injected();
        app.inspektlabs().faults().clear();

        List<DamageJob> jobs = new ArrayList<>();
        for (long order : ORDERS) {
            jobs.addAll(app.damage().jobs(order));
        }
        List<InspektlabsUpload> accepted = app.inspektlabs().uploads();
        List<DamageReport> reports = app.damage().reports();
        long unmatched = reports.stream().filter(r -> r.jobId() == null).count();
        Map<Long, Long> reportsPerJob = reports.stream().filter(r -> r.jobId() != null)
                .collect(Collectors.groupingBy(DamageReport::jobId, Collectors.counting()));
        double analysesPerBatch = (double) accepted.size() / jobs.size();
        long waited = app.ledger().timeline(ORDERS[0]).stream().filter(e -> e.kind().equals("DAMAGE_ANSWER_LOST")).count();
        for (int o = 1; o < ORDERS.length; o++) {
            waited += app.ledger().timeline(ORDERS[o]).stream().filter(e -> e.kind().equals("DAMAGE_ANSWER_LOST")).count();
        }

        String result = String.format("| | |%n|---|---|%n"
                        + "| seed (Inspektlabs uploads) | %d |%n"
                        + "| upload answers lost after acceptance | probability %.2f per upload: %d of %d answers lost; %d waits for a report |%n"
                        + "| photos / damage jobs (batches of at most 3) | %d / %d |%n"
                        + "| uploads Inspektlabs accepted (analyses) | %d |%n"
                        + "| **analyses per batch** (goal 1.00) | **%.2f** |%n"
                        + "| reports stored / linked to their job / unmatched | %d / %d / %d |%n"
                        + "| elapsed until every job was reported | %.1f s |%n",
                seed, PROBABILITY, lostAnswers, accepted.size(), waited, photos, jobs.size(), accepted.size(), analysesPerBatch, reports.size(),
                reports.size() - unmatched, unmatched, elapsed);
        System.out.println("FaultsIT lost answers (" + size + "):\n" + result);
        size.writeResult("faults-lost-answers", result);

        assertThat(lostAnswers).as("upload answers lost").isPositive();
        assertThat(waited).as("jobs that waited for the report of a lost answer").isEqualTo(lostAnswers);
        assertThat(accepted).as("analyses: exactly one per batch").hasSameSizeAs(jobs);
        assertThat(unmatched).as("reports not linked to a job").isZero();
        assertThat(jobs).allSatisfy(j -> assertThat(reportsPerJob.get(j.id())).as("reports of damage job %d", j.id()).isEqualTo(1L));
    }

    /** One PAVE capture a driver makes: its session, photo code and QA verdict. */
    private record PaveShot(String session, int code, boolean approved) {
    }

    /** 429 with a short Retry-After, 503, 500, an answer past the client timeout, a dropped connection. */
    private static List<Fault> faultMix() {
        return List.of(new Status(429, null, 1), new Status(503), new Status(500), new Slow(SLOW), new Drop());
    }

    private static String kind(Fault fault) {
        if (fault instanceof Status status) {
            return Integer.toString(status.code());
        }
        return fault instanceof Slow ? "slow" : fault instanceof LostAnswer ? "lost-answer" : "drop";
    }

    /**
     * The kinds of the first {@code injected} faults of a seeded random rule on every path: FaultInjector draws, per request,
     * nextDouble() against the probability and, on a hit, nextInt(mix size); the sequence of hits depends on the seed only.
     */
    static Map<String, Integer> kinds(long seed, int injected, List<Fault> mix) {
        Random random = new Random(seed);
        Map<String, Integer> kinds = new TreeMap<>();
        for (int hits = 0; hits < injected; ) {
            if (random.nextDouble() < PROBABILITY) {
                kinds.merge(kind(mix.get(random.nextInt(mix.size()))), 1, Integer::sum);
                hits++;
            }
        }
        return kinds;
    }

    /** Where the run stands: what is still in the inbox, damage jobs not done, PAVE captures not relayed. */
    private Snapshot snapshot(List<String> sessions) throws IOException {
        int done = filesUnder(app.inbox().resolve(".done")).size();
        int failed = (int) filesUnder(app.inbox().resolve(".error")).stream().filter(p -> !p.endsWith(".error.txt")).count();
        List<PhotoRecord> rows = new ArrayList<>();
        List<DamageJob> jobs = new ArrayList<>();
        for (long order : ORDERS) {
            rows.addAll(app.ledger().photos(order));
            jobs.addAll(app.damage().jobs(order));
        }
        long notUploaded = rows.stream().filter(r -> r.state() != PhotoState.UPLOADED).count();
        long openJobs = jobs.stream().filter(j -> j.state() == DamageJobState.PENDING || j.state() == DamageJobState.SUBMITTED).count();
        Set<Long> batched = jobs.stream().flatMap(j -> app.damage().includedPhotos(j.id()).stream()).collect(Collectors.toSet());
        long notBatched = rows.stream().filter(r -> !batched.contains(r.id())).count();
        long activeSessions = sessions.stream().filter(k -> app.paveRecords().session(k).map(PaveRecords.Session::active).orElse(true))
                .count();
        return new Snapshot(done, failed, rows.size(), notUploaded, jobs.size(), openJobs, notBatched, activeSessions);
    }

    private record Snapshot(int done, int failed, int ledgerRows, long notUploaded, int jobs, long openJobs, long notBatched,
                            long activeSessions) {
        boolean settled(int photos) {
            return done + failed >= photos && notUploaded == 0 && openJobs == 0 && notBatched == 0 && activeSessions == 0;
        }
    }

    private JsonNode records(long order) throws Exception {
        HttpResponse<String> answer = TestHttp.client().send(HttpRequest.newBuilder(
                        URI.create(app.httpBase() + "/api/orders/" + order + "/records"))
                .header("Authorization", "Bearer " + RunningPhotoBridge.API_TOKEN).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(answer.statusCode()).as("records of order %d", order).isEqualTo(200);
        return json.readTree(answer.body());
    }

    private HttpResponse<String> post(String path, String body) throws Exception {
        return TestHttp.client().send(HttpRequest.newBuilder(URI.create(app.httpBase() + path))
                .header("Content-Type", "application/json")
                .header("Authorization", "Bearer " + RunningPhotoBridge.API_TOKEN)
                .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
    }

    /** The fixture JPEG (with its EXIF) with a JPEG comment segment after its APPn segments: the same picture, other bytes. */
    static byte[] uniqueExifJpeg(Path fixture, String comment) throws IOException {
        byte[] jpeg = Files.readAllBytes(fixture);
        if ((jpeg[0] & 0xFF) != 0xFF || (jpeg[1] & 0xFF) != 0xD8) {
            throw new IllegalArgumentException(fixture + " is not a JPEG");
        }
        int at = 2;
        while ((jpeg[at] & 0xFF) == 0xFF && (jpeg[at + 1] & 0xFF) >= 0xE0 && (jpeg[at + 1] & 0xFF) <= 0xEF) {
            at += 2 + ((jpeg[at + 2] & 0xFF) << 8 | (jpeg[at + 3] & 0xFF));
        }
        byte[] text = comment.getBytes(StandardCharsets.US_ASCII);
        ByteArrayOutputStream out = new ByteArrayOutputStream(jpeg.length + text.length + 4);
        out.write(jpeg, 0, at);
        out.write(0xFF);
        out.write(0xFE);
        out.write((text.length + 2) >> 8);
        out.write((text.length + 2) & 0xFF);
        out.write(text);
        out.write(jpeg, at, jpeg.length - at);
        return out.toByteArray();
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

    private static String sha256(byte[] bytes) throws Exception {
        return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
    }
}
