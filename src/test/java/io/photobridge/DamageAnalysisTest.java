package io.photobridge;

import java.awt.Color;
import java.awt.Graphics2D;
import java.awt.image.BufferedImage;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import javax.imageio.ImageIO;

import io.photobridge.records.DamageJob;
import io.photobridge.records.DamageJobState;
import io.photobridge.records.DamageReport;
import io.photobridge.records.PhotoState;
import io.photobridge.sandbox.FaultInjector;
import io.photobridge.sandbox.InspektlabsUpload;
import org.apache.camel.processor.aggregate.AggregateProcessor;
import org.apache.camel.processor.aggregate.jdbc.JdbcAggregationRepository;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** Media dropped in the inbox reach Inspektlabs in batches and their damage reports come back into the order records. */
class DamageAnalysisTest {

    private static final long ORDER = 57076503L;
    private static final Duration WAIT = Duration.ofSeconds(60);

    @TempDir
    Path home;

    private RunningPhotoBridge app;

    @AfterEach
    void stop() {
        if (app != null) {
            app.close();
        }
    }

    /** Writes n distinct small JPEGs into a staging folder, then moves the folder into the inbox in one go. */
    private void dumpImages(long order, int n, String prefix) throws Exception {
        Path staging = Files.createDirectories(home.resolve("staging-" + prefix));
        for (int i = 0; i < n; i++) {
            Files.write(staging.resolve(prefix + "-" + i + ".jpg"), jpeg(i, prefix));
        }
        Path target = app.inbox().resolve(Long.toString(order));
        Files.createDirectories(app.inbox());
        if (Files.exists(target)) {
            try (var files = Files.list(staging)) {
                for (Path f : (Iterable<Path>) files::iterator) {
                    Files.move(f, target.resolve(f.getFileName()));
                }
            }
        } else {
            Files.move(staging, target);
        }
    }

