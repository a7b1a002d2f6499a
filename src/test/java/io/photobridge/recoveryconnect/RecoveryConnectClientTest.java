package io.photobridge.recoveryconnect;

import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

import io.photobridge.ingest.FileMediaSource;
import io.photobridge.sandbox.FaultInjector;
import io.photobridge.sandbox.RecoveryConnectSandbox;
import io.photobridge.vendor.RetryableVendorException;
import io.photobridge.vendor.VendorException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The RecoveryConnect client's five photo operations and its auth handling, against the sandbox. */
class RecoveryConnectClientTest {

    private static final long ORDER = 57076503L;
    private static final long OTHER_ORDER = 57076502L;
    private static final long UNKNOWN_ORDER = 99000001L;
    private static final Path JPEG = Path.of("src/test/resources/media/key-exif.jpg");

    @TempDir
    Path dir;

    private RecoveryConnectSandbox sandbox;

    @BeforeEach
    void startSandbox() {
        sandbox = new RecoveryConnectSandbox(RecoveryConnectSandbox.Settings.defaults().withDataDir(dir)
                .withTokenTtl(Duration.ofHours(1)));
        sandbox.start();
    }

    @AfterEach
    void stopSandbox() {
        sandbox.stop();
    }

    private RecoveryConnectClient client(String token, String user, String password, String transferVersion) {
        return new RecoveryConnectClient(new RecoveryConnectSettings(URI.create(sandbox.baseUrl()), "v140", transferVersion,
                token, user, password, Duration.ofSeconds(2), Duration.ofSeconds(5), Duration.ofSeconds(30), Duration.ofSeconds(5)));
    }

    private RecoveryConnectClient client() {
        return client(null, "sandbox@example.com", "sandbox", "v140");
    }

    private CreatedPhoto upload(RecoveryConnectClient client, long order, String name) {
        return client.createPhoto(order, new NewPhoto(name, "Key - " + name, "2025-06-14 09:31:07", 27), new FileMediaSource(JPEG));
    }

    @Test
    void createPhotoStreamsTheExactBytesAndAnswersWithTheAttachmentId() throws Exception {
        CreatedPhoto created = upload(client(), ORDER, "IMG_1.jpg");

        assertThat(created.orderId()).isEqualTo(ORDER);
        assertThat(created.caseAttachmentTypeId()).isEqualTo(27);
        assertThat(Files.readAllBytes(sandbox.file(created.attachmentId()))).isEqualTo(Files.readAllBytes(JPEG));
        assertThat(sandbox.photo(created.attachmentId()).orElseThrow().pictureTime()).isEqualTo("2025-06-14 09:31:07");
    }

    @Test
    void listPhotosShowsUploadedPhotosWithTypeAndFilename() {
        RecoveryConnectClient client = client();
        CreatedPhoto created = upload(client, ORDER, "IMG_2.jpg");

        List<OrderPhoto> photos = client.listPhotos(ORDER);

        assertThat(photos).hasSize(1);
        OrderPhoto photo = photos.get(0);
        assertThat(photo.id()).isEqualTo(created.attachmentId());
        assertThat(photo.orderId()).isEqualTo(ORDER);
        assertThat(photo.type().id()).isEqualTo(27);
        assertThat(photo.type().name()).isEqualTo("Key");
        assertThat(photo.filename()).contains("IMG_2");
        assertThat(photo.photoUrl()).contains("X-Amz-Expires");
        assertThat(photo.uploadedBy().contact().email()).endsWith("@example.com");
    }

    @Test
    void getPhotoReturnsOnePhotoAndItsUrlServesTheBytes() throws Exception {
        RecoveryConnectClient client = client();
        CreatedPhoto created = upload(client, ORDER, "IMG_3.jpg");

        OrderPhoto photo = client.getPhoto(ORDER, created.attachmentId());

        assertThat(photo.id()).isEqualTo(created.attachmentId());
        assertThat(photo.meta().generatedAt()).isEqualTo("2025-06-14 09:31:07");
        var download = java.net.http.HttpClient.newHttpClient().send(
                java.net.http.HttpRequest.newBuilder(URI.create(photo.photoUrl())).build(),
                java.net.http.HttpResponse.BodyHandlers.ofByteArray());
        assertThat(download.body()).isEqualTo(Files.readAllBytes(JPEG));
    }

    @Test
    void transferOnePhotoToAKnownAndAnUnknownOrderGivesOneSuccessAndOneFail() {
        RecoveryConnectClient client = client();
        CreatedPhoto created = upload(client, ORDER, "IMG_4.jpg");

        TransferResult result = client.transferPhoto(ORDER, created.attachmentId(), List.of(OTHER_ORDER, UNKNOWN_ORDER));

        assertThat(result.orders()).hasSize(2);
        assertThat(result.orders()).filteredOn(o -> o.id() == OTHER_ORDER).singleElement()
                .satisfies(o -> assertThat(o.attachments()).singleElement().satisfies(a -> {
                    assertThat(a.id()).isEqualTo(created.attachmentId());
                    assertThat(a.succeeded()).isTrue();
                }));
        assertThat(result.orders()).filteredOn(o -> o.id() == UNKNOWN_ORDER).singleElement()
                .satisfies(o -> assertThat(o.attachments()).singleElement().satisfies(a -> assertThat(a.status()).isEqualTo("fail")));
        assertThat(result.allSucceeded()).isFalse();
        assertThat(client.listPhotos(OTHER_ORDER)).hasSize(1);
        assertThat(client.listPhotos(OTHER_ORDER).get(0).parentAttachmentOrderId()).isEqualTo(ORDER);
    }

