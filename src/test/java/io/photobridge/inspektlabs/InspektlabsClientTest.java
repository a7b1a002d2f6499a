package io.photobridge.inspektlabs;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import com.sun.net.httpserver.HttpServer;
import io.photobridge.ingest.FileMediaSource;
import io.photobridge.ingest.MediaSource;
import io.photobridge.inspektlabs.InspektlabsRejection.Reason;
import io.photobridge.sandbox.FaultInjector;
import io.photobridge.sandbox.InspektlabsSandbox;
import io.photobridge.sandbox.InspektlabsUpload;
import io.photobridge.vendor.RetryableVendorException;
import io.photobridge.vendor.VendorException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static io.photobridge.inspektlabs.InspektlabsClientWireTest.sha256;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The Inspektlabs client against the Inspektlabs sandbox: sessions, file and URL uploads, every refusal's typed outcome, feedback. */
class InspektlabsClientTest {

    private static final Path MEDIA = Path.of("src/test/resources/media");
    private static final String CALLBACK = "http://127.0.0.1:9/inspektlabs/callback";

    @TempDir
    Path dir;

    private InspektlabsSandbox sandbox;

    @BeforeEach
    void startSandbox() {
        sandbox = new InspektlabsSandbox(InspektlabsSandbox.Settings.defaults().withDataDir(dir.resolve("sandbox"))
                .withCallbackDelay(Duration.ofHours(1)));
        sandbox.start();
    }

    @AfterEach
    void stopSandbox() {
        sandbox.stop();
    }

    private InspektlabsClient client(String key, String bearer) {
        return new InspektlabsClient(new InspektlabsSettings(URI.create(sandbox.baseUrl()), key, "photobridge-test", bearer,
                Duration.ofSeconds(2), Duration.ofSeconds(10), Duration.ofSeconds(60)));
    }

    private InspektlabsClient client() {
        return client(InspektlabsSandbox.DEFAULT_API_KEY, null);
    }

    private static UploadOptions callback() {
        return UploadOptions.callback(CALLBACK);
    }

    /** Copies of the fixture images under distinct names. */
    private List<MediaSource> threeImages() throws IOException {
        Path photos = Files.createDirectories(dir.resolve("photos"));
        List<MediaSource> files = new ArrayList<>();
        String[][] copies = {{"key-exif.jpg", "front-left.jpg"}, {"offset-exif.jpg", "rear-right.jpeg"}, {"no-exif.png", "odometer.png"}};
        for (String[] copy : copies) {
            files.add(new FileMediaSource(Files.copy(MEDIA.resolve(copy[0]), photos.resolve(copy[1]))));
        }
        return files;
    }

    private Reason rejection(InspektlabsSession session, List<MediaSource> files, UploadOptions options) {
        try {
            client().uploadFiles(session, "case-refused", files, options);
        } catch (InspektlabsRejection e) {
            return e.reason();
        }
        throw new AssertionError("the upload was accepted");
    }

    @Test
    void authenticateGivesAFreshSessionEachTime() {
        InspektlabsClient client = client();

        InspektlabsSession first = client.authenticate();
        InspektlabsSession second = client.authenticate();

        assertThat(first.session()).startsWith("in").isNotEqualTo(second.session());
        assertThat(first.bearerToken()).isNotBlank().isNotEqualTo(second.bearerToken());
        assertThat(first.used()).isFalse();
        assertThat(sandbox.authRequests()).isEqualTo(2);
    }

    @Test
    void aWrongKeyIsA401WithTheVendorsMessageAndNeverTheKey() {
        assertThatThrownBy(() -> client("wrong-key-42", null).authenticate())
                .isExactlyInstanceOf(VendorException.class)
                .hasMessageContaining("HTTP 401").hasMessageContaining("API Key not valid")
                .hasMessageNotContaining("wrong-key-42")
                .satisfies(e -> assertThat(((VendorException) e).status()).isEqualTo(401));
        assertThatThrownBy(() -> client(null, null).authenticate())
                .isExactlyInstanceOf(VendorException.class).hasMessageContaining("HTTP 400").hasMessageContaining("Invalid API key");
    }

