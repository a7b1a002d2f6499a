package io.photobridge;

import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;

import io.photobridge.records.Ledger;
import io.photobridge.records.PhotoEvent;
import io.photobridge.records.PhotoRecord;
import io.photobridge.records.PhotoState;
import io.photobridge.recoveryconnect.PhotoUploader;
import io.photobridge.sandbox.FaultInjector;
import io.photobridge.sandbox.RecoveryConnectSandbox;
import io.photobridge.sandbox.StoredPhoto;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** Drop folder to RecoveryConnect through the real Main, the real YAML routes and the RecoveryConnect sandbox. */
class DropFolderToRecoveryConnectTest {

    private static final long ORDER = 57076503L;
    private static final Path KEY_JPEG = Path.of("src/test/resources/media/key-exif.jpg");
    private static final Duration WAIT = Duration.ofSeconds(20);

    @TempDir
    Path home;

    private RunningPhotoBridge app;

    @AfterEach
    void stop() {
        if (app != null) {
            app.close();
        }
    }

    @Test
    void jpegDroppedIntoKeyFolderBecomesKeyPhotoOfTheOrderWithExifTime() throws Exception {
        app = RunningPhotoBridge.start(home);
        RecoveryConnectSandbox sandbox = app.sandbox();

        drop(KEY_JPEG, ORDER + "/key/IMG_0042.jpg");

        await().atMost(WAIT).until(() -> Files.exists(app.inbox().resolve(".done/" + ORDER + "/key/IMG_0042.jpg")));
        List<StoredPhoto> photos = sandbox.photos(ORDER);
        assertThat(photos).hasSize(1);
        StoredPhoto photo = photos.get(0);
        assertThat(photo.typeId()).isEqualTo(27);
        assertThat(photo.sha256()).isEqualTo(sha256(KEY_JPEG));
        assertThat(sha256(sandbox.file(photo.id()))).isEqualTo(sha256(KEY_JPEG));
        assertThat(photo.pictureTime()).isEqualTo("2025-06-14 09:31:07");
        assertThat(photo.requestedFileName()).isEqualTo(PhotoUploader.taggedFileName("IMG_0042.jpg", sha256(KEY_JPEG)));
        assertThat(photo.imageName()).isEqualTo("Key - IMG_0042.jpg");
        assertThat(app.inbox().resolve(ORDER + "/key/IMG_0042.jpg")).doesNotExist();

        PhotoRecord row = app.ledger().photos(ORDER).get(0);
        assertThat(row.state()).isEqualTo(PhotoState.UPLOADED);
        assertThat(row.rcAttachmentId()).isEqualTo(photo.id());
        assertThat(row.typeId()).isEqualTo(27);
        assertThat(row.mediaKind()).isEqualTo("IMAGE");
        assertThat(row.sha256()).isEqualTo(sha256(KEY_JPEG));
        assertThat(row.pictureTimeFrom()).isEqualTo("EXIF");
        assertThat(row.attempts()).isEqualTo(1);
        assertThat(app.ledger().timeline(ORDER)).extracting(PhotoEvent::kind)
                .containsSubsequence("RECEIVED", "UPLOADING", "UPLOADED");
    }

    @Test
    void fileWithoutTypeFolderGetsTheDefaultType() throws Exception {
        app = RunningPhotoBridge.start(home);
        drop(KEY_JPEG, ORDER + "/IMG_0001.jpg");
        await().atMost(WAIT).until(() -> app.sandbox().photos(ORDER).size() == 1);
        assertThat(app.sandbox().photos(ORDER).get(0).typeId()).isEqualTo(2);
    }

    @Test
    void sameBytesDroppedTwiceAreUploadedOnce() throws Exception {
        app = RunningPhotoBridge.start(home);
        drop(KEY_JPEG, ORDER + "/key/first.jpg");
        await().atMost(WAIT).until(() -> Files.exists(app.inbox().resolve(".done/" + ORDER + "/key/first.jpg")));

        drop(KEY_JPEG, ORDER + "/key/second.jpg");
        await().atMost(WAIT).until(() -> Files.exists(app.inbox().resolve(".done/" + ORDER + "/key/second.jpg")));

        assertThat(app.sandbox().photos(ORDER)).hasSize(1);
        assertThat(app.sandbox().createRequests()).isEqualTo(1);
        assertThat(app.ledger().photos(ORDER)).hasSize(1);
        assertThat(app.ledger().timeline(ORDER)).extracting(PhotoEvent::kind).contains("SEEN_AGAIN", "DUPLICATE");
    }

