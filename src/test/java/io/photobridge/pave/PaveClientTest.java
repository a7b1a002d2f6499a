package io.photobridge.pave;

import java.io.InputStream;
import java.net.ServerSocket;
import java.net.URI;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.photobridge.vendor.RetryableVendorException;
import io.photobridge.vendor.VendorException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The PAVE client against a stub that checks every signature like PAVE and serves the spec's sample photos. */
class PaveClientTest {

    private static final Instant NOW = Instant.parse("2026-03-14T09:26:53.589Z");

    private PaveStub stub;

    @BeforeEach
    void startStub() {
        stub = new PaveStub();
    }

    @AfterEach
    void stopStub() {
        stub.close();
    }

    private PaveClient client(String secret, Clock clock) {
        return new PaveClient(new PaveSettings(URI.create(stub.baseUrl()), PaveStub.USERNAME, PaveStub.API_KEY, secret,
                Duration.ofSeconds(2), Duration.ofSeconds(5)), clock);
    }

    private PaveClient client() {
        return client(PaveStub.API_SECRET, Clock.fixed(NOW, ZoneOffset.UTC));
    }

    @Test
    void signedCallsAreAcceptedAndSignTheTimestampTheySend() {
        PaveSessionData data = client().session(PaveStub.COMPLETE_SESSION);

        assertThat(data.sessionKey()).isEqualTo(PaveStub.COMPLETE_SESSION);
        PaveStub.Received call = stub.last();
        assertThat(call.signatureValid()).isTrue();
        assertThat(call.apiKey()).isEqualTo(PaveStub.API_KEY);
        assertThat(call.apiTimestamp()).isEqualTo("2026-03-14T09:26:53Z");
        assertThat(call.apiToken()).isEqualTo(PaveStub.hmacHex(PaveStub.API_SECRET,
                PaveStub.USERNAME + ":" + PaveStub.API_KEY + "@2026-03-14T09:26:53Z"));
    }

    @Test
    void everyCallIsSignedAfreshWithTheCurrentTime() {
        PaveClient client = client(PaveStub.API_SECRET, new TickingClock(NOW, Duration.ofSeconds(5)));

        client.session(PaveStub.COMPLETE_SESSION);
        client.photos(PaveStub.COMPLETE_SESSION);

        assertThat(stub.received).extracting(PaveStub.Received::signatureValid).containsExactly(true, true);
        assertThat(stub.received).extracting(PaveStub.Received::apiTimestamp)
                .containsExactly("2026-03-14T09:26:53Z", "2026-03-14T09:26:58Z");
    }

    @Test
    void wrongSecretIs401VendorExceptionWithoutKeySecretOrTokenInTheMessage() {
        String wrongSecret = "wrong-pave-secret";
        PaveClient client = client(wrongSecret, Clock.fixed(NOW, ZoneOffset.UTC));

        assertThatThrownBy(() -> client.photos(PaveStub.COMPLETE_SESSION))
                .isExactlyInstanceOf(VendorException.class)
                .satisfies(e -> {
                    VendorException error = (VendorException) e;
                    String sentToken = stub.last().apiToken();
                    assertThat(stub.last().signatureValid()).isFalse();
                    assertThat(error.status()).isEqualTo(401);
                    assertThat(error.vendor()).isEqualTo("PAVE");
                    assertThat(error.getMessage()).contains("HTTP 401").contains("Invalid API-Token")
                            .doesNotContain(sentToken).doesNotContain(PaveStub.API_KEY)
                            .doesNotContain(wrongSecret).doesNotContain(PaveStub.API_SECRET);
                    assertThat(error.vendorMessage()).doesNotContain(sentToken).doesNotContain(PaveStub.API_KEY);
                });
    }

    @Test
    void photosAreParsedFromTheSpecSampleRetakesIncluded() {
        List<PavePhoto> photos = client().photos(PaveStub.COMPLETE_SESSION);

        assertThat(photos).hasSize(14);
        assertThat(photos).filteredOn(p -> p.photoCode() == 2).hasSize(2);
        PavePhoto first = photos.get(0);
        assertThat(first.photoCode()).isEqualTo(1);
        assertThat(first.photoLabel()).isEqualTo("VIN");
        assertThat(first.url()).isEqualTo("https://your_capture_photo_url.jpg");
        assertThat(first.approved()).isTrue();
        assertThat(first.approvedMessage()).isEqualTo("ACCEPTED");
        assertThat(first.rejectionReason()).isNull();
        assertThat(first.createdAt()).isEqualTo(OffsetDateTime.parse("2021-05-27T07:36:16+00:00"));
        assertThat(first.updatedAt()).isEqualTo(OffsetDateTime.parse("2021-05-27T07:37:05+00:00"));
        PavePhoto interiorRejected = photos.get(1);
        assertThat(interiorRejected.photoLabel()).isEqualTo("Interior");
        assertThat(interiorRejected.approved()).isFalse();
        assertThat(interiorRejected.rejectionReason()).isEqualTo("Wrong View");
        assertThat(photos).filteredOn(p -> p.photoCode() == 10).singleElement()
                .satisfies(p -> assertThat(p.rejectionReason()).startsWith("Please recapture the photo"));
    }

