package io.photobridge;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.photobridge.cluster.LedgerClusterService;
import io.photobridge.jobs.JobRecords;
import io.photobridge.jobs.ScheduledJobs;
import io.photobridge.records.Ledger;
import io.photobridge.records.NewPhotoRecord;
import io.photobridge.records.PhotoEvent;
import io.photobridge.records.PhotoRecord;
import io.photobridge.records.PhotoState;
import io.photobridge.recoveryconnect.PhotoUploader;
import io.photobridge.recoveryconnect.RecoveryConnectClient;
import io.photobridge.sandbox.FaultInjector;
import io.photobridge.sandbox.StoredPhoto;
import org.apache.camel.component.quartz.QuartzComponent;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.quartz.JobKey;

import static io.photobridge.DropFolderToRecoveryConnectTest.sha256;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** The reconciliation job on the real Main: run through POST /api/reconcile, against the RecoveryConnect sandbox. */
class ReconciliationTest {

    private static final long ORDER = 57076503L;
    private static final long OTHER_ORDER = 57076504L;
    private static final Path KEY_JPEG = Path.of("src/test/resources/media/key-exif.jpg");
    private static final Path PNG = Path.of("src/test/resources/media/no-exif.png");
    private static final Duration WAIT = Duration.ofSeconds(20);
    private static final ObjectMapper JSON = new ObjectMapper();

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
    void photoDeletedInRecoveryConnectIsFlaggedOnceAndNotSentAgainByDefault() throws Exception {
        app = RunningPhotoBridge.start(home);
        StoredPhoto stored = deliver(KEY_JPEG, ORDER + "/key/IMG_0042.jpg");

        assertThat(delete(ORDER, stored.id())).isEqualTo(204);
        assertThat(app.sandbox().photos(ORDER)).isEmpty();

        JsonNode run = reconcile();
        assertThat(run.path("outcome").asText()).isEqualTo("OK");
        assertThat(run.path("counts").path("checked").asInt()).isEqualTo(1);
        assertThat(run.path("counts").path("missing").asInt()).isEqualTo(1);
        assertThat(run.path("counts").path("reuploaded").asInt()).isZero();
        assertThat(run.path("details").toString()).contains("attachment " + stored.id()).contains("not sent again");
        assertThat(app.sandbox().photos(ORDER)).isEmpty();
        assertThat(app.sandbox().createRequests()).isEqualTo(1);
        // the records say it is not in RecoveryConnect, once
        PhotoRecord row = app.ledger().photos(ORDER).get(0);
        assertThat(row.state()).isEqualTo(PhotoState.FAILED);
        assertThat(row.rcAttachmentId()).isNull();
        assertThat(row.lastError()).contains("no longer in RecoveryConnect").contains("reupload=false");
        assertThat(reconcile().path("counts").path("missing").asInt()).isZero();
        assertThat(app.ledger().timeline(ORDER)).filteredOn(e -> e.kind().equals("RC_MISSING")).singleElement()
                .satisfies(e -> assertThat(e.detail()).contains("attachment " + stored.id()).contains("put the file back"));

        // an operator who wants it there puts the file back: sent again, once
        Files.move(app.inbox().resolve(".done/" + ORDER + "/key/IMG_0042.jpg"), app.inbox().resolve(ORDER + "/key/IMG_0042.jpg"));
        await().atMost(WAIT).until(() -> app.sandbox().photos(ORDER).size() == 1
                && app.ledger().photos(ORDER).get(0).state() == PhotoState.UPLOADED);
        assertThat(app.sandbox().createRequests()).isEqualTo(2);

        JsonNode jobs = JSON.readTree(get("/api/jobs").body()).path("jobs");
        JsonNode reconcile = jobs.get(0);
        assertThat(reconcile.path("job").asText()).isEqualTo("reconcile");
        assertThat(reconcile.path("cron").asText()).isEqualTo("0 0 2 * * ?");
        assertThat(reconcile.path("nextRun").asText()).isNotEmpty().isNotEqualTo("null");
        assertThat(reconcile.path("lastRun").path("outcome").asText()).isEqualTo("OK");
        assertThat(reconcile.path("lastRun").path("summary").asText()).contains("checked=0").contains("missing=0");
        assertThat(jobs).extracting(j -> j.path("job").asText())
                .containsExactly("reconcile", "housekeeping-done", "housekeeping-storage", "housekeeping-timeline");

        assertThat(get("/observe/health?data=true").body()).contains("job.reconcile.outcome").contains("job.reconcile.next-run");
        assertThat(get("/observe/metrics").body())
                .containsPattern("photobridge_job_runs_total\\{[^}]*job=\"reconcile\"[^}]*outcome=\"OK\"[^}]*\\} 2\\.0|"
                        + "photobridge_job_runs_total\\{[^}]*outcome=\"OK\"[^}]*job=\"reconcile\"[^}]*\\} 2\\.0")
                .contains("photobridge_job_items_total");
    }