    @Test
    void threeImagesAreAcceptedAndTheSandboxHasTheirExactBytes() throws Exception {
        InspektlabsSession session = client().authenticate();
        List<MediaSource> files = threeImages();

        UploadAccepted accepted = client().uploadFiles(session, "case-3-images", files,
                new UploadOptions(CALLBACK, "ops@example.com", "agent-1", "Test Agent"));

        assertThat(accepted).isEqualTo(new UploadAccepted("success", session.session(), "", "case-3-images"));
        InspektlabsUpload upload = sandbox.upload(session.session()).orElseThrow();
        assertThat(upload.caseId()).isEqualTo("case-3-images");
        assertThat(upload.mode()).isEqualTo(InspektlabsUpload.MODE_FILE);
        assertThat(upload.callbackUrl()).isEqualTo(CALLBACK);
        assertThat(upload.emailId()).isEqualTo("ops@example.com");
        assertThat(upload.agentId()).isEqualTo("agent-1");
        assertThat(upload.agentName()).isEqualTo("Test Agent");
        assertThat(upload.files()).extracting(InspektlabsUpload.UploadedFile::name)
                .containsExactly("front-left.jpg", "rear-right.jpeg", "odometer.png");
        assertThat(upload.files()).extracting(InspektlabsUpload.UploadedFile::contentType)
                .containsExactly("image/jpeg", "image/jpeg", "image/png");
        assertThat(upload.files()).extracting(InspektlabsUpload.UploadedFile::sha256).containsExactly(
                sha256(Files.readAllBytes(MEDIA.resolve("key-exif.jpg"))),
                sha256(Files.readAllBytes(MEDIA.resolve("offset-exif.jpg"))),
                sha256(Files.readAllBytes(MEDIA.resolve("no-exif.png"))));
        assertThat(upload.files()).extracting(InspektlabsUpload.UploadedFile::size).containsExactly(5455L, 5431L, 4235L);
    }

    @Test
    void theRefreshTokenCanBeConfiguredAsTheBearer() throws Exception {
        InspektlabsSession session = client(InspektlabsSandbox.DEFAULT_API_KEY, InspektlabsSettings.REFRESH_TOKEN).authenticate();

        assertThat(session.bearerToken()).doesNotContain(".");
        client().uploadFiles(session, "case-refresh", threeImages().subList(0, 1), callback());

        assertThat(sandbox.upload(session.session())).isPresent();
    }

    @Test
    void aSessionIsNeverUsedForASecondUpload() throws Exception {
        InspektlabsClient client = client();
        InspektlabsSession session = client.authenticate();
        List<MediaSource> files = threeImages();
        client.uploadFiles(session, "case-once", files, callback());

        assertThatThrownBy(() -> client.uploadFiles(session, "case-once", files, callback()))
                .isInstanceOf(IllegalStateException.class).hasMessageContaining(session.session());
        assertThat(sandbox.uploadRequests()).isEqualTo(1);
    }

    @Test
    void aSessionTheServerAlreadyUsedIsRejectedAsSessionUsed() throws Exception {
        InspektlabsSession session = client().authenticate();
        List<MediaSource> files = threeImages();
        client().uploadFiles(session, "case-twice", files, callback());

        InspektlabsSession sameStrings = new InspektlabsSession(session.session(), session.bearerToken());
        assertThat(rejection(sameStrings, files, callback())).isEqualTo(Reason.SESSION_USED);
        assertThat(sandbox.uploads()).hasSize(1);
    }

    @Test
    void eachRefusalHasItsReason() throws Exception {
        byte[] jpeg = Files.readAllBytes(MEDIA.resolve("key-exif.jpg"));
        CountingSource.Counters counters = new CountingSource.Counters();
        List<MediaSource> hundred = new ArrayList<>();
        for (int i = 0; i < 100; i++) {
            hundred.add(new CountingSource("IMG_" + i + ".jpg", jpeg, true, counters));
        }
        assertThat(rejection(client().authenticate(), hundred, callback())).isEqualTo(Reason.TOO_MANY_IMAGES);
        assertThat(counters.maxOpen).hasValue(1);

        MediaSource text = new CountingSource("notes.txt", "not a photo".getBytes(), true, counters);
        assertThat(rejection(client().authenticate(), List.of(text), callback())).isEqualTo(Reason.INVALID_FILE_TYPE);

        MediaSource textAsJpeg = new TypedMediaSource(new CountingSource("looks.jpg", jpeg, true, counters), "text/plain");
        assertThat(rejection(client().authenticate(), List.of(textAsJpeg), callback())).isEqualTo(Reason.UNSUPPORTED_MEDIA_TYPE);

        MediaSource oneMegabyteVideo = new CountingSource("walkaround.mp4", mp4(1_048_576), true, counters);
        assertThat(rejection(client().authenticate(), List.of(oneMegabyteVideo), callback())).isEqualTo(Reason.VIDEO_TOO_SMALL);
        assertThat(rejection(client().authenticate(), List.of(new FileMediaSource(MEDIA.resolve("short.mp4"))), callback()))
                .isEqualTo(Reason.VIDEO_TOO_SMALL);

        assertThat(rejection(client().authenticate(), threeImages(), UploadOptions.none())).isEqualTo(Reason.CALLBACK_URL_MISSING);

        assertThat(rejection(client().authenticate(), List.of(new CountingSource("a.jpg", jpeg, true, counters),
                new FileMediaSource(MEDIA.resolve("clip.mp4"))), callback())).isEqualTo(Reason.OTHER);
        assertThat(sandbox.uploads()).isEmpty();
    }