    /** A small JPEG, distinct per number and prefix. */
    private static byte[] jpeg(int i, String prefix) throws Exception {
        BufferedImage image = new BufferedImage(24, 24, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = image.createGraphics();
        g.setColor(new Color((i * 37 + prefix.hashCode()) & 0xFFFFFF));
        g.fillRect(0, 0, 24, 24);
        g.setColor(Color.WHITE);
        g.drawString(Integer.toString(i), 2, 14);
        g.dispose();
        java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
        ImageIO.write(image, "jpg", out);
        return out.toByteArray();
    }

    /**
     * Settings under which a batch closes only when it is full or when the test closes it ({@link #closeBatches}), never by a
     * quiet period that a busy machine could make expire between two photos of one dump.
     */
    private static Map<String, String> closedByTheTest(String... more) {
        Map<String, String> settings = new HashMap<>();
        settings.put("photobridge.inspektlabs.quiet-period-ms", "3600000");
        for (int i = 0; i < more.length; i += 2) {
            settings.put(more[i], more[i + 1]);
        }
        return settings;
    }

    /** Once all {@code photos} of the order are recorded and delivered (so batched), closes every open batch, as a quiet period would. */
    private void closeBatches(int photos) {
        await().atMost(WAIT).until(() -> app.ledger().photos(ORDER).size() == photos && app.ledger().photos(ORDER).stream()
                .allMatch(p -> p.state() == PhotoState.UPLOADED || p.state() == PhotoState.SKIPPED));
        // every photo queued for analysis is taken into a batch first (the damage-batches singleton reads the queue)
        await().atMost(WAIT).until(() -> app.damage().queued() == 0);
        app.context().getProcessor("damage-batches", AggregateProcessor.class).forceCompletionOfAllGroups();
    }

    /** True once no batch is left in the aggregation repository: every batch was sent or given up, none is to be tried again. */
    private boolean noBatchLeft() {
        JdbcAggregationRepository batches = app.context().getRegistry().lookupByNameAndType("damageBatches",
                JdbcAggregationRepository.class);
        return batches.getKeys().isEmpty() && batches.scan(app.context()).isEmpty();
    }

    @Test
    void oneHundredFiftyImagesAndAVideoGoAsThreeBatchesWithThreeSessionsAndThreeReports() throws Exception {
        app = RunningPhotoBridge.start(home, closedByTheTest());
        dumpImages(ORDER, 150, "img");
        Path video = app.inbox().resolve(ORDER + "/walkaround.mp4");
        Files.copy(Path.of("src/test/resources/media/clip.mp4"), video);
        closeBatches(151);

        await().atMost(WAIT).until(() -> app.damage().reports().size() == 3);
        assertThat(app.ledger().photos(ORDER)).hasSize(151).allSatisfy(p ->
                assertThat(p.state().name()).isIn("UPLOADED", "SKIPPED"));
        assertThat(app.sandbox().photos(ORDER)).hasSize(150);
        List<InspektlabsUpload> uploads = app.inspektlabs().uploads();
        assertThat(uploads).hasSize(3);
        assertThat(uploads).extracting(u -> u.files().size()).containsExactlyInAnyOrder(99, 51, 1);
        assertThat(uploads).extracting(InspektlabsUpload::session).doesNotHaveDuplicates();
        assertThat(uploads).allSatisfy(u -> {
            assertThat(u.caseId()).isEqualTo(Long.toString(ORDER));
            assertThat(u.callbackUrl()).startsWith(app.httpBase() + "/webhooks/inspektlabs/");
        });
        assertThat(uploads).filteredOn(u -> u.files().size() == 1).singleElement()
                .satisfies(u -> assertThat(u.files().get(0).name()).isEqualTo("walkaround.mp4"));

        List<DamageJob> jobs = app.damage().jobs(ORDER);
        assertThat(jobs).hasSize(3).allSatisfy(j -> assertThat(j.state()).isEqualTo(DamageJobState.REPORTED));
        assertThat(jobs).extracting(DamageJob::mediaKind).containsExactlyInAnyOrder("IMAGE", "IMAGE", "VIDEO");
        assertThat(app.damage().reports()).allSatisfy(r -> {
            assertThat(r.jobId()).isNotNull();
            assertThat(r.status()).isEqualTo("Available");
            assertThat(r.vehicleReadings()).contains("odometerReading");
            assertThat(r.body()).contains("\"inspectionId\"");
        });
        // the order record, as a user reads it through the API
        HttpResponse<String> refused = TestHttp.client().send(HttpRequest.newBuilder(
                URI.create(app.httpBase() + "/api/orders/" + ORDER + "/records")).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(refused.statusCode()).isEqualTo(401);
        HttpResponse<String> record = TestHttp.client().send(HttpRequest.newBuilder(
                        URI.create(app.httpBase() + "/api/orders/" + ORDER + "/records"))
                .header("Authorization", "Bearer " + RunningPhotoBridge.API_TOKEN).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(record.statusCode()).isEqualTo(200);
        assertThat(record.body()).contains("\"damageJobs\"").contains("\"REPORTED\"").contains("walkaround.mp4")
                .contains("\"vehicleReadings\"").contains("DAMAGE_REPORTED");
        // the staged copies are dropped once Inspektlabs holds the media
        await().atMost(WAIT).until(() -> {
            try (var stream = Files.walk(home.resolve("media"))) {
                return stream.noneMatch(Files::isRegularFile);
            }
        });
    }

    @Test
    void throttledThenUnavailableThenAcceptedKeepsTheBatchIntact() throws Exception {
        app = RunningPhotoBridge.start(home, closedByTheTest());
        app.inspektlabs().faults().failNext(1, "/api/upload", new FaultInjector.Status(429, "API call limit exceeded", 1));
        app.inspektlabs().faults().failNext(3, "/api/upload", new FaultInjector.Status(503, "ML servers are not available currently.", null));
        dumpImages(ORDER, 5, "retry");
        closeBatches(5);

        await().atMost(WAIT).until(() -> app.damage().reports().size() == 1);
        assertThat(app.inspektlabs().uploads()).singleElement().satisfies(u -> assertThat(u.files()).hasSize(5));
        assertThat(app.sandbox().photos(ORDER)).hasSize(5);
        assertThat(app.damage().jobs(ORDER)).singleElement().satisfies(j -> {
            assertThat(j.state()).isEqualTo(DamageJobState.REPORTED);
            assertThat(j.attempts()).isEqualTo(5);
        });
    }

    @Test
    void usedSessionIsRenewedAndTheBatchResentOnce() throws Exception {
        app = RunningPhotoBridge.start(home, closedByTheTest());
        app.inspektlabs().faults().failNext(1, "/api/upload", new FaultInjector.Status(400, "please generate new token and session", null));
        dumpImages(ORDER, 3, "session");
        closeBatches(3);

        await().atMost(WAIT).until(() -> app.damage().reports().size() == 1);
        assertThat(app.inspektlabs().uploads()).hasSize(1);
        assertThat(app.inspektlabs().authRequests()).isEqualTo(2);
    }

    @Test
    void restartWhileABatchIsCollectingSendsItOnceAfterTheRestart() throws Exception {
        app = RunningPhotoBridge.start(home, closedByTheTest());
        dumpImages(ORDER, 4, "restart");
        await().atMost(WAIT).until(() -> app.ledger().photos(ORDER).size() == 4
                && app.ledger().photos(ORDER).stream().allMatch(p -> p.state().name().equals("UPLOADED")));
        assertThat(app.inspektlabs().uploads()).isEmpty();
        app.close();

        // after the restart the order's batch, kept in the repository, is still open until its quiet period (here: the test)
        app = RunningPhotoBridge.start(home, closedByTheTest());
        assertThat(app.inspektlabs().uploads()).isEmpty();
        closeBatches(4);
        await().atMost(WAIT).until(() -> app.damage().reports().size() == 1);
        assertThat(app.inspektlabs().uploads()).singleElement().satisfies(u -> assertThat(u.files()).hasSize(4));
        assertThat(app.damage().jobs(ORDER)).singleElement().satisfies(j -> assertThat(j.state()).isEqualTo(DamageJobState.REPORTED));
    }

    @Test
    void aPhotoRecordedByARunThatDiedBeforeQueueingItIsAnalysedWhenItsFileIsIngestedAgainAndOnlyOnce() throws Exception {
        app = RunningPhotoBridge.start(home, closedByTheTest());
        byte[] bytes = jpeg(0, "crashed");
        Path crashed = app.inbox().resolve(ORDER + "/crashed-0.jpg");
        // what a run killed between the record step and the damage queue leaves: the photo recorded, never queued
        String sha = java.util.HexFormat.of().formatHex(java.security.MessageDigest.getInstance("SHA-256").digest(bytes));
        long recorded = app.ledger().admit(new io.photobridge.records.NewPhotoRecord(ORDER, sha, crashed.toUri().toString(),
                "crashed-0.jpg", "IMAGE", "image/jpeg", bytes.length, null, null, null, null, null)).record().id();
        assertThat(app.damage().queuedBefore(recorded)).isFalse();

        // the file, still in the inbox after the crash, is ingested again (here: by this run)
        Files.createDirectories(app.inbox().resolve(Long.toString(ORDER)));
        Files.write(app.inbox().resolve(ORDER + "/crashed-0.jpg"), bytes);
        closeBatches(1);
        await().atMost(WAIT).until(() -> app.damage().reports().size() == 1);
        assertThat(app.damage().queuedBefore(recorded)).isTrue();
        assertThat(app.inspektlabs().uploads()).singleElement().satisfies(u -> assertThat(u.files()).singleElement()
                .satisfies(f -> assertThat(f.sha256()).isEqualTo(sha)));

        // the same bytes dropped once more: recorded as seen again, not queued a second time
        Files.write(app.inbox().resolve(ORDER + "/crashed-0-again.jpg"), bytes);
        await().atMost(WAIT).until(() -> app.ledger().timeline(ORDER).stream().anyMatch(e -> e.kind().equals("SEEN_AGAIN")
                && e.detail().contains("crashed-0-again.jpg")));
        await().atMost(WAIT).until(() -> !Files.exists(app.inbox().resolve(ORDER + "/crashed-0-again.jpg")));
        // queued a second time, it would now be in the queue or a batch: closed, that batch would be a second job
        await().atMost(WAIT).until(() -> app.damage().queued() == 0);
        app.context().getProcessor("damage-batches", AggregateProcessor.class).forceCompletionOfAllGroups();
        await().atMost(WAIT).until(this::noBatchLeft);
        assertThat(app.damage().jobs(ORDER)).hasSize(1);
        assertThat(app.inspektlabs().uploads()).hasSize(1);
    }

    @Test
    void aPhotoThatCouldNotBeQueuedSaysWhyInItsTimelineIsStillDeliveredAndIsQueuedWhenDroppedAgain() throws Exception {
        // the media folder cannot be made: a file is in its place
        Path blocked = Files.writeString(home.resolve("media-blocked"), "not a folder");
        app = RunningPhotoBridge.start(home, closedByTheTest("photobridge.inspektlabs.media-dir", blocked.toString()));
        byte[] bytes = jpeg(0, "blocked");
        Files.createDirectories(app.inbox().resolve(Long.toString(ORDER)));
        Files.write(app.inbox().resolve(ORDER + "/blocked-0.jpg"), bytes);
        await().atMost(WAIT).until(() -> app.ledger().photos(ORDER).size() == 1
                && app.ledger().photos(ORDER).get(0).state() == PhotoState.UPLOADED);
        long photo = app.ledger().photos(ORDER).get(0).id();
        assertThat(app.ledger().timeline(ORDER)).filteredOn(e -> e.kind().equals("DAMAGE_NOT_QUEUED")).singleElement()
                .satisfies(e -> {
                    assertThat(e.photoId()).isEqualTo(photo);
                    assertThat(e.detail()).contains("blocked-0.jpg", "media-blocked");
                });
        assertThat(app.damage().queuedBefore(photo)).isFalse();

        // the folder fixed, the same photo dropped again is queued and analysed once
        Files.delete(blocked);
        Files.createDirectories(blocked);
        Files.write(app.inbox().resolve(ORDER + "/blocked-0-again.jpg"), bytes);
        await().atMost(WAIT).until(() -> app.damage().queuedBefore(photo));
        closeBatches(1);
        await().atMost(WAIT).until(() -> app.damage().reports().size() == 1);
        assertThat(app.inspektlabs().uploads()).singleElement().satisfies(u -> assertThat(u.files()).hasSize(1));
    }

    private HttpResponse<String> post(String path, String contentType, String body, String secretHeader) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(app.httpBase() + path))
                .header("Content-Type", contentType).POST(HttpRequest.BodyPublishers.ofString(body));
        if (secretHeader != null) {
            request.header("X-PhotoBridge-Webhook-Secret", secretHeader);
        }
        return TestHttp.client().send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void webhookStoresAReportOnceAndRefusesWrongSecretsAndBadBodies() throws Exception {
        app = RunningPhotoBridge.start(home);
        String report = "{\"status\":\"Available\",\"inspectionId\":\"in-unknown-1\",\"caseId\":\"57076503\","
                + "\"uploadStatus\":\"complete upload\",\"vehicleType\":\"Car\",\"vehicleReadings\":{\"odometerReading\":\"10234\"},"
                + "\"damages\":[]}";
        String secret = "sandbox-webhook-secret";

        assertThat(post("/webhooks/inspektlabs/wrong-secret", "application/json", report, null).statusCode()).isEqualTo(401);
        assertThat(post("/webhooks/inspektlabs", "application/json", report, null).statusCode()).isEqualTo(401);
        assertThat(post("/webhooks/inspektlabs/" + secret, "application/json", "{not json", null).statusCode()).isEqualTo(400);
        assertThat(post("/webhooks/inspektlabs/" + secret, "application/json", "{\"status\":\"Available\"}", null).statusCode())
                .isEqualTo(400);
        assertThat(post("/webhooks/inspektlabs/" + secret, "text/plain", report, null).statusCode()).isEqualTo(415);
        String huge = "{\"inspectionId\":\"in-huge\",\"pad\":\"" + "x".repeat(6 * 1024 * 1024) + "\"}";
        assertThat(post("/webhooks/inspektlabs/" + secret, "application/json", huge, null).statusCode()).isEqualTo(413);
        assertThat(app.damage().reports()).isEmpty();

        HttpResponse<String> first = post("/webhooks/inspektlabs/" + secret, "application/json", report, null);
        HttpResponse<String> again = post("/webhooks/inspektlabs", "application/json", report, secret);
        assertThat(first.statusCode()).isEqualTo(200);
        assertThat(first.body()).contains("stored-unmatched");
        // the secret never comes back in an answer (platform-http echoes request headers unless they are dropped)
        assertThat(first.headers().map().toString()).doesNotContain(secret);
        assertThat(again.headers().map().toString()).doesNotContain(secret);
        assertThat(again.statusCode()).isEqualTo(200);
        assertThat(again.body()).contains("duplicate");
        List<DamageReport> reports = app.damage().reports();
        assertThat(reports).singleElement().satisfies(r -> {
            assertThat(r.inspectionId()).isEqualTo("in-unknown-1");
            assertThat(r.jobId()).isNull();
            assertThat(r.vehicleReadings()).contains("10234");
        });
    }

    @Test
    void tooManyImagesSplitsTheBatchIntoTwoFreshSessions() throws Exception {
        app = RunningPhotoBridge.start(home, closedByTheTest());
        app.inspektlabs().faults().failNext(1, "/api/upload", new FaultInjector.Status(400, "Maximum 99 images upload possible", null));
        dumpImages(ORDER, 10, "split");
        closeBatches(10);

        await().atMost(WAIT).until(() -> app.damage().reports().size() == 2);
        assertThat(app.inspektlabs().uploads()).extracting(u -> u.files().size()).containsExactlyInAnyOrder(5, 5);
        List<DamageJob> jobs = app.damage().jobs(ORDER);
        assertThat(jobs).hasSize(3);
        assertThat(jobs.get(0).state()).isEqualTo(DamageJobState.FAILED);
        assertThat(jobs.get(0).lastError()).contains("Maximum 99 images upload possible").contains("split into jobs");
        assertThat(jobs.subList(1, 3)).allSatisfy(j -> assertThat(j.state()).isEqualTo(DamageJobState.REPORTED));
    }

    @Test
    void somethingWentWorngIsRetriedABoundedNumberOfTimesThenTheBatchFails() throws Exception {
        app = RunningPhotoBridge.start(home, closedByTheTest());
        app.inspektlabs().faults().failNext(20, "/api/upload", new FaultInjector.Status(404, "Something Went Worng", null));
        dumpImages(ORDER, 2, "worng");
        closeBatches(2);

        await().atMost(WAIT).until(() -> !app.damage().jobs(ORDER).isEmpty()
                && app.damage().jobs(ORDER).get(0).state() == DamageJobState.FAILED);
        DamageJob job = app.damage().jobs(ORDER).get(0);
        assertThat(job.attempts()).isEqualTo(4);
        assertThat(job.lastError()).contains("Something Went Worng");
        assertThat(app.inspektlabs().faults().injected()).isEqualTo(4);
        assertThat(app.inspektlabs().uploads()).isEmpty();
    }

    @Test
    void missingCallbackUrlIsAConfigurationErrorAndTheBatchIsKeptUntilItIsAccepted() throws Exception {
        app = RunningPhotoBridge.start(home, closedByTheTest());
        app.inspektlabs().faults().failNext(6, "/api/upload", new FaultInjector.Status(400, "please provide callback_url", null));
        dumpImages(ORDER, 3, "callback");
        closeBatches(3);

        await().atMost(WAIT).until(() -> app.damage().reports().size() == 1);
        assertThat(app.inspektlabs().faults().injected()).isEqualTo(6);
        assertThat(app.damage().jobs(ORDER)).singleElement().satisfies(j -> {
            assertThat(j.state()).isEqualTo(DamageJobState.REPORTED);
            assertThat(j.attempts()).isEqualTo(7);
        });
    }

    @Test
    void s3ObjectsGoInUrlModeAsPresignedLinksToTheirDeliveredCopies() throws Exception {
        try (InProcessS3 s3Server = InProcessS3.start(RunningPhotoBridge.freePort());
             software.amazon.awssdk.services.s3.S3Client s3 = s3Server.client()) {
            s3.createBucket(b -> b.bucket("links"));
            // both objects in one batch, whatever the time between them: the batch is complete at 2 images
            Map<String, String> settings = closedByTheTest("photobridge.inspektlabs.max-images-per-batch", "2");
            settings.putAll(s3Server.settings("links"));
            settings.put("photobridge.inspektlabs.mode.s3", "s3-url");
            app = RunningPhotoBridge.start(home, settings);
            byte[] a = Files.readAllBytes(Path.of("src/test/resources/media/key-exif.jpg"));
            byte[] b = Files.readAllBytes(Path.of("src/test/resources/media/offset-exif.jpg"));
            s3.putObject(r -> r.bucket("links").key("incoming/" + ORDER + "/a.jpg"), software.amazon.awssdk.core.sync.RequestBody.fromBytes(a));
            s3.putObject(r -> r.bucket("links").key("incoming/" + ORDER + "/b.jpg"), software.amazon.awssdk.core.sync.RequestBody.fromBytes(b));

            await().atMost(WAIT).until(() -> app.damage().reports().size() == 1);
            InspektlabsUpload upload = app.inspektlabs().uploads().get(0);
            assertThat(upload.mode()).isEqualTo("urls");
            assertThat(upload.urls()).hasSize(2).allSatisfy(u -> assertThat(u).contains("/links/done/incoming/").contains("X-Amz-Signature"));
            assertThat(upload.files()).extracting(InspektlabsUpload.UploadedFile::sha256)
                    .containsExactlyInAnyOrder(sha(a), sha(b));
        }
    }

    @Test
    void folderPhotosCanGoInUrlModeAsFreshRecoveryConnectLinks() throws Exception {
        app = RunningPhotoBridge.start(home, closedByTheTest("photobridge.inspektlabs.mode.folder", "recoveryconnect-url"));
        dumpImages(ORDER, 3, "rclink");
        closeBatches(3);

        await().atMost(WAIT).until(() -> app.damage().reports().size() == 1);
        InspektlabsUpload upload = app.inspektlabs().uploads().get(0);
        assertThat(upload.mode()).isEqualTo("urls");
        assertThat(upload.urls()).hasSize(3).allSatisfy(u -> assertThat(u).contains("/sandbox/files/").contains("X-Amz-Expires"));
        assertThat(upload.files()).extracting(InspektlabsUpload.UploadedFile::sha256)
                .containsExactlyInAnyOrderElementsOf(app.sandbox().photos(ORDER).stream().map(p -> p.sha256()).toList());
    }

    private static String sha(byte[] bytes) throws Exception {
        return java.util.HexFormat.of().formatHex(java.security.MessageDigest.getInstance("SHA-256").digest(bytes));
    }

    private HttpResponse<String> records() throws Exception {
        return TestHttp.client().send(HttpRequest.newBuilder(URI.create(app.httpBase() + "/api/orders/" + ORDER + "/records"))
                .header("Authorization", "Bearer " + RunningPhotoBridge.API_TOKEN).build(), HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void aLostUploadAnswerWhoseReportArrivesCostsExactlyOneAnalysis() throws Exception {
        app = RunningPhotoBridge.start(home, closedByTheTest("photobridge.inspektlabs.lost-answer-wait-ms", "3600000"));
        app.inspektlabs().faults().failNext(1, "/api/upload", new FaultInjector.LostAnswer());
        dumpImages(ORDER, 3, "lost");
        closeBatches(3);

        await().atMost(WAIT).until(() -> !app.damage().jobs(ORDER).isEmpty()
                && app.damage().jobs(ORDER).get(0).state() == DamageJobState.REPORTED);
        await().atMost(WAIT).until(this::noBatchLeft);
        String session = app.inspektlabs().uploads().get(0).session();
        assertThat(app.inspektlabs().uploads()).hasSize(1);
        assertThat(app.inspektlabs().authRequests()).isEqualTo(1);
        DamageJob job = app.damage().jobs(ORDER).get(0);
        assertThat(app.damage().jobs(ORDER)).hasSize(1);
        assertThat(job.session()).isEqualTo(session);
        assertThat(app.damage().sessions(job.id())).containsExactly(session);
        assertThat(app.damage().reports()).singleElement().satisfies(r -> assertThat(r.jobId()).isEqualTo(job.id()));
        assertThat(app.ledger().timeline(ORDER)).anySatisfy(e -> assertThat(e.kind()).isEqualTo("DAMAGE_ANSWER_LOST"));
        assertThat(records().body()).contains(session).contains("\"REPORTED\"");
    }

    @Test
    void aLostUploadAnswerWithNoReportWithinTheWaitIsSentAgainAndBothReportsAreLinkedToTheOrder() throws Exception {
        // the sandbox's reports come only when the test delivers them
        app = RunningPhotoBridge.start(home, closedByTheTest("photobridge.inspektlabs.lost-answer-wait-ms", "1000",
                "photobridge.sandbox.inspektlabs.callback-delay-ms", "3600000"));
        app.inspektlabs().faults().failNext(1, "/api/upload", new FaultInjector.LostAnswer());
        dumpImages(ORDER, 3, "resent");
        closeBatches(3);

        await().atMost(WAIT).until(() -> app.inspektlabs().uploads().size() == 2
                && app.damage().jobs(ORDER).get(0).state() == DamageJobState.SUBMITTED);
        InspektlabsUpload first = app.inspektlabs().uploads().get(0);
        InspektlabsUpload second = app.inspektlabs().uploads().get(1);
        assertThat(Duration.between(first.at(), second.at())).as("sent again only after the wait")
                .isGreaterThanOrEqualTo(Duration.ofSeconds(1));
        DamageJob job = app.damage().jobs(ORDER).get(0);
        assertThat(app.damage().jobs(ORDER)).hasSize(1);
        assertThat(app.damage().sessions(job.id())).containsExactly(first.session(), second.session());

        assertThat(app.inspektlabs().deliverNow(second.session())).isEqualTo(200);
        assertThat(app.inspektlabs().deliverNow(first.session())).isEqualTo(200);
        assertThat(app.damage().reports()).hasSize(2).allSatisfy(r -> assertThat(r.jobId()).isEqualTo(job.id()));
        assertThat(app.damage().jobs(ORDER)).singleElement().satisfies(j -> assertThat(j.state()).isEqualTo(DamageJobState.REPORTED));
        String record = records().body();
        assertThat(record).contains(first.session()).contains(second.session()).doesNotContain("UNMATCHED");
        assertThat(app.damage().reportsOf(ORDER)).hasSize(2);
        await().atMost(WAIT).until(this::noBatchLeft);
        assertThat(app.inspektlabs().uploads()).hasSize(2);
    }

    @Test
    void aLostUploadAnswerIsStillAwaitedAfterARestartAndItsReportIsLinked() throws Exception {
        Map<String, String> settings = closedByTheTest("photobridge.inspektlabs.lost-answer-wait-ms", "3600000",
                "photobridge.sandbox.inspektlabs.callback-delay-ms", "3600000");
        app = RunningPhotoBridge.start(home, settings);
        app.inspektlabs().faults().failNext(1, "/api/upload", new FaultInjector.LostAnswer());
        dumpImages(ORDER, 2, "restart-lost");
        closeBatches(2);
        await().atMost(WAIT).until(() -> !app.damage().jobs(ORDER).isEmpty()
                && app.damage().lostAnswer(app.damage().jobs(ORDER).get(0).id()).isPresent());
        String session = app.inspektlabs().uploads().get(0).session();
        app.close();

        app = RunningPhotoBridge.start(home, settings);
        // Inspektlabs' report of the accepted upload, posted to the restarted PhotoBridge
        HttpResponse<String> answer = post("/webhooks/inspektlabs/sandbox-webhook-secret", "application/json",
                app.inspektlabs().report(session).toString(), null);
        assertThat(answer.statusCode()).isEqualTo(200);
        assertThat(answer.body()).contains("\"stored\"");
        await().atMost(WAIT).until(this::noBatchLeft);
        assertThat(app.damage().jobs(ORDER)).singleElement().satisfies(j -> {
            assertThat(j.state()).isEqualTo(DamageJobState.REPORTED);
            assertThat(j.session()).isEqualTo(session);
        });
        assertThat(app.inspektlabs().uploads()).hasSize(1);
    }

    @Test
    void reportsForInspectionsPhotoBridgeNeverOpenedAreCappedInCountAndBytes() throws Exception {
        app = RunningPhotoBridge.start(home, Map.of("photobridge.inspektlabs.unmatched-max-count", "3",
                "photobridge.inspektlabs.unmatched-max-bytes", "1000"));
        String secret = "/webhooks/inspektlabs/sandbox-webhook-secret";

        assertThat(post(secret, "application/json", unknownReport("u1", 300), null).statusCode()).isEqualTo(200);
        assertThat(post(secret, "application/json", unknownReport("u2", 300), null).statusCode()).isEqualTo(200);
        HttpResponse<String> tooBig = post(secret, "application/json", unknownReport("u3", 600), null);
        assertThat(tooBig.statusCode()).isEqualTo(507);
        assertThat(tooBig.body()).contains("photobridge.inspektlabs.unmatched-max-bytes=1000");
        assertThat(post(secret, "application/json", unknownReport("u4", 100), null).statusCode()).isEqualTo(200);
        HttpResponse<String> tooMany = post(secret, "application/json", unknownReport("u5", 10), null);
        assertThat(tooMany.statusCode()).isEqualTo(507);
        assertThat(tooMany.body()).contains("photobridge.inspektlabs.unmatched-max-count=3");
        // a repeated delivery of a kept report is still a duplicate, not a refusal
        HttpResponse<String> again = post(secret, "application/json", unknownReport("u1", 300), null);
        assertThat(again.statusCode()).isEqualTo(200);
        assertThat(again.body()).contains("duplicate");

        assertThat(app.damage().reports()).extracting(DamageReport::inspectionId).containsExactly("u1", "u2", "u4");
        assertThat(app.damage().unmatched().count()).isEqualTo(3);
        HttpResponse<String> metrics = TestHttp.client().send(HttpRequest.newBuilder(
                URI.create(app.httpBase() + "/observe/metrics")).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(metrics.body()).containsPattern("photobridge_inspektlabs_unmatched_dropped_total\\{[^}]*} 2\\.0");
    }

    private static String unknownReport(String inspectionId, int bytes) {
        String head = "{\"status\":\"Available\",\"inspectionId\":\"" + inspectionId + "\",\"pad\":\"";
        return head + "x".repeat(Math.max(0, bytes - head.length() - 2)) + "\"}";
    }
}