    @Test
    void latestByCodeKeepsTheApprovedRetakeOfCode2() {
        Map<Integer, PavePhoto> latest = PaveClient.latestByCode(client().photos(PaveStub.COMPLETE_SESSION));

        assertThat(latest).hasSize(13);
        assertThat(latest.keySet()).containsExactly(1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13);
        PavePhoto interior = latest.get(2);
        assertThat(interior.approved()).isTrue();
        assertThat(interior.updatedAt()).isEqualTo(OffsetDateTime.parse("2021-05-27T07:38:19+00:00"));
        assertThat(latest.values()).filteredOn(p -> !p.approved()).extracting(PavePhoto::photoCode)
                .containsExactlyInAnyOrder(4, 10, 11);
        assertThat(latest.get(11).rejectionReason()).isEqualTo("Wrong View");
    }

    @Test
    void sessionDataIsRead() {
        PaveSessionData data = client().session(PaveStub.OPEN_SESSION);

        assertThat(data.status()).isEqualTo("STARTED");
        assertThat(data.complete()).isFalse();
        assertThat(data.theme()).isEqualTo("PRO");
        assertThat(data.vehicle().vin()).isEqualTo("JN1CV6AR9BM000001");
        assertThat(data.vehicle().year()).isEqualTo(2011);
        assertThat(data.inspectStartedAt()).isEqualTo("2021-05-27 07:36:16");
        assertThat(client().session(PaveStub.COMPLETE_SESSION).complete()).isTrue();
    }

    @Test
    void unknownSessionIsPaveSessionNotFoundForDataPhotosAndResults() {
        PaveClient client = client();

        for (Runnable call : List.<Runnable>of(() -> client.session("nope-1"), () -> client.photos("nope-1"),
                () -> client.results("nope-1"))) {
            assertThatThrownBy(call::run).isInstanceOf(PaveSessionNotFound.class)
                    .satisfies(e -> {
                        PaveSessionNotFound notFound = (PaveSessionNotFound) e;
                        assertThat(notFound.status()).isEqualTo(404);
                        assertThat(notFound.sessionKey()).isEqualTo("nope-1");
                        assertThat(notFound.vendorMessage()).isEqualTo("Session nope-1 cannot be found.");
                    });
        }
    }

    @Test
    void resultsBeforeCompletionArePaveSessionNotCompletedWhenAnsweredWith200() {
        assertThatThrownBy(() -> client().results(PaveStub.OPEN_SESSION))
                .isInstanceOf(PaveSessionNotCompleted.class)
                .satisfies(e -> {
                    PaveSessionNotCompleted notCompleted = (PaveSessionNotCompleted) e;
                    assertThat(notCompleted.status()).isEqualTo(200);
                    assertThat(notCompleted.sessionKey()).isEqualTo(PaveStub.OPEN_SESSION);
                    assertThat(notCompleted.vendorMessage()).isEqualTo("Session is not yet completed.");
                });
    }

    @Test
    void resultsBeforeCompletionArePaveSessionNotCompletedWhenAnsweredWith4xx() {
        stub.notCompletedStatus(400);

        assertThatThrownBy(() -> client().results(PaveStub.OPEN_SESSION))
                .isInstanceOf(PaveSessionNotCompleted.class)
                .satisfies(e -> assertThat(((VendorException) e).status()).isEqualTo(400));

        stub.notCompletedStatus(404);
        assertThatThrownBy(() -> client().results(PaveStub.OPEN_SESSION)).isInstanceOf(PaveSessionNotCompleted.class);
    }

    @Test
    void resultsOfACompletedSessionAreItsJson() {
        JsonNode results = client().results(PaveStub.COMPLETE_SESSION);

        assertThat(results.path("status").asText()).isEqualTo("COMPLETE");
        assertThat(results.path("damages").get(0).path("damage_type").asText()).isEqualTo("SCRATCH");
    }

    @Test
    void status503IsRetryableWithTheRetryAfterAndTheNextCallSucceeds() {
        PaveClient client = client();
        stub.failNext(503);

        assertThatThrownBy(() -> client.photos(PaveStub.COMPLETE_SESSION))
                .isInstanceOf(RetryableVendorException.class)
                .satisfies(e -> {
                    RetryableVendorException error = (RetryableVendorException) e;
                    assertThat(error.status()).isEqualTo(503);
                    assertThat(error.retryAfter()).contains(Duration.ofSeconds(7));
                });
        assertThat(client.photos(PaveStub.COMPLETE_SESSION)).hasSize(14);
    }

