package io.photobridge;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Duration;
import java.util.Map;

import io.photobridge.records.Ledger;
import io.photobridge.records.NewPhotoRecord;
import io.photobridge.records.PhotoEvent;
import io.photobridge.records.PhotoRecord;
import io.photobridge.records.PhotoState;
import io.photobridge.recoveryconnect.PhotoUploader;
import io.photobridge.sandbox.FaultInjector;
import io.photobridge.sandbox.StoredPhoto;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static io.photobridge.DropFolderToRecoveryConnectTest.sha256;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** Never a second copy: a photo whose earlier upload may have reached RecoveryConnect is looked up by its tag before a re-send. */
class ResendTest {

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
    void uploadStoredAfterTheClientGaveUpIsNotFailedAndPuttingItBackLeavesOneCopy() throws Exception {
        // no retry within the exchange: the upload that got no answer is given up at once and its file goes to .error/
        app = RunningPhotoBridge.start(home, Map.of("photobridge.retry.max-redeliveries", "0",
                "photobridge.recoveryconnect.upload-timeout-ms", "1000"));
        app.sandbox().faults().failNext(1, "/photos", new FaultInjector.Slow(Duration.ofMillis(2000)));

        drop(KEY_JPEG, ORDER + "/key/late.jpg");

        Path kept = app.inbox().resolve(".error/" + ORDER + "/key/late.jpg");
        Path note = app.inbox().resolve(".error/" + ORDER + "/key/late.jpg.error.txt");
        await().atMost(WAIT).until(() -> Files.exists(kept) && Files.exists(note));
        String tagged = PhotoUploader.taggedFileName("late.jpg", sha256(KEY_JPEG));
        assertThat(Files.readString(note)).contains("could not confirm the delivery of " + ORDER + "/key/late.jpg")
                .contains("outcome: unknown").contains("(sent as " + tagged + ")")
                .contains("Putting the input back into the inbox is safe");
        PhotoRecord row = app.ledger().photos(ORDER).get(0);
        assertThat(row.state()).isEqualTo(PhotoState.UPLOADING);
        assertThat(row.lastError()).contains("no answer");
        assertThat(app.ledger().timeline(ORDER)).extracting(PhotoEvent::kind).contains("OUTCOME_UNKNOWN").doesNotContain("FAILED");

        // RecoveryConnect stores the photo the client gave up on
        await().atMost(WAIT).until(() -> app.sandbox().photos(ORDER).size() == 1);
        StoredPhoto stored = app.sandbox().photos(ORDER).get(0);

        Files.move(kept, app.inbox().resolve(ORDER + "/key/late.jpg"));

        await().atMost(WAIT).until(() -> Files.exists(app.inbox().resolve(".done/" + ORDER + "/key/late.jpg")));
        assertThat(app.sandbox().photos(ORDER)).hasSize(1);
        assertThat(app.sandbox().createRequests()).isEqualTo(1);
        row = app.ledger().get(row.id()).orElseThrow();
        assertThat(row.state()).isEqualTo(PhotoState.UPLOADED);
        assertThat(row.rcAttachmentId()).isEqualTo(stored.id());
        assertThat(app.ledger().timeline(ORDER)).extracting(PhotoEvent::detail)
                .anyMatch(d -> d != null && d.startsWith("reconciled"));
        assertThat(metrics()).containsPattern("photobridge_photos_unconfirmed_total(\\{[^}]*\\})? 1\\.0")
                .doesNotContainPattern("photobridge_photos_failed_total(\\{[^}]*\\})? [1-9]");
    }