    @Test
    void photoDeletedInRecoveryConnectIsUploadedAgainExactlyOnceWhenSet() throws Exception {
        app = RunningPhotoBridge.start(home, Map.of("photobridge.reconcile.reupload", "true"));
        StoredPhoto stored = deliver(KEY_JPEG, ORDER + "/key/IMG_0042.jpg");
        assertThat(delete(ORDER, stored.id())).isEqualTo(204);

        JsonNode run = reconcile();
        assertThat(run.path("outcome").asText()).isEqualTo("OK");
        assertThat(run.path("counts").path("missing").asInt()).isEqualTo(1);
        assertThat(run.path("counts").path("reuploaded").asInt()).isEqualTo(1);

        assertThat(app.sandbox().photos(ORDER)).singleElement().satisfies(p -> {
            assertThat(p.id()).isNotEqualTo(stored.id());
            assertThat(p.sha256()).isEqualTo(sha256(KEY_JPEG));
            assertThat(p.fileName()).contains(PhotoUploader.taggedFileName("IMG_0042.jpg", sha256(KEY_JPEG)));
        });
        PhotoRecord row = app.ledger().photos(ORDER).get(0);
        assertThat(row.state()).isEqualTo(PhotoState.UPLOADED);
        assertThat(row.rcAttachmentId()).isEqualTo(app.sandbox().photos(ORDER).get(0).id());
        assertThat(app.ledger().timeline(ORDER)).extracting(PhotoEvent::kind).containsSubsequence("UPLOADED", "RC_MISSING",
                "UPLOADING", "UPLOADED");
        // the file stays where it was delivered
        assertThat(app.inbox().resolve(".done/" + ORDER + "/key/IMG_0042.jpg")).exists();

        // in RecoveryConnect again: the next run finds nothing to do, and nothing is sent twice
        JsonNode again = reconcile();
        assertThat(again.path("counts").path("missing").asInt()).isZero();
        assertThat(again.path("counts").path("reuploaded").asInt()).isZero();
        assertThat(app.sandbox().createRequests()).isEqualTo(2);
        assertThat(app.sandbox().photos(ORDER)).hasSize(1);
    }

    @Test
    void deletedPhotoWhoseBytesAreGoneStaysFlaggedAndTheRunSaysSo() throws Exception {
        app = RunningPhotoBridge.start(home, Map.of("photobridge.reconcile.reupload", "true",
                "photobridge.inspektlabs.enabled", "false"));
        StoredPhoto stored = deliver(KEY_JPEG, ORDER + "/key/IMG_0042.jpg");
        assertThat(delete(ORDER, stored.id())).isEqualTo(204);
        Files.delete(app.inbox().resolve(".done/" + ORDER + "/key/IMG_0042.jpg"));

        JsonNode run = reconcile();
        assertThat(run.path("outcome").asText()).isEqualTo("PARTIAL");
        assertThat(run.path("counts").path("missing").asInt()).isEqualTo(1);
        assertThat(run.path("counts").path("reuploaded").asInt()).isZero();
        assertThat(run.path("errors").toString()).contains("its bytes are gone");
        assertThat(app.ledger().timeline(ORDER)).filteredOn(e -> e.kind().equals("RC_MISSING")).singleElement()
                .satisfies(e -> assertThat(e.detail()).contains("put the file back into the inbox"));
        assertThat(app.sandbox().createRequests()).isEqualTo(1);

        // putting the file back sends it again, once
        drop(KEY_JPEG, ORDER + "/key/IMG_0042.jpg");
        await().atMost(WAIT).until(() -> app.sandbox().photos(ORDER).size() == 1);
        assertThat(app.sandbox().createRequests()).isEqualTo(2);
    }

    @Test
    void unknownOrderIsReportedAndTheOthersAreStillChecked() throws Exception {
        app = RunningPhotoBridge.start(home);
        deliver(KEY_JPEG, ORDER + "/key/IMG_0042.jpg");
        // an order RecoveryConnect does not know: its upload is refused, the order is active in the records
        drop(PNG, "99000001/key/unknown.png");
        await().atMost(WAIT).until(() -> Files.exists(app.inbox().resolve(".error/99000001/key/unknown.png")));

        JsonNode run = reconcile();
        assertThat(run.path("outcome").asText()).isEqualTo("OK");
        assertThat(run.path("counts").path("orders").asInt()).isEqualTo(2);
        assertThat(run.path("counts").path("unknownOrders").asInt()).isEqualTo(1);
        assertThat(run.path("counts").path("checked").asInt()).isEqualTo(1);
        assertThat(run.path("details").toString()).contains("order 99000001: RecoveryConnect does not know this order");
    }