    @Test
    void sameBytesDroppedAgainAfterRestartAreNotUploadedAgain() throws Exception {
        app = RunningPhotoBridge.start(home);
        drop(KEY_JPEG, ORDER + "/key/a.jpg");
        await().atMost(WAIT).until(() -> Files.exists(app.inbox().resolve(".done/" + ORDER + "/key/a.jpg")));
        app.close();

        app = RunningPhotoBridge.start(home);
        drop(KEY_JPEG, ORDER + "/key/b.jpg");
        await().atMost(WAIT).until(() -> Files.exists(app.inbox().resolve(".done/" + ORDER + "/key/b.jpg")));
        assertThat(app.sandbox().photos(ORDER)).hasSize(1);
        assertThat(app.sandbox().createRequests()).isZero();
    }

    @Test
    void injected503TwiceThenSuccessGivesOnePhotoAfterThreeAttempts() throws Exception {
        app = RunningPhotoBridge.start(home);
        app.sandbox().faults().failNext(2, "/photos", new FaultInjector.Status(503, null, null));

        drop(KEY_JPEG, ORDER + "/key/retry.jpg");

        await().atMost(WAIT).until(() -> Files.exists(app.inbox().resolve(".done/" + ORDER + "/key/retry.jpg")));
        assertThat(app.sandbox().photos(ORDER)).hasSize(1);
        assertThat(app.sandbox().faults().injected()).isEqualTo(2);
        PhotoRecord row = app.ledger().photos(ORDER).get(0);
        assertThat(row.state()).isEqualTo(PhotoState.UPLOADED);
        assertThat(row.attempts()).isEqualTo(3);
        assertThat(app.ledger().timeline(ORDER)).extracting(PhotoEvent::kind).containsSubsequence("UPLOADING", "RETRY", "RETRY", "UPLOADED");
    }

    @Test
    void throttled429WithRetryAfterIsRetriedAndDelivered() throws Exception {
        app = RunningPhotoBridge.start(home);
        app.sandbox().faults().failNext(1, "/photos", new FaultInjector.Status(429, null, 1));

        drop(KEY_JPEG, ORDER + "/key/throttled.jpg");

        await().atMost(WAIT).until(() -> Files.exists(app.inbox().resolve(".done/" + ORDER + "/key/throttled.jpg")));
        assertThat(app.sandbox().photos(ORDER)).hasSize(1);
        assertThat(app.ledger().timeline(ORDER)).extracting(PhotoEvent::detail)
                .anyMatch(d -> d != null && d.contains("HTTP 429"));
    }

    @Test
    void droppedConnectionIsRetriedWithoutDuplicate() throws Exception {
        app = RunningPhotoBridge.start(home);
        app.sandbox().faults().failNext(1, "/photos", new FaultInjector.Drop());

        drop(KEY_JPEG, ORDER + "/key/dropped.jpg");

        await().atMost(WAIT).until(() -> Files.exists(app.inbox().resolve(".done/" + ORDER + "/key/dropped.jpg")));
        assertThat(app.sandbox().photos(ORDER)).hasSize(1);
        assertThat(app.ledger().photos(ORDER).get(0).state()).isEqualTo(PhotoState.UPLOADED);
    }

    @Test
    void uploadAnsweredOnlyAfterTheTimeoutIsFoundByTheRetryNotSentTwice() throws Exception {
        // RecoveryConnect stores the photo 500 ms after the client gave up; the retry looks for it only after 1.5 s
        app = RunningPhotoBridge.start(home, Map.of("photobridge.recoveryconnect.upload-timeout-ms", "1000",
                "photobridge.recoveryconnect.unknown-outcome-delay-ms", "1500"));
        app.sandbox().faults().failNext(1, "/photos", new FaultInjector.Slow(Duration.ofMillis(1500)));

        drop(KEY_JPEG, ORDER + "/key/slow.jpg");

        await().atMost(WAIT).until(() -> Files.exists(app.inbox().resolve(".done/" + ORDER + "/key/slow.jpg")));
        // the retry found the photo the slow upload stored: that upload has landed, and nothing else may come
        await().atMost(WAIT).until(() -> app.ledger().timeline(ORDER).stream()
                .anyMatch(e -> e.detail() != null && e.detail().startsWith("reconciled")));
        assertThat(app.sandbox().photos(ORDER)).hasSize(1);
        assertThat(app.sandbox().createRequests()).isEqualTo(1);
        PhotoRecord row = app.ledger().photos(ORDER).get(0);
        assertThat(row.state()).isEqualTo(PhotoState.UPLOADED);
        assertThat(row.rcAttachmentId()).isEqualTo(app.sandbox().photos(ORDER).get(0).id());
        assertThat(app.ledger().timeline(ORDER)).extracting(PhotoEvent::detail)
                .anyMatch(d -> d != null && d.startsWith("reconciled"));
    }

