package io.photobridge;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.photobridge.records.PhotoRecord;
import io.photobridge.records.PhotoState;
import io.photobridge.sandbox.StoredPhoto;
import org.apache.camel.ServiceStatus;
import org.apache.camel.component.micrometer.MicrometerConstants;
import org.apache.camel.component.micrometer.MicrometerUtils;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.CreateBucketRequest;
import software.amazon.awssdk.services.s3.model.HeadObjectRequest;
import software.amazon.awssdk.services.s3.model.ListObjectsV2Request;
import software.amazon.awssdk.services.s3.model.NoSuchKeyException;
import software.amazon.awssdk.services.s3.model.PutObjectRequest;
import software.amazon.awssdk.services.s3.model.S3Object;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** The S3 source through the real Main and YAML routes, against an in-process S3 server and the RecoveryConnect sandbox. */
class S3IngestTest {

    private static final String BUCKET = "camera-dumps";
    private static final long ORDER = 57076503L;
    private static final Path KEY_JPEG = Path.of("src/test/resources/media/key-exif.jpg");
    private static final Duration WAIT = Duration.ofSeconds(30);

    @TempDir
    Path home;

    private InProcessS3 s3Server;
    private S3Client s3;
    private RunningPhotoBridge app;

    @BeforeEach
    void startS3() throws Exception {
        s3Server = InProcessS3.start(RunningPhotoBridge.freePort());
        s3 = s3Server.client();
        s3.createBucket(CreateBucketRequest.builder().bucket(BUCKET).build());
    }

    @AfterEach
    void stop() throws Exception {
        if (app != null) {
            app.close();
        }
        s3.close();
        s3Server.close();
    }

    private void put(String key, byte[] bytes) {
        s3.putObject(PutObjectRequest.builder().bucket(BUCKET).key(key).build(), RequestBody.fromBytes(bytes));
    }

    private boolean exists(String key) {
        try {
            s3.headObject(HeadObjectRequest.builder().bucket(BUCKET).key(key).build());
            return true;
        } catch (NoSuchKeyException e) {
            return false;
        }
    }

    private List<String> keys() {
        return s3.listObjectsV2(ListObjectsV2Request.builder().bucket(BUCKET).build()).contents().stream()
                .map(S3Object::key).sorted().toList();
    }

    @Test
    void objectUnderAnOrderKeyFolderReachesRecoveryConnectAndMovesToDone() throws Exception {
        app = RunningPhotoBridge.start(home, s3Server.settings(BUCKET));
        byte[] bytes = Files.readAllBytes(KEY_JPEG);
        put("incoming/57076503/key/IMG_0100.jpg", bytes);

        await().atMost(WAIT).until(() -> exists("done/incoming/57076503/key/IMG_0100.jpg")
                && !exists("incoming/57076503/key/IMG_0100.jpg"));
        assertThat(keys()).containsExactly("done/incoming/57076503/key/IMG_0100.jpg");
        List<StoredPhoto> photos = app.sandbox().photos(ORDER);
        assertThat(photos).singleElement().satisfies(p -> {
            assertThat(p.typeId()).isEqualTo(27);
            assertThat(p.sha256()).isEqualTo(DropFolderToRecoveryConnectTest.sha256(KEY_JPEG));
            assertThat(p.pictureTime()).isEqualTo("2025-06-14 09:31:07");
        });
        PhotoRecord row = app.ledger().photos(ORDER).get(0);
        assertThat(row.state()).isEqualTo(PhotoState.UPLOADED);
        assertThat(row.sourceUri()).isEqualTo("s3://" + BUCKET + "/incoming/57076503/key/IMG_0100.jpg");
        assertThat(row.sourceVersion()).isNotBlank();
    }