    @Test
    void status429IsRetryable() {
        stub.failNext(429);

        assertThatThrownBy(() -> client().session(PaveStub.COMPLETE_SESSION)).isInstanceOf(RetryableVendorException.class);
    }

    @Test
    void noAnswerIsRetryable() throws Exception {
        int closedPort;
        try (ServerSocket socket = new ServerSocket(0)) {
            closedPort = socket.getLocalPort();
        }
        PaveClient client = new PaveClient(new PaveSettings(URI.create("http://127.0.0.1:" + closedPort + "/v1"),
                PaveStub.USERNAME, PaveStub.API_KEY, PaveStub.API_SECRET, Duration.ofSeconds(1), Duration.ofSeconds(2)));

        assertThatThrownBy(() -> client.photos(PaveStub.COMPLETE_SESSION))
                .isInstanceOf(RetryableVendorException.class)
                .satisfies(e -> assertThat(((VendorException) e).status()).isZero());
    }

    @Test
    void createSessionSendsVehicleRedirectAndThemeWithoutNullsAndReadsTheKeyAndCaptureLink() throws Exception {
        PaveSession session = client().createSession(new PaveVehicle("JN1CV6AR9BM000001", 2011, "Infiniti", null),
                "https://example.com/done", "capt");

        assertThat(session.sessionKey()).isEqualTo(PaveStub.NEW_SESSION);
        assertThat(session.status()).isEqualTo("IDLE");
        assertThat(session.theme()).isEqualTo("CAPT");
        assertThat(session.captureUrl()).isEqualTo("https://stub.vehiclecapture.com/" + PaveStub.NEW_SESSION);
        assertThat(session.redirectUrl()).isEqualTo("https://example.com/done");
        PaveStub.Received call = stub.last();
        assertThat(call.method()).isEqualTo("POST");
        assertThat(call.path()).isEqualTo("/v1/sessions");
        assertThat(call.signatureValid()).isTrue();
        JsonNode body = new ObjectMapper().readTree(call.body());
        assertThat(body.path("vehicle").path("vin").asText()).isEqualTo("JN1CV6AR9BM000001");
        assertThat(body.path("vehicle").path("year").asInt()).isEqualTo(2011);
        assertThat(body.path("vehicle").path("make").asText()).isEqualTo("Infiniti");
        assertThat(body.path("vehicle").has("model")).isFalse();
        assertThat(body.path("redirect_url").asText()).isEqualTo("https://example.com/done");
        assertThat(body.path("theme").asText()).isEqualTo("CAPT");
    }

    @Test
    void createSessionWithNothingOptionalSendsAnEmptyObject() {
        PaveSession session = client().createSession(null, null, null);

        assertThat(session.sessionKey()).isEqualTo(PaveStub.NEW_SESSION);
        assertThat(stub.last().body()).isEqualTo("{}");
    }

    @Test
    void downloadStreamsThePhotoBytesWithoutSigning() throws Exception {
        byte[] bytes;
        try (InputStream in = client().download(stub.fileUrl("front.jpg"))) {
            bytes = in.readAllBytes();
        }

        assertThat(bytes).isEqualTo(PaveStub.JPEG);
        PaveStub.Received call = stub.last();
        assertThat(call.path()).isEqualTo("/files/front.jpg");
        assertThat(call.apiKey()).isNull();
        assertThat(call.apiToken()).isNull();
    }

    @Test
    void downloadFollowsARedirect() throws Exception {
        try (InputStream in = client().download(stub.redirectUrl("rear.jpg"))) {
            assertThat(in.readAllBytes()).isEqualTo(PaveStub.JPEG);
        }
        assertThat(stub.received).extracting(PaveStub.Received::path).containsExactly("/moved/rear.jpg", "/files/rear.jpg");
    }

    @Test
    void downloadRefusedIsAVendorExceptionWithoutTheLinksQueryInItsMessage() {
        String url = stub.baseUrl().replace("/v1", "/nowhere/x.jpg") + "?X-Amz-Signature=abc";

        assertThatThrownBy(() -> client().download(url))
                .isExactlyInstanceOf(VendorException.class)
                .satisfies(e -> assertThat(((VendorException) e).status()).isEqualTo(401))
                .hasMessageNotContaining("X-Amz-Signature");
    }

    @Test
    void settingsToStringHidesKeyAndSecret() {
        String text = client().settings().toString();

        assertThat(text).contains(PaveStub.USERNAME).doesNotContain(PaveStub.API_KEY).doesNotContain(PaveStub.API_SECRET);
    }
}