    @Test
    void expiredTokenIsRenewedAndTheUploadSucceeds() throws Exception {
        app = RunningPhotoBridge.start(home);
        drop(KEY_JPEG, ORDER + "/key/before.jpg");
        await().atMost(WAIT).until(() -> app.sandbox().photos(ORDER).size() == 1);

        app.sandbox().expireTokens();
        drop(Path.of("src/test/resources/media/offset-exif.jpg"), ORDER + "/general/after.jpg");

        await().atMost(WAIT).until(() -> Files.exists(app.inbox().resolve(".done/" + ORDER + "/general/after.jpg")));
        assertThat(app.sandbox().photos(ORDER)).hasSize(2);
    }

    @Test
    void vendor400MovesTheFileToErrorWithTheVendorMessage() throws Exception {
        app = RunningPhotoBridge.start(home, Map.of("photobridge.recoveryconnect.type-folders.bogus", "999"));

        drop(KEY_JPEG, ORDER + "/bogus/bad-type.jpg");

        Path failed = app.inbox().resolve(".error/" + ORDER + "/bogus/bad-type.jpg");
        Path note = app.inbox().resolve(".error/" + ORDER + "/bogus/bad-type.jpg.error.txt");
        await().atMost(WAIT).until(() -> Files.exists(failed) && Files.exists(note));
        assertThat(sha256(failed)).isEqualTo(sha256(KEY_JPEG));
        assertThat(Files.readString(note)).contains("HTTP 400").contains("The selected type is invalid.");
        PhotoRecord row = app.ledger().photos(ORDER).get(0);
        assertThat(row.state()).isEqualTo(PhotoState.FAILED);
        assertThat(row.lastError()).contains("HTTP 400 The selected type is invalid.");
        assertThat(row.attempts()).isEqualTo(1);
        assertThat(app.sandbox().photos(ORDER)).isEmpty();
    }

    @Test
    void unknownOrderFailsWithTheVendor404Message() throws Exception {
        app = RunningPhotoBridge.start(home);
        drop(KEY_JPEG, "11111111/key/nobody.jpg");
        Path note = app.inbox().resolve(".error/11111111/key/nobody.jpg.error.txt");
        await().atMost(WAIT).until(() -> Files.exists(note) && Files.exists(app.inbox().resolve(".error/11111111/key/nobody.jpg")));
        assertThat(Files.readString(note)).contains("HTTP 404");
        assertThat(app.ledger().photos(11111111L).get(0).state()).isEqualTo(PhotoState.FAILED);
    }

    @Test
    void fileOutsideAnOrderFolderGoesToErrorSayingWhy() throws Exception {
        app = RunningPhotoBridge.start(home);
        drop(KEY_JPEG, "not-an-order/stray.jpg");

        Path note = app.inbox().resolve(".error/not-an-order/stray.jpg.error.txt");
        Path kept = app.inbox().resolve(".error/not-an-order/stray.jpg");
        await().atMost(WAIT).until(() -> Files.exists(note) && Files.exists(kept));
        assertThat(Files.readString(note)).contains("not-an-order/stray.jpg").contains("is not an order id");
        assertThat(app.ledger().rejections()).extracting(PhotoEvent::detail)
                .anyMatch(d -> d.contains("is not an order id"));
        assertThat(app.sandbox().createRequests()).isZero();
    }

    @Test
    void textFileWithJpgNameIsRejectedAndKept() throws Exception {
        app = RunningPhotoBridge.start(home);
        Path target = app.inbox().resolve(ORDER + "/key/notes.jpg");
        Files.createDirectories(target.getParent());
        Files.writeString(target, "this is not a photo, just some text typed by a driver\n".repeat(20));

        Path note = app.inbox().resolve(".error/" + ORDER + "/key/notes.jpg.error.txt");
        Path kept = app.inbox().resolve(".error/" + ORDER + "/key/notes.jpg");
        await().atMost(WAIT).until(() -> Files.exists(note) && Files.exists(kept));
        assertThat(Files.readString(note)).contains("notes.jpg").contains("is not an accepted image or video");
        assertThat(app.sandbox().createRequests()).isZero();
        PhotoRecord row = app.ledger().photos(ORDER).get(0);
        assertThat(row.state()).isEqualTo(PhotoState.FAILED);
        assertThat(row.lastError()).contains("is not an accepted image or video");
        assertThat(row.originalName()).isEqualTo("notes.jpg");
    }