    @Test
    void serverErrorDuringReconciliationMakesThatOrderWaitForTheNextRun() throws Exception {
        app = RunningPhotoBridge.start(home);
        StoredPhoto first = deliver(KEY_JPEG, ORDER + "/key/IMG_0042.jpg");
        deliver(PNG, OTHER_ORDER + "/key/IMG_0043.png");
        assertThat(delete(ORDER, first.id())).isEqualTo(204);
        // the first order's photo list answers 503 once
        app.sandbox().faults().failNext(1, "/orders/" + ORDER + "/photos", new FaultInjector.Status(503));

        JsonNode run = reconcile();
        assertThat(run.path("outcome").asText()).isEqualTo("PARTIAL");
        assertThat(run.path("counts").path("orders").asInt()).isEqualTo(2);
        assertThat(run.path("counts").path("checked").asInt()).isEqualTo(1);
        assertThat(run.path("counts").path("missing").asInt()).isZero();
        assertThat(run.path("errors").toString()).contains("order " + ORDER + ": cannot list its photos").contains("503");
        assertThat(app.sandbox().faults().injected()).isEqualTo(1);

        JsonNode next = reconcile();
        assertThat(next.path("outcome").asText()).isEqualTo("OK");
        assertThat(next.path("counts").path("checked").asInt()).isEqualTo(2);
        assertThat(next.path("counts").path("missing").asInt()).isEqualTo(1);
    }

    @Test
    void taggedPhotoTheRecordsDoNotKnowIsRecordedAndAPhotoLeftUploadingIsResolved() throws Exception {
        app = RunningPhotoBridge.start(home, Map.of("photobridge.reconcile.uploading-minutes", "0"));
        byte[] bytes = Files.readAllBytes(KEY_JPEG);
        String sha = sha256(KEY_JPEG);
        // a photo whose upload reached RecoveryConnect but whose confirmation was never recorded
        String tagged = PhotoUploader.taggedFileName("stuck.jpg", sha);
        StoredPhoto arrived = app.sandbox().seedPhoto(ORDER, tagged, 27, bytes, "2025-06-14 09:31:07");
        Ledger ledger = app.ledger();
        long stuck = ledger.admit(new NewPhotoRecord(ORDER, sha, "file:///camera/stuck.jpg", "stuck.jpg", "IMAGE", "image/jpeg",
                bytes.length, 27, null, null, null, null)).record().id();
        ledger.claim(stuck, "crashed-run", tagged);
        // a photo tagged by PhotoBridge that these records never saw
        StoredPhoto stranger = app.sandbox().seedPhoto(ORDER, "IMG_0007-pb0123456789ab.jpg", 2, Files.readAllBytes(PNG),
                "2025-06-14 09:31:07");

        JsonNode run = reconcile();
        assertThat(run.path("outcome").asText()).isEqualTo("OK");
        assertThat(run.path("counts").path("resolved").asInt()).isEqualTo(1);
        assertThat(run.path("counts").path("untracked").asInt()).isEqualTo(1);
        PhotoRecord row = ledger.get(stuck).orElseThrow();
        assertThat(row.state()).isEqualTo(PhotoState.UPLOADED);
        assertThat(row.rcAttachmentId()).isEqualTo(arrived.id());
        assertThat(ledger.timeline(ORDER)).filteredOn(e -> e.kind().equals("RC_UNTRACKED")).singleElement()
                .satisfies(e -> assertThat(e.detail()).contains("attachment " + stranger.id()).contains("pb0123456789ab"));

        reconcile();
        assertThat(ledger.timeline(ORDER)).filteredOn(e -> e.kind().equals("RC_UNTRACKED")).hasSize(1);
        assertThat(app.sandbox().createRequests()).isZero();

        // a photo transferred to another order is no stranger there: the order it came from knows it
        app.context().getRegistry().lookupByNameAndType("recoveryConnect", RecoveryConnectClient.class)
                .transferPhoto(ORDER, arrived.id(), List.of(OTHER_ORDER));
        ledger.event(null, OTHER_ORDER, null, "NOTE", "active");
        JsonNode afterTransfer = reconcile();
        assertThat(afterTransfer.path("counts").path("transferredIn").asInt()).isEqualTo(1);
        assertThat(afterTransfer.path("counts").path("untracked").asInt()).isEqualTo(1);
        assertThat(ledger.timeline(OTHER_ORDER)).extracting(PhotoEvent::kind).doesNotContain("RC_UNTRACKED");
    }

