package io.photobridge;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Timestamp;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.photobridge.records.NewPhotoRecord;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;

/** The housekeeping jobs on the real Main, run through POST /api/jobs/{job}: each removes only what is no longer needed. */
class HousekeepingTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Instant LONG_AGO = Instant.now().minus(Duration.ofDays(40));

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
    void deliveredFilesAndTheTimelineAreKeptByDefault() throws Exception {
        app = RunningPhotoBridge.start(home);
        Path old = file(app.inbox().resolve(".done/57076503/key/old.jpg"), LONG_AGO);

        JsonNode done = run("housekeeping-done");
        assertThat(done.path("outcome").asText()).isEqualTo("OK");
        assertThat(done.path("counts").path("files").asInt()).isZero();
        assertThat(done.path("details").toString()).contains("photobridge.housekeeping.done-days=0");
        assertThat(old).exists();

        JsonNode timeline = run("housekeeping-timeline");
        assertThat(timeline.path("counts").path("events").asInt()).isZero();
        assertThat(timeline.path("details").toString()).contains("photobridge.housekeeping.timeline-days=0");
    }

    @Test
    void deliveredFilesOlderThanTheRetentionAreRemovedWithTheFoldersTheyLeaveEmpty() throws Exception {
        app = RunningPhotoBridge.start(home, Map.of("photobridge.housekeeping.done-days", "30"));
        Path old = file(app.inbox().resolve(".done/57076503/key/old.jpg"), LONG_AGO);
        Path recent = file(app.inbox().resolve(".done/57076503/key/recent.jpg"), Instant.now().minus(Duration.ofDays(2)));
        Path alone = file(app.inbox().resolve(".done/57076502/general/alone.jpg"), LONG_AGO);

        JsonNode run = run("housekeeping-done");
        assertThat(run.path("outcome").asText()).isEqualTo("OK");
        assertThat(run.path("counts").path("files").asInt()).isEqualTo(2);
        assertThat(run.path("counts").path("bytes").asLong()).isEqualTo(2 * 4);
        assertThat(old).doesNotExist();
        assertThat(alone).doesNotExist();
        assertThat(app.inbox().resolve(".done/57076502")).doesNotExist();
        assertThat(recent).exists();
        assertThat(app.inbox().resolve(".done")).isDirectory();
    }

    @Test
    void oldS3RowsAndMediaNoPendingBatchNeedsAreRemoved() throws Exception {
        app = RunningPhotoBridge.start(home, Map.of("photobridge.housekeeping.s3-processed-days", "30",
                "photobridge.housekeeping.media-days", "7"));
        processed("bucket-key/57076503/old.jpg@\"etag-1\"", LONG_AGO);
        processed("bucket-key/57076503/new.jpg@\"etag-2\"", Instant.now());
        Path media = home.resolve("media");
        String leftover = "a".repeat(64);
        String pending = "b".repeat(64);
        String fresh = "c".repeat(64);
        file(media.resolve(leftover).resolve("left.jpg"), LONG_AGO);
        file(media.resolve(pending).resolve("waiting.jpg"), LONG_AGO);
        file(media.resolve(fresh).resolve("fresh.jpg"), Instant.now());
        // a batch still waiting for Inspektlabs needs its media, however old
        long photo = app.ledger().admit(new NewPhotoRecord(57076503L, pending, "file:///camera/waiting.jpg", "waiting.jpg",
                "IMAGE", "image/jpeg", 4, 27, null, null, null, null)).record().id();
        app.damage().open("57076503-IMAGE-1", 57076503L, "IMAGE", "57076503", List.of(photo));

        JsonNode run = run("housekeeping-storage");
        assertThat(run.path("outcome").asText()).isEqualTo("OK");
        assertThat(run.path("counts").path("s3Rows").asInt()).isEqualTo(1);
        assertThat(run.path("counts").path("mediaFolders").asInt()).isEqualTo(1);
        assertThat(processedIds()).containsExactly("bucket-key/57076503/new.jpg@\"etag-2\"");
        assertThat(media.resolve(leftover)).doesNotExist();
        assertThat(media.resolve(pending).resolve("waiting.jpg")).exists();
        assertThat(media.resolve(fresh).resolve("fresh.jpg")).exists();
    }

    @Test
    void timelinePastItsRetentionIsRemovedAndTheRestKept() throws Exception {
        app = RunningPhotoBridge.start(home, Map.of("photobridge.housekeeping.timeline-days", "30"));
        app.ledger().event(null, 57076503L, null, "NOTE", "old entry");
        app.ledger().event(null, 57076503L, null, "NOTE", "recent entry");
        try (Connection c = app.ledger().dataSource().getConnection();
             PreparedStatement st = c.prepareStatement("update photo_event set at = ? where detail = 'old entry'")) {
            st.setTimestamp(1, Timestamp.from(LONG_AGO));
            assertThat(st.executeUpdate()).isEqualTo(1);
        }

        JsonNode run = run("housekeeping-timeline");
        assertThat(run.path("outcome").asText()).isEqualTo("OK");
        assertThat(run.path("counts").path("events").asInt()).isEqualTo(1);
        assertThat(app.ledger().timeline(57076503L)).extracting(e -> e.detail()).containsExactly("recent entry");
        JsonNode jobs = JSON.readTree(TestHttp.client().send(HttpRequest.newBuilder(URI.create(app.httpBase() + "/api/jobs"))
                .header("Authorization", "Bearer " + RunningPhotoBridge.API_TOKEN).build(), HttpResponse.BodyHandlers.ofString()).body());
        assertThat(jobs.path("jobs").get(3).path("lastRun").path("summary").asText()).isEqualTo("events=1 jobRuns=0");
    }

    private JsonNode run(String job) throws Exception {
        HttpResponse<String> answer = TestHttp.client().send(HttpRequest.newBuilder(URI.create(app.httpBase() + "/api/jobs/"
                + job)).header("Authorization", "Bearer " + RunningPhotoBridge.API_TOKEN).POST(HttpRequest.BodyPublishers.noBody())
                .build(), HttpResponse.BodyHandlers.ofString());
        assertThat(answer.statusCode()).as(answer.body()).isEqualTo(200);
        return JSON.readTree(answer.body());
    }

    private static Path file(Path path, Instant modified) throws Exception {
        Files.createDirectories(path.getParent());
        Files.writeString(path, "abcd");
        Files.setLastModifiedTime(path, FileTime.from(modified));
        Files.setLastModifiedTime(path.getParent(), FileTime.from(modified));
        return path;
    }

    private void processed(String id, Instant at) throws Exception {
        try (Connection c = app.ledger().dataSource().getConnection(); PreparedStatement st = c.prepareStatement(
                "insert into camel_messageprocessed (processorname, messageid, createdat) values ('ingest-s3', ?, ?)")) {
            st.setString(1, id);
            st.setTimestamp(2, Timestamp.from(at));
            st.executeUpdate();
        }
    }

    private List<String> processedIds() throws Exception {
        try (Connection c = app.ledger().dataSource().getConnection(); PreparedStatement st = c.prepareStatement(
                "select messageid from camel_messageprocessed where processorname = 'ingest-s3'"); ResultSet rs = st.executeQuery()) {
            List<String> ids = new ArrayList<>();
            while (rs.next()) {
                ids.add(rs.getString(1));
            }
            return ids;
        }
    }
}