    @Test
    void objectWithoutExifGetsItsLastModifiedAsPictureTime() throws Exception {
        Map<String, String> settings = new HashMap<>(s3Server.settings(BUCKET));
        settings.put("photobridge.ingest.zone", "Europe/Berlin");
        settings.put("photobridge.s3.move-to-done", "false");
        settings.put("photobridge.s3.delete-after-read", "false");
        app = RunningPhotoBridge.start(home, settings);
        put("incoming/57076503/key/scan.png", Files.readAllBytes(Path.of("src/test/resources/media/no-exif.png")));
        Instant lastModified = s3.headObject(HeadObjectRequest.builder().bucket(BUCKET).key("incoming/57076503/key/scan.png").build())
                .lastModified();

        await().atMost(WAIT).until(() -> app.ledger().photos(ORDER).stream().anyMatch(p -> p.state() == PhotoState.UPLOADED));
        PhotoRecord row = app.ledger().photos(ORDER).get(0);
        ZonedDateTime expected = lastModified.truncatedTo(ChronoUnit.SECONDS).atZone(ZoneId.of("Europe/Berlin"));
        assertThat(row.pictureTime()).isEqualTo(expected.toLocalDateTime());
        assertThat(row.pictureOffset()).isEqualTo(expected.getOffset().getId());
        assertThat(row.pictureTimeFrom()).isEqualTo("FILE_TIME");
        assertThat(app.sandbox().photos(ORDER)).singleElement()
                .satisfies(p -> assertThat(p.pictureTime()).isEqualTo(DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss").format(expected)));
    }

    @Test
    void restartReuploadsNothingEvenWhenObjectsAreKeptInPlace() throws Exception {
        Map<String, String> keep = new HashMap<>(s3Server.settings(BUCKET));
        keep.put("photobridge.s3.move-to-done", "false");
        keep.put("photobridge.s3.delete-after-read", "false");
        app = RunningPhotoBridge.start(home, keep);
        put("incoming/57076503/general/a.jpg", Files.readAllBytes(KEY_JPEG));
        put("incoming/57076503/general/b.jpg", Files.readAllBytes(Path.of("src/test/resources/media/offset-exif.jpg")));
        await().atMost(WAIT).until(() -> app.sandbox().photos(ORDER).size() == 2);
        app.close();

        app = RunningPhotoBridge.start(home, keep);
        // two more polls of the same two objects (the S3 route finished four exchanges), and nothing was sent again
        await().atMost(WAIT).until(() -> s3RouteExchanges() >= 4);
        assertThat(app.sandbox().photos(ORDER)).hasSize(2);
        assertThat(app.sandbox().createRequests()).isZero();
        assertThat(keys()).containsExactly("incoming/57076503/general/a.jpg", "incoming/57076503/general/b.jpg");
    }

    /** Exchanges the S3 route finished in this run: one per object per poll, a skipped duplicate included. */
    private long s3RouteExchanges() {
        MeterRegistry registry = MicrometerUtils.getMeterRegistryFromCamelRegistry(app.context().getRegistry(),
                MicrometerConstants.METRICS_REGISTRY_NAME);
        return registry == null ? 0 : (long) registry.find(MicrometerConstants.DEFAULT_CAMEL_ROUTE_POLICY_EXCHANGES_SUCCEEDED_METER_NAME)
                .tag(MicrometerConstants.ROUTE_ID_TAG, "ingest-s3").counters().stream().mapToDouble(Counter::count).sum();
    }

    @Test
    void badObjectEndsUnderErrorWithItsReasonObject() throws Exception {
        app = RunningPhotoBridge.start(home, s3Server.settings(BUCKET));
        byte[] text = "not a photo at all, a driver's notes\n".repeat(10).getBytes();
        put("incoming/57076503/key/notes.jpg", text);

        // the object is copied to error/, its note written, and only then the original deleted (nothing lost at any instant)
        await().atMost(WAIT).until(() -> exists("error/incoming/57076503/key/notes.jpg.error.txt")
                && !exists("incoming/57076503/key/notes.jpg"));
        assertThat(keys()).containsExactly("error/incoming/57076503/key/notes.jpg",
                "error/incoming/57076503/key/notes.jpg.error.txt");
        String note = s3.getObjectAsBytes(b -> b.bucket(BUCKET).key("error/incoming/57076503/key/notes.jpg.error.txt")).asUtf8String();
        assertThat(note).contains("notes.jpg").contains("is not an accepted image or video");
        assertThat(s3.getObjectAsBytes(b -> b.bucket(BUCKET).key("error/incoming/57076503/key/notes.jpg")).asByteArray())
                .isEqualTo(text);
        PhotoRecord row = app.ledger().photos(ORDER).get(0);
        assertThat(row.state()).isEqualTo(PhotoState.FAILED);
        assertThat(row.sourceUri()).isEqualTo("s3://" + BUCKET + "/incoming/57076503/key/notes.jpg");
        assertThat(app.sandbox().createRequests()).isZero();
    }

    @Test
    void withoutABucketTheS3RouteIsNotLoaded() {
        app = RunningPhotoBridge.start(home);
        assertThat(app.context().getRoute("ingest-s3")).isNull();
        assertThat(app.context().getRoute("ingest-drop-folder")).isNotNull();
    }

    @Test
    void unreachableS3AtStartupDoesNotStopPhotoBridgeAndIsPickedUpLater() throws Exception {
        int port = RunningPhotoBridge.freePort();
        Map<String, String> settings = new HashMap<>(s3Server.settings(BUCKET));
        settings.put("photobridge.s3.endpoint", "http://127.0.0.1:" + port);
        settings.put("photobridge.s3.retry-initial-ms", "200");
        settings.put("photobridge.s3.retry-max-ms", "500");
        app = RunningPhotoBridge.start(home, settings);

        assertThat(app.context().getRoute("ingest-s3")).isNull();
        HttpResponse<String> health = TestHttp.client().send(
                HttpRequest.newBuilder(URI.create(app.httpBase() + "/observe/health")).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(health.body()).contains("s3-source").contains("DOWN");
        Path photo = app.inbox().resolve("57076503/key/meanwhile.jpg");
        Files.createDirectories(photo.getParent());
        Files.copy(KEY_JPEG, photo);
        await().atMost(WAIT).until(() -> Files.exists(app.inbox().resolve(".done/57076503/key/meanwhile.jpg")));

        try (InProcessS3 late = InProcessS3.start(port); S3Client lateClient = late.client()) {
            lateClient.createBucket(CreateBucketRequest.builder().bucket(BUCKET).build());
            lateClient.putObject(PutObjectRequest.builder().bucket(BUCKET).key("incoming/57076502/later.jpg").build(),
                    RequestBody.fromBytes(Files.readAllBytes(Path.of("src/test/resources/media/offset-exif.jpg"))));
            await().atMost(WAIT).until(() -> app.sandbox().photos(57076502L).size() == 1);
            assertThat(app.context().getRouteController().getRouteStatus("ingest-s3")).isEqualTo(ServiceStatus.Started);
            assertThat(TestHttp.client().send(HttpRequest.newBuilder(URI.create(app.httpBase() + "/observe/health")).build(),
                    HttpResponse.BodyHandlers.ofString()).statusCode()).isEqualTo(200);
        }
    }
}