    @Test
    void droppedUploadThatNeverArrivedIsLookedUpThenSentOnceWhenPutBack() throws Exception {
        app = RunningPhotoBridge.start(home, Map.of("photobridge.retry.max-redeliveries", "0"));
        app.sandbox().faults().failNext(1, "/photos", new FaultInjector.Drop());

        drop(KEY_JPEG, ORDER + "/key/dropped.jpg");

        Path kept = app.inbox().resolve(".error/" + ORDER + "/key/dropped.jpg");
        await().atMost(WAIT).until(() -> Files.exists(kept)
                && Files.exists(app.inbox().resolve(".error/" + ORDER + "/key/dropped.jpg.error.txt")));
        assertThat(app.ledger().photos(ORDER).get(0).state()).isEqualTo(PhotoState.UPLOADING);

        Files.move(kept, app.inbox().resolve(ORDER + "/key/dropped.jpg"));

        await().atMost(WAIT).until(() -> Files.exists(app.inbox().resolve(".done/" + ORDER + "/key/dropped.jpg")));
        assertThat(app.sandbox().photos(ORDER)).hasSize(1);
        assertThat(app.sandbox().createRequests()).isEqualTo(1);
        assertThat(app.ledger().photos(ORDER).get(0).state()).isEqualTo(PhotoState.UPLOADED);
        assertThat(app.ledger().timeline(ORDER)).extracting(PhotoEvent::kind)
                .containsSubsequence("UPLOADING", "OUTCOME_UNKNOWN", "UPLOADING", "LOOKED_UP", "UPLOADED");
    }

    @Test
    void failedPhotoWithAnAttachmentIdIsReconciledWhenIngestedAgain() throws Exception {
        byte[] bytes = Files.readAllBytes(KEY_JPEG);
        String sha = sha256(KEY_JPEG);
        String tagged = PhotoUploader.taggedFileName("attached.jpg", sha);
        app = RunningPhotoBridge.start(home);
        StoredPhoto alreadyThere = app.sandbox().seedPhoto(ORDER, tagged, 27, bytes, "2025-06-14 09:31:07");
        Ledger ledger = app.ledger();
        long id = ledger.admit(new NewPhotoRecord(ORDER, sha, "file:///camera/attached.jpg", "attached.jpg", "IMAGE",
                "image/jpeg", bytes.length, 27, null, null, null, null)).record().id();
        ledger.claim(id, "earlier-run", tagged);
        ledger.markUploaded(id, alreadyThere.id(), "uploaded");
        ledger.markFailed(id, "a later step failed");

        drop(KEY_JPEG, ORDER + "/key/attached.jpg");

        await().atMost(WAIT).until(() -> Files.exists(app.inbox().resolve(".done/" + ORDER + "/key/attached.jpg")));
        assertThat(app.sandbox().createRequests()).isZero();
        assertThat(app.sandbox().photos(ORDER)).hasSize(1);
        PhotoRecord row = ledger.get(id).orElseThrow();
        assertThat(row.state()).isEqualTo(PhotoState.UPLOADED);
        assertThat(row.rcAttachmentId()).isEqualTo(alreadyThere.id());
        assertThat(ledger.timeline(ORDER)).extracting(PhotoEvent::detail)
                .anyMatch(d -> d != null && d.startsWith("an earlier attempt may have reached RecoveryConnect"))
                .anyMatch(d -> d != null && d.startsWith("reconciled"));
    }

