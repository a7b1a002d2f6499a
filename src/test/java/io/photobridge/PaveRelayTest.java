package io.photobridge;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.ZoneId;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

import io.photobridge.records.PaveCapture;
import io.photobridge.records.PaveRecords;
import io.photobridge.records.PhotoEvent;
import io.photobridge.records.PhotoRecord;
import io.photobridge.sandbox.StoredPhoto;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** PAVE QA verdicts into the order records and approved photos into RecoveryConnect, through the real Main and routes. */
class PaveRelayTest {

    private static final long ORDER = 57076503L;
    private static final Duration WAIT = Duration.ofSeconds(60);
    private static final Set<Integer> MAPPED_TYPES = Set.of(11, 13, 12, 9, 7, 15, 10, 8, 14, 3, 4, 6, 5);

    @TempDir
    Path home;

    private RunningPhotoBridge app;

    @AfterEach
    void stop() {
        if (app != null) {
            app.close();
        }
    }

    private HttpResponse<String> post(String path, String body, Map<String, String> headers) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(app.httpBase() + path))
                .POST(HttpRequest.BodyPublishers.ofString(body));
        if (!headers.containsKey("Content-Type")) {
            request.header("Content-Type", "application/json");
        }
        headers.forEach(request::header);
        return TestHttp.client().send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    private HttpResponse<String> link(long order, String sessionKey) throws Exception {
        return post("/api/orders/" + order + "/pave-sessions", "{\"session_key\":\"" + sessionKey + "\"}",
                Map.of("Authorization", "Bearer " + RunningPhotoBridge.API_TOKEN));
    }

    @Test
    void thirteenCodesWithTwoRetakesGiveTheirVerdictsAndThirteenPhotosOnceAcrossPollsAndARestart() throws Exception {
        app = RunningPhotoBridge.start(home);
        String key = app.pave().createSession();
        assertThat(link(ORDER, key).statusCode()).isEqualTo(201);
        for (int code = 1; code <= 13; code++) {
            if (code == 2 || code == 4) {
                app.pave().capture(key, code, false, "Wrong View", null);
            }
            app.pave().capture(key, code, true, null, null);
        }

        for (int poll = 0; poll < 3; poll++) {
            app.paveRelay().pollDue();
        }
        int uploadsBeforeRestart = app.sandbox().createRequests();
        app.close();
        app = RunningPhotoBridge.start(home);
        app.paveRelay().pollDue();
        app.paveRelay().pollDue();

        List<PaveCapture> captures = app.paveRecords().capturesOf(ORDER);
        assertThat(captures).hasSize(15);
        assertThat(captures).filteredOn(c -> !c.approved()).hasSize(2).allSatisfy(c -> {
            assertThat(c.photoCode()).isIn(2, 4);
            assertThat(c.approvedMessage()).isEqualTo("REJECTED: Wrong View");
            assertThat(c.relayState()).isEqualTo(PaveCapture.NOT_APPROVED);
        });
        assertThat(captures).filteredOn(PaveCapture::approved).hasSize(13)
                .allSatisfy(c -> assertThat(c.relayState()).isEqualTo(PaveCapture.RELAYED));
        List<StoredPhoto> photos = app.sandbox().photos(ORDER);
        assertThat(photos).hasSize(13);
        assertThat(photos.stream().map(StoredPhoto::typeId).collect(Collectors.toSet())).isEqualTo(MAPPED_TYPES);
        assertThat(uploadsBeforeRestart + app.sandbox().createRequests()).isEqualTo(13);
        assertThat(app.ledger().timeline(ORDER)).extracting(PhotoEvent::kind)
                .contains("PAVE_LINKED", "PAVE_REJECTED", "PAVE_ACCEPTED");
    }

    @Test
    void relayedPhotoGetsPavesCaptureTimeEvenWithAnExifDate() throws Exception {
        app = RunningPhotoBridge.start(home, Map.of("photobridge.ingest.zone", "Europe/Berlin"));
        String key = app.pave().createSession();
        link(ORDER, key);
        // the photo's EXIF says 2025-06-14 09:31:07; PAVE's capture time (now) is the driver's capture moment
        app.pave().capture(key, 1, true, null, Files.readAllBytes(Path.of("src/test/resources/media/key-exif.jpg")));

        app.paveRelay().pollDue();

        PaveCapture capture = app.paveRecords().capturesOf(ORDER).get(0);
        assertThat(capture.relayState()).isEqualTo(PaveCapture.RELAYED);
        PhotoRecord row = app.ledger().get(capture.photoId()).orElseThrow();
        ZonedDateTime expected = capture.capturedAt().atZone(ZoneId.of("Europe/Berlin"));
        assertThat(row.pictureTime()).isEqualTo(expected.toLocalDateTime());
        assertThat(row.pictureOffset()).isEqualTo(expected.getOffset().getId());
        assertThat(row.pictureTimeFrom()).isEqualTo("CAPTURE");
        assertThat(app.sandbox().photos(ORDER)).singleElement()
                .satisfies(p -> assertThat(p.pictureTime()).isEqualTo(DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss").format(expected)));
    }

    @Test
    void completedSessionStopsBeingPolled() throws Exception {
        app = RunningPhotoBridge.start(home);
        String key = app.pave().createSession();
        link(ORDER, key);
        app.pave().capture(key, 1, true, null, null);
        app.pave().status(key, "COMPLETE");

        assertThat(app.paveRelay().pollDue()).isEqualTo(1);
        assertThat(app.paveRelay().pollDue()).isZero();
        assertThat(app.paveRecords().session(key)).get().satisfies(s -> {
            assertThat(s.active()).isFalse();
            assertThat(s.status()).isEqualTo("COMPLETE");
        });
        assertThat(app.sandbox().photos(ORDER)).hasSize(1);
    }

    @Test
    void wrongSecretIsSurfacedClearlyAndNothingIsRecorded() throws Exception {
        app = RunningPhotoBridge.start(home, Map.of("photobridge.pave.api.secret", "not-the-pave-secret",
                "photobridge.sandbox.pave.api.secret", "sandbox-pave-secret"));
        String key = app.pave().createSession();
        app.pave().capture(key, 1, true, null, null);

        HttpResponse<String> refused = link(ORDER, key);
        assertThat(refused.statusCode()).isEqualTo(502);
        assertThat(refused.body()).contains("401").doesNotContain("not-the-pave-secret");

        app.paveRecords().link(ORDER, key, "STARTED", null);
        app.paveRelay().pollDue();
        assertThat(app.paveRecords().session(key)).get().satisfies(s -> assertThat(s.lastError()).contains("HTTP 401"));
        assertThat(app.paveRecords().capturesOf(ORDER)).isEmpty();
        assertThat(app.sandbox().photos(ORDER)).isEmpty();
        assertThat(app.pave().authFailures()).isGreaterThanOrEqualTo(2);
    }

    @Test
    void webhookForALinkedSessionTriggersAPollBeforeTheNextScheduledOne() throws Exception {
        app = RunningPhotoBridge.start(home);
        String key = app.pave().createSession();
        link(ORDER, key);
        app.pave().capture(key, 5, true, null, null);
        String event = "{\"event\":\"SESSION:STAGE_CHANGE\",\"session_key\":\"" + key + "\"}";

        assertThat(post("/webhooks/pave", event, Map.of()).statusCode()).isEqualTo(401);
        assertThat(post("/webhooks/pave", event, Map.of("X-PhotoBridge-Webhook-Secret", "wrong")).statusCode()).isEqualTo(401);
        assertThat(app.sandbox().photos(ORDER)).isEmpty();
        assertThat(post("/webhooks/pave", "{\"event\":\"SESSION:STAGE_CHANGE\",\"session_key\":\"not-linked\"}",
                Map.of("X-PhotoBridge-Webhook-Secret", "sandbox-pave-webhook-secret")).statusCode()).isEqualTo(200);
        HttpResponse<String> accepted = post("/webhooks/pave", event,
                Map.of("X-PhotoBridge-Webhook-Secret", "sandbox-pave-webhook-secret"));
        assertThat(accepted.statusCode()).isEqualTo(202);
        assertThat(accepted.headers().map().toString()).doesNotContain("sandbox-pave-webhook-secret");
        assertThat(post("/webhooks/pave", "event=x", Map.of("X-PhotoBridge-Webhook-Secret", "sandbox-pave-webhook-secret",
                "Content-Type", "application/x-www-form-urlencoded")).statusCode()).isEqualTo(415);

        await().atMost(WAIT).until(() -> app.sandbox().photos(ORDER).size() == 1);
        assertThat(app.sandbox().photos(ORDER).get(0).typeId()).isEqualTo(7);
    }

    @Test
    void sessionsAreLinkedThroughTheCsvFolderAndABadFileIsKeptWithItsReason() throws Exception {
        app = RunningPhotoBridge.start(home);
        String key = app.pave().createSession();
        Path links = Files.createDirectories(home.resolve("pave-links"));
        Files.writeString(links.resolve("batch-1.csv"), "order_id,session_key\n57076502," + key + "\n");
        Files.writeString(links.resolve("batch-2.csv"), "57076502,\nnot-a-number,abc\n");

        await().atMost(WAIT).until(() -> Files.exists(links.resolve(".done/batch-1.csv"))
                && Files.exists(links.resolve(".error/batch-2.csv.error.txt")) && Files.exists(links.resolve(".error/batch-2.csv")));
        PaveRecords.Session session = app.paveRecords().session(key).orElseThrow();
        assertThat(session.orderId()).isEqualTo(57076502L);
        assertThat(Files.readString(links.resolve(".error/batch-2.csv.error.txt"))).contains("batch-2.csv line 1")
                .contains("expected order_id,session_key");
    }

    @Test
    void linkingThroughTheApiCanCreateASessionAndNeedsTheToken() throws Exception {
        app = RunningPhotoBridge.start(home);
        assertThat(post("/api/orders/" + ORDER + "/pave-sessions", "{}", Map.of()).statusCode()).isEqualTo(401);
        HttpResponse<String> created = post("/api/orders/" + ORDER + "/pave-sessions",
                "{\"vehicle\":{\"vin\":\"1HGCM82633A004352\",\"year\":2019,\"make\":\"Honda\",\"model\":\"Accord\"}}",
                Map.of("Authorization", "Bearer " + RunningPhotoBridge.API_TOKEN));
        assertThat(created.statusCode()).isEqualTo(201);
        assertThat(created.body()).contains("session_key").contains("capture_url");
        assertThat(app.paveRecords().sessionsOf(ORDER)).hasSize(1);
        assertThat(link(ORDER, "no-such-session").statusCode()).isEqualTo(404);
        // a form body (curl -d without a content type) is refused, not taken as "create a new session"
        assertThat(post("/api/orders/" + ORDER + "/pave-sessions", "{\"session_key\":\"x\"}", Map.of("Authorization",
                "Bearer " + RunningPhotoBridge.API_TOKEN, "Content-Type", "application/x-www-form-urlencoded")).statusCode()).isEqualTo(415);
        assertThat(app.paveRecords().sessionsOf(ORDER)).hasSize(1);
    }

    @Test
    void aRetakeAfterAnApprovedPhotoIsRelayedAsANewPhotoAndNoted() throws Exception {
        app = RunningPhotoBridge.start(home);
        String key = app.pave().createSession();
        link(ORDER, key);
        app.pave().capture(key, 5, true, null, null);
        app.paveRelay().pollDue();
        app.pave().capture(key, 5, true, null, null);
        app.paveRelay().pollDue();

        assertThat(app.sandbox().photos(ORDER)).hasSize(2).allSatisfy(p -> assertThat(p.typeId()).isEqualTo(7));
        assertThat(app.paveRecords().capturesOf(ORDER)).hasSize(2)
                .allSatisfy(c -> assertThat(c.relayState()).isEqualTo(PaveCapture.RELAYED));
        assertThat(app.ledger().timeline(ORDER)).extracting(PhotoEvent::kind).contains("PAVE_RETAKE");
    }
}