    @Test
    void aRejectionCarriesTheStatusAndTheVendorsWords() throws Exception {
        InspektlabsSession session = client().authenticate();

        assertThatThrownBy(() -> client().uploadFiles(session, "case-x", threeImages(), UploadOptions.none()))
                .isInstanceOfSatisfying(InspektlabsRejection.class, e -> {
                    assertThat(e.status()).isEqualTo(400);
                    assertThat(e.vendor()).isEqualTo("Inspektlabs");
                    assertThat(e.vendorMessage()).isEqualTo("please provide callback_url");
                    assertThat(e).isNotInstanceOf(RetryableVendorException.class);
                })
                .hasMessageNotContaining(session.bearerToken());
    }

    @Test
    void aClosedServiceWindowIsRetryable() throws Exception {
        sandbox.serviceWindowClosed(true);

        assertThatThrownBy(() -> client().uploadFiles(client().authenticate(), "case-window", threeImages(), callback()))
                .isInstanceOfSatisfying(RetryableVendorException.class, e -> {
                    assertThat(e.status()).isEqualTo(503);
                    assertThat(e.vendorMessage()).isEqualTo("ML servers are not available currently.");
                });

        sandbox.serviceWindowClosed(false);
        InspektlabsSession fresh = client().authenticate();
        client().uploadFiles(fresh, "case-window", fixtureImages(), callback());
        assertThat(sandbox.upload(fresh.session())).isPresent();
    }

    /** The JPEG, PNG and HEIC fixtures as they are. */
    private static List<MediaSource> fixtureImages() {
        return List.of(new FileMediaSource(MEDIA.resolve("key-exif.jpg")), new FileMediaSource(MEDIA.resolve("no-exif.png")),
                new FileMediaSource(MEDIA.resolve("exif.heic")));
    }

    @Test
    void somethingWentWorngIsARetryableErrorWithABound() {
        sandbox.faults().failNext(1, "/api/upload", new FaultInjector.Status(404, "Something Went Worng", null));

        assertThatThrownBy(() -> client().uploadFiles(client().authenticate(), "case-404", fixtureImages(), callback()))
                .isInstanceOfSatisfying(InspektlabsUnexpectedError.class, e -> {
                    assertThat(e.boundedRetry()).isTrue();
                    assertThat(e.status()).isEqualTo(404);
                })
                .isInstanceOf(RetryableVendorException.class);
    }

    @Test
    void tooManyCallsIsRetryableWithTheVendorsRetryAfter() {
        sandbox.faults().failNext(1, "/api/upload", new FaultInjector.Status(429, "API call limit exceeded", 7));

        assertThatThrownBy(() -> client().uploadFiles(client().authenticate(), "case-429", fixtureImages(), callback()))
                .isInstanceOfSatisfying(RetryableVendorException.class, e -> {
                    assertThat(e.status()).isEqualTo(429);
                    assertThat(e.retryAfter()).contains(Duration.ofSeconds(7));
                });
    }

    @Test
    void aDroppedConnectionIsRetryable() {
        sandbox.faults().failNext(1, "/api/upload", new FaultInjector.Drop());

        assertThatThrownBy(() -> client().uploadFiles(client().authenticate(), "case-drop", fixtureImages(), callback()))
                .isInstanceOfSatisfying(RetryableVendorException.class, e -> assertThat(e.status()).isZero());
    }