    @Test
    void transferAllPhotosCopiesEveryPhotoOfTheOrder() {
        RecoveryConnectClient client = client(null, "sandbox@example.com", "sandbox", "v130");
        upload(client, ORDER, "IMG_5.jpg");
        client.createPhoto(ORDER, new NewPhoto("IMG_6.jpg", "second", "2025-06-14 09:31:08", 2),
                new FileMediaSource(Path.of("src/test/resources/media/offset-exif.jpg")));

        TransferResult result = client.transferAllPhotos(ORDER, List.of(OTHER_ORDER));

        assertThat(result.allSucceeded()).isTrue();
        assertThat(result.orders()).flatExtracting(TransferResult.TransferredOrder::attachments).hasSize(2);
        assertThat(client.listPhotos(OTHER_ORDER)).hasSize(2);
    }

    @Test
    void staticTokenIsSentAsBearer() {
        RecoveryConnectClient client = client("sandbox-demo-token", null, null, "v140");
        upload(client, ORDER, "static.jpg");
        assertThat(client.listPhotos(ORDER)).hasSize(1);
    }

    @Test
    void expiredTokenIsRenewedOnceAndTheCallSucceeds() {
        RecoveryConnectClient client = client();
        upload(client, ORDER, "one.jpg");
        sandbox.expireTokens();

        assertThat(client.listPhotos(ORDER)).hasSize(1);
    }

    @Test
    void tokenIsRenewedBeforeItsExpiryRunsOut() throws Exception {
        sandbox.stop();
        sandbox = new RecoveryConnectSandbox(RecoveryConnectSandbox.Settings.defaults().withDataDir(dir)
                .withTokenTtl(Duration.ofSeconds(4)));
        sandbox.start();
        // refresh margin 5 s on a 4 s token: the token is still valid, but it is inside the margin, so the client renews it first
        RecoveryConnectClient client = client();
        upload(client, ORDER, "early.jpg");
        sandbox.faults().failNext(1, "/auth", new FaultInjector.Status(503, null, null));

        assertThatThrownBy(() -> client.listPhotos(ORDER))
                .isInstanceOfSatisfying(RetryableVendorException.class, e -> assertThat(e.operation()).isEqualTo("authenticate"));
        assertThat(client.listPhotos(ORDER)).hasSize(1);
    }

    @Test
    void wrongPasswordFailsWith401AndNeverShowsThePassword() {
        RecoveryConnectClient client = client(null, "sandbox@example.com", "not-the-password-xyz", "v140");
        assertThatThrownBy(() -> client.listPhotos(ORDER))
                .isInstanceOfSatisfying(VendorException.class, e -> {
                    assertThat(e.status()).isEqualTo(401);
                    assertThat(e.vendorMessage()).isEqualTo("Invalid credentials.");
                    assertThat(e.getMessage()).doesNotContain("not-the-password-xyz");
                })
                .isNotInstanceOf(RetryableVendorException.class);
    }

    @Test
    void unknownOrderIsA404WithTheVendorMessage() {
        assertThatThrownBy(() -> client().listPhotos(UNKNOWN_ORDER))
                .isInstanceOfSatisfying(VendorException.class, e -> {
                    assertThat(e.status()).isEqualTo(404);
                    assertThat(e.vendorMessage()).contains(String.valueOf(UNKNOWN_ORDER));
                });
    }

    @Test
    void serviceUnavailableIsRetryable() {
        sandbox.faults().failNext(1, "/photos", new FaultInjector.Status(503, null, null));
        assertThatThrownBy(() -> client().listPhotos(ORDER))
                .isInstanceOfSatisfying(RetryableVendorException.class, e -> assertThat(e.status()).isEqualTo(503));
    }

    @Test
    void throttlingCarriesRetryAfter() {
        sandbox.faults().failNext(1, "/photos", new FaultInjector.Status(429, null, 7));
        assertThatThrownBy(() -> client().listPhotos(ORDER))
                .isInstanceOfSatisfying(RetryableVendorException.class, e -> {
                    assertThat(e.status()).isEqualTo(429);
                    assertThat(e.retryAfter()).contains(Duration.ofSeconds(7));
                });
    }

    @Test
    void droppedConnectionDuringUploadIsRetryableWithoutStatus() {
        // a POST is not silently resent by the JDK client (a GET would be, once), so the drop reaches the caller
        sandbox.faults().failNext(1, "/photos", new FaultInjector.Drop());
        assertThatThrownBy(() -> upload(client(), ORDER, "dropped.jpg"))
                .isInstanceOfSatisfying(RetryableVendorException.class, e -> assertThat(e.status()).isZero());
    }

    @Test
    void base64LengthMatchesTheEncoder() {
        for (long n = 0; n < 10; n++) {
            assertThat(RecoveryConnectClient.base64Length(n))
                    .isEqualTo(java.util.Base64.getEncoder().encode(new byte[(int) n]).length);
        }
    }
}