    @Test
    void photoLeftUploadingByAnExchangeOfThisRunThatEndedIsReconciledNotTakenForAnUploadInFlight() throws Exception {
        app = RunningPhotoBridge.start(home);
        drop(KEY_JPEG, ORDER + "/key/first.jpg");
        await().atMost(WAIT).until(() -> Files.exists(app.inbox().resolve(".done/" + ORDER + "/key/first.jpg")));
        String thisRun = claimedBy(app.ledger().photos(ORDER).get(0).id());

        // an exchange of this run claimed a photo, reached RecoveryConnect, and ended without recording anything
        Path other = Path.of("src/test/resources/media/offset-exif.jpg");
        byte[] bytes = Files.readAllBytes(other);
        String tagged = PhotoUploader.taggedFileName("abandoned.jpg", sha256(other));
        StoredPhoto alreadyThere = app.sandbox().seedPhoto(ORDER, tagged, 2, bytes, "2025-06-14 09:31:07");
        long id = app.ledger().admit(new NewPhotoRecord(ORDER, sha256(other), "file:///camera/abandoned.jpg", "abandoned.jpg",
                "IMAGE", "image/jpeg", bytes.length, 2, null, null, null, null)).record().id();
        app.ledger().claim(id, thisRun, tagged);

        drop(other, ORDER + "/abandoned.jpg");

        await().atMost(WAIT).until(() -> Files.exists(app.inbox().resolve(".done/" + ORDER + "/abandoned.jpg")));
        assertThat(app.sandbox().createRequests()).isEqualTo(1);
        assertThat(app.sandbox().photos(ORDER)).hasSize(2);
        PhotoRecord row = app.ledger().get(id).orElseThrow();
        assertThat(row.state()).isEqualTo(PhotoState.UPLOADED);
        assertThat(row.rcAttachmentId()).isEqualTo(alreadyThere.id());
    }

    @Test
    void uploadRefusedWith4xxIsSimplyResentWhenPutBack() throws Exception {
        app = RunningPhotoBridge.start(home);
        app.sandbox().faults().failNext(1, "/photos", new FaultInjector.Status(422, "The picture time is invalid.", null));

        drop(KEY_JPEG, ORDER + "/key/refused.jpg");

        Path kept = app.inbox().resolve(".error/" + ORDER + "/key/refused.jpg");
        Path note = app.inbox().resolve(".error/" + ORDER + "/key/refused.jpg.error.txt");
        await().atMost(WAIT).until(() -> Files.exists(kept) && Files.exists(note));
        assertThat(Files.readString(note)).contains("HTTP 422 The picture time is invalid.").doesNotContain("outcome: unknown");
        assertThat(app.ledger().photos(ORDER).get(0).state()).isEqualTo(PhotoState.FAILED);

        Files.move(kept, app.inbox().resolve(ORDER + "/key/refused.jpg"));

        await().atMost(WAIT).until(() -> Files.exists(app.inbox().resolve(".done/" + ORDER + "/key/refused.jpg")));
        assertThat(app.sandbox().faults().injected()).isEqualTo(1);
        assertThat(app.sandbox().createRequests()).isEqualTo(1);
        assertThat(app.sandbox().photos(ORDER)).hasSize(1);
        PhotoRecord row = app.ledger().photos(ORDER).get(0);
        assertThat(row.state()).isEqualTo(PhotoState.UPLOADED);
        assertThat(row.attempts()).isEqualTo(2);
        assertThat(app.ledger().timeline(ORDER)).filteredOn(e -> e.kind().equals("UPLOADING")).extracting(PhotoEvent::detail)
                .allMatch(d -> d.startsWith("uploading as "));
        assertThat(app.ledger().timeline(ORDER)).extracting(PhotoEvent::kind).doesNotContain("LOOKED_UP");
    }

    private String claimedBy(long photoId) throws Exception {
        try (Connection c = app.ledger().dataSource().getConnection();
             PreparedStatement st = c.prepareStatement("select claimed_by from photo where id = ?")) {
            st.setLong(1, photoId);
            try (ResultSet rs = st.executeQuery()) {
                assertThat(rs.next()).isTrue();
                return rs.getString(1);
            }
        }
    }

    private String metrics() throws Exception {
        HttpResponse<String> answer = TestHttp.client().send(
                HttpRequest.newBuilder(URI.create(app.httpBase() + "/observe/metrics")).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(answer.statusCode()).isEqualTo(200);
        return answer.body();
    }

    private void drop(Path fixture, String relative) throws IOException {
        Path target = home.resolve("inbox").resolve(relative);
        Files.createDirectories(target.getParent());
        Files.copy(fixture, target);
    }
}