    @Test
    void urlModeUploadsWhatTheSandboxFetches() throws Exception {
        byte[] first = Files.readAllBytes(MEDIA.resolve("key-exif.jpg"));
        byte[] second = Files.readAllBytes(MEDIA.resolve("offset-exif.jpg"));
        HttpServer media = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        Map<String, byte[]> served = Map.of("/photos/front.jpg", first, "/photos/rear.jpg", second);
        List<String> authorizations = new java.util.concurrent.CopyOnWriteArrayList<>();
        media.createContext("/photos/", exchange -> {
            authorizations.add(String.valueOf(exchange.getRequestHeaders().getFirst("Authorization")));
            byte[] bytes = served.get(exchange.getRequestURI().getPath());
            if (bytes == null) {
                exchange.sendResponseHeaders(404, -1);
            } else {
                exchange.getResponseHeaders().set("Content-Type", "image/jpeg");
                exchange.sendResponseHeaders(200, bytes.length);
                try (OutputStream out = exchange.getResponseBody()) {
                    out.write(bytes);
                }
            }
            exchange.close();
        });
        media.start();
        try {
            String base = "http://127.0.0.1:" + media.getAddress().getPort() + "/photos/";
            InspektlabsSession session = client().authenticate();
            UrlUpload upload = new UrlUpload(List.of(base + "front.jpg", base + "rear.jpg"), null, List.of("front", "rear"),
                    null, "Bearer media-secret", Map.of("model", "Toyota Corolla"));

            UploadAccepted accepted = client().uploadUrls(session, "case-urls", upload, callback());

            assertThat(accepted.id()).isEqualTo(session.session());
            assertThat(accepted.caseId()).isEqualTo("case-urls");
            InspektlabsUpload stored = sandbox.upload(session.session()).orElseThrow();
            assertThat(stored.mode()).isEqualTo(InspektlabsUpload.MODE_URLS);
            assertThat(stored.urls()).containsExactly(base + "front.jpg", base + "rear.jpg");
            assertThat(stored.files()).extracting(InspektlabsUpload.UploadedFile::sha256).containsExactly(sha256(first), sha256(second));
            assertThat(authorizations).containsOnly("Bearer media-secret");
            assertThatThrownBy(() -> client().uploadUrls(session, "case-urls", upload, callback()))
                    .isInstanceOf(IllegalStateException.class);
        } finally {
            media.stop(0);
        }
    }

    @Test
    void feedbackIsAcceptedUpToTheVendorsLimitThenRetryableWithRetryAfter() {
        InspektlabsClient client = client();
        InspektlabsSession session = client.authenticate();
        client.uploadFiles(session, "case-feedback", fixtureImages(), callback());

        for (int i = 0; i < 5; i++) {
            client.feedback(session, session.session(), "front bumper damage confirmed " + i);
        }
        assertThatThrownBy(() -> client.feedback(session, session.session(), "one too many"))
                .isInstanceOfSatisfying(RetryableVendorException.class, e -> {
                    assertThat(e.status()).isEqualTo(429);
                    assertThat(e.vendorMessage()).isEqualTo("API call limit exceeded");
                    assertThat(e.retryAfter()).hasValueSatisfying(d -> assertThat(d).isPositive().isLessThanOrEqualTo(Duration.ofMinutes(1)));
                });
        assertThat(sandbox.feedbackRequests()).isEqualTo(6);
    }

    @Test
    void anUnknownBearerIsAPlainVendorExceptionNotARejection() {
        InspektlabsSession forged = new InspektlabsSession(client().authenticate().session(), "not-a-token");

        assertThatThrownBy(() -> client().uploadFiles(forged, "case-401", fixtureImages(), callback()))
                .isExactlyInstanceOf(VendorException.class).hasMessageContaining("HTTP 401");
        assertThat(forged.used()).isTrue();
    }

    @Test
    void feedbackOnAnUnknownInspectionIsAPlainVendorException() {
        InspektlabsSession session = client().authenticate();

        assertThatThrownBy(() -> client().feedback(session, "in-nothing-here", "good"))
                .isExactlyInstanceOf(VendorException.class).hasMessageContaining("HTTP 400");
    }

    /** Bytes that start with an MP4 {@code ftyp} box (brand isom), then filler. */
    static byte[] mp4(int size) {
        byte[] bytes = new byte[size];
        byte[] ftyp = {0, 0, 0, 0x18, 'f', 't', 'y', 'p', 'i', 's', 'o', 'm', 0, 0, 2, 0, 'i', 's', 'o', 'm', 'i', 's', 'o', '2'};
        System.arraycopy(ftyp, 0, bytes, 0, ftyp.length);
        for (int i = ftyp.length; i < size; i++) {
            bytes[i] = (byte) (i * 31);
        }
        return bytes;
    }
}