    @Test
    void aJobRunningOnAnotherInstanceIsSkippedAndTheApiNeedsTheToken() throws Exception {
        // on the machine's PostgreSQL: only there can another instance hold a job's run lock
        String url = "jdbc:postgresql://127.0.0.1:5432/test?currentSchema=" + newSchema();
        app = RunningPhotoBridge.start(home, Map.of("photobridge.records.url", url, "photobridge.records.user", "postgres"));
        LedgerClusterService other = new LedgerClusterService("other-instance", url, "postgres", "", app.ledger().dataSource(),
                Duration.ofSeconds(1));
        AutoCloseable running = other.tryRunLock(ScheduledJobs.runLock("reconcile")).orElseThrow();

        HttpResponse<String> busy = post("/api/reconcile", RunningPhotoBridge.API_TOKEN);
        assertThat(busy.statusCode()).isEqualTo(409);
        assertThat(busy.body()).contains("SKIPPED").contains("other-instance");

        running.close();
        assertThat(post("/api/reconcile", RunningPhotoBridge.API_TOKEN).statusCode()).isEqualTo(200);
        assertThat(post("/api/reconcile", "wrong-token").statusCode()).isEqualTo(401);
        assertThat(post("/api/jobs/no-such-job", RunningPhotoBridge.API_TOKEN).statusCode()).isEqualTo(404);
    }

    private static String newSchema() throws Exception {
        String schema = "pb_test_" + java.util.UUID.randomUUID().toString().replace("-", "");
        try (java.sql.Connection c = java.sql.DriverManager.getConnection("jdbc:postgresql://127.0.0.1:5432/test", "postgres", "");
             java.sql.Statement st = c.createStatement()) {
            st.execute("create schema " + schema);
        }
        return schema;
    }

    @Test
    void theCronRouteRunsTheJobWhenQuartzFiresIt() throws Exception {
        app = RunningPhotoBridge.start(home);
        deliver(KEY_JPEG, ORDER + "/key/IMG_0042.jpg");
        // fire the route's Quartz job now instead of waiting for 02:00
        app.context().getComponent("quartz", QuartzComponent.class).getScheduler()
                .triggerJob(JobKey.jobKey("reconcile", "photobridge"));

        JobRecords records = new JobRecords(app.ledger());
        await().atMost(WAIT).until(() -> records.runs("reconcile", 1).stream().anyMatch(r -> r.outcome() != null));
        JobRecords.Run run = records.runs("reconcile", 1).get(0);
        assertThat(run.trigger()).isEqualTo("cron");
        assertThat(run.outcome()).isEqualTo("OK");
        assertThat(run.summary()).contains("orders=1").contains("checked=1").contains("missing=0");
        assertThat(app.context().getRegistry().lookupByNameAndType("scheduledJobs", ScheduledJobs.class).status())
                .filteredOn(job -> job.get("job").equals("reconcile")).singleElement()
                .satisfies(job -> assertThat(job.get("runningOn")).isNull());
    }

    private StoredPhoto deliver(Path fixture, String relative) throws IOException {
        drop(fixture, relative);
        long order = Long.parseLong(relative.substring(0, relative.indexOf('/')));
        int before = app.sandbox().photos(order).size();
        await().atMost(WAIT).until(() -> Files.exists(app.inbox().resolve(".done/" + relative))
                && app.sandbox().photos(order).size() == before + 1);
        return app.sandbox().photos(order).get(before);
    }

    private void drop(Path fixture, String relative) throws IOException {
        Path target = app.inbox().resolve(relative);
        Files.createDirectories(target.getParent());
        Files.copy(fixture, target);
    }

    private int delete(long order, long photoId) throws Exception {
        return TestHttp.client().send(HttpRequest.newBuilder(URI.create(app.sandbox().baseUrl() + "/sandbox/orders/"
                + order + "/photos/" + photoId)).DELETE().build(), HttpResponse.BodyHandlers.discarding()).statusCode();
    }

    private JsonNode reconcile() throws Exception {
        HttpResponse<String> answer = post("/api/reconcile", RunningPhotoBridge.API_TOKEN);
        assertThat(answer.statusCode()).as(answer.body()).isEqualTo(200);
        return JSON.readTree(answer.body());
    }

    private HttpResponse<String> post(String path, String token) throws Exception {
        return TestHttp.client().send(HttpRequest.newBuilder(URI.create(app.httpBase() + path))
                .header("Authorization", "Bearer " + token).POST(HttpRequest.BodyPublishers.noBody()).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    private HttpResponse<String> get(String path) throws Exception {
        return TestHttp.client().send(HttpRequest.newBuilder(URI.create(app.httpBase() + path))
                .header("Authorization", "Bearer " + RunningPhotoBridge.API_TOKEN).build(), HttpResponse.BodyHandlers.ofString());
    }
}