    @Test
    void photoLeftUploadingByACrashedRunIsReconciledNotUploadedAgain() throws Exception {
        byte[] bytes = Files.readAllBytes(KEY_JPEG);
        String sha = sha256(KEY_JPEG);
        String tagged = PhotoUploader.taggedFileName("crash.jpg", sha);

        // First run: the upload reached RecoveryConnect, then the process died before the ledger said UPLOADED.
        app = RunningPhotoBridge.start(home);
        StoredPhoto alreadyThere = app.sandbox().seedPhoto(ORDER, tagged, 27, bytes, "2025-06-14 09:31:07");
        Ledger.Admission admission = app.ledger().admit(new io.photobridge.records.NewPhotoRecord(ORDER, sha,
                "file:///camera/crash.jpg", "crash.jpg", "IMAGE", "image/jpeg", bytes.length, 27, null, null, null, null));
        assertThat(app.ledger().claim(admission.record().id(), "crashed-run", tagged)).isEqualTo(Ledger.Claim.FRESH);
        app.close();

        // Restart: the file is still in the inbox.
        drop(KEY_JPEG, ORDER + "/key/crash.jpg");
        app = RunningPhotoBridge.start(home);

        await().atMost(WAIT).until(() -> Files.exists(app.inbox().resolve(".done/" + ORDER + "/key/crash.jpg")));
        assertThat(app.sandbox().createRequests()).isZero();
        assertThat(app.sandbox().photos(ORDER)).hasSize(1);
        PhotoRecord row = app.ledger().get(admission.record().id()).orElseThrow();
        assertThat(row.state()).isEqualTo(PhotoState.UPLOADED);
        assertThat(row.rcAttachmentId()).isEqualTo(alreadyThere.id());
        assertThat(app.ledger().timeline(ORDER)).extracting(PhotoEvent::detail)
                .anyMatch(d -> d != null && d.startsWith("reconciled"));
    }

    @Test
    void photoLeftUploadingThatNeverArrivedIsUploadedAtRestart() throws Exception {
        String sha = sha256(KEY_JPEG);
        String tagged = PhotoUploader.taggedFileName("lost.jpg", sha);
        app = RunningPhotoBridge.start(home);
        Ledger.Admission admission = app.ledger().admit(new io.photobridge.records.NewPhotoRecord(ORDER, sha,
                "file:///camera/lost.jpg", "lost.jpg", "IMAGE", "image/jpeg", Files.size(KEY_JPEG), 27, null, null, null, null));
        app.ledger().claim(admission.record().id(), "crashed-run", tagged);
        app.close();

        drop(KEY_JPEG, ORDER + "/key/lost.jpg");
        app = RunningPhotoBridge.start(home);

        await().atMost(WAIT).until(() -> Files.exists(app.inbox().resolve(".done/" + ORDER + "/key/lost.jpg")));
        assertThat(app.sandbox().createRequests()).isEqualTo(1);
        assertThat(app.sandbox().photos(ORDER)).hasSize(1);
        assertThat(app.ledger().get(admission.record().id()).orElseThrow().state()).isEqualTo(PhotoState.UPLOADED);
    }

    @Test
    void healthIsUpAndMetricsCountUploads() throws Exception {
        app = RunningPhotoBridge.start(home);
        drop(KEY_JPEG, ORDER + "/key/metric.jpg");
        await().atMost(WAIT).until(() -> Files.exists(app.inbox().resolve(".done/" + ORDER + "/key/metric.jpg")));

        HttpClient http = TestHttp.client();
        HttpResponse<String> health = http.send(HttpRequest.newBuilder(URI.create(app.httpBase() + "/observe/health")).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(health.statusCode()).isEqualTo(200);
        assertThat(health.body()).contains("UP");

        HttpResponse<String> metrics = http.send(HttpRequest.newBuilder(URI.create(app.httpBase() + "/observe/metrics")).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(metrics.statusCode()).isEqualTo(200);
        assertThat(metrics.body()).containsPattern("photobridge_photos_uploaded_total(\\{[^}]*\\})? 1\\.0")
                .containsPattern("photobridge_photos_received_total(\\{[^}]*\\})? 1\\.0")
                .contains("photobridge_upload_seconds");
    }

    private void drop(Path fixture, String relative) throws IOException {
        Path target = home.resolve("inbox").resolve(relative);
        Files.createDirectories(target.getParent());
        Files.copy(fixture, target);
    }

    static String sha256(Path file) throws Exception {
        MessageDigest digest = MessageDigest.getInstance("SHA-256");
        try (InputStream in = Files.newInputStream(file)) {
            byte[] buffer = new byte[8192];
            for (int n; (n = in.read(buffer)) > 0; ) {
                digest.update(buffer, 0, n);
            }
        }
        return HexFormat.of().formatHex(digest.digest());
    }
}
