package io.photobridge;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;

import io.photobridge.records.PhotoRecord;
import io.photobridge.records.PhotoState;
import io.photobridge.sandbox.StoredPhoto;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.CreateBucketRequest;
import software.amazon.awssdk.services.s3.model.PutObjectRequest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** Every content rule, through the real Main and routes, for drop-folder files and S3 objects: kept, reason written, FAILED. */
class ContentRulesEndToEndTest {

    private static final long ORDER = 57076505L;
    private static final Duration WAIT = Duration.ofSeconds(60);
    private static final Path MEDIA = Path.of("src/test/resources/media");

    @TempDir
    Path home;

    private RunningPhotoBridge app;

    @AfterEach
    void stop() {
        if (app != null) {
            app.close();
        }
    }

    /** name -> bytes, and the words the reason must contain. */
    private static Map<String, Object[]> badInputs() throws Exception {
        byte[] jpeg = Files.readAllBytes(MEDIA.resolve("key-exif.jpg"));
        Map<String, Object[]> cases = new LinkedHashMap<>();
        cases.put("empty.jpg", new Object[] {new byte[0], "empty"});
        cases.put("truncated.jpg", new Object[] {Arrays.copyOf(jpeg, jpeg.length / 2), "truncated"});
        cases.put("notes.jpg", new Object[] {"a driver's notes, not a photo\n".repeat(20).getBytes(), "not an accepted image or video"});
        cases.put("really-a-png.jpg", new Object[] {Files.readAllBytes(MEDIA.resolve("no-exif.png")), "png"});
        cases.put("short.mp4", new Object[] {Files.readAllBytes(MEDIA.resolve("short.mp4")), "larger than 1 MB"});
        cases.put("big.jpg", new Object[] {jpeg, "limit"});
        return cases;
    }

    private static Map<String, String> rules() {
        // a small image limit makes one real JPEG "oversized": 5 KB < big.jpg, but key-exif.jpg is used only there
        return Map.of("photobridge.ingest.max-image-bytes", "5000");
    }

    @Test
    void everyRuleKeepsTheFileWritesTheReasonAndRecordsFailedForDropFolderFiles() throws Exception {
        app = RunningPhotoBridge.start(home, rules());
        Map<String, Object[]> cases = badInputs();
        for (Map.Entry<String, Object[]> c : cases.entrySet()) {
            Path file = app.inbox().resolve(ORDER + "/" + c.getKey());
            Files.createDirectories(file.getParent());
            Files.write(file, (byte[]) c.getValue()[0]);
        }
        for (Map.Entry<String, Object[]> c : cases.entrySet()) {
            Path kept = app.inbox().resolve(".error/" + ORDER + "/" + c.getKey());
            Path note = app.inbox().resolve(".error/" + ORDER + "/" + c.getKey() + ".error.txt");
            await().atMost(WAIT).until(() -> Files.exists(kept) && Files.exists(note));
            assertThat(Files.readAllBytes(kept)).isEqualTo((byte[]) c.getValue()[0]);
            assertThat(Files.readString(note).toLowerCase()).contains(c.getKey().toLowerCase()).contains(((String) c.getValue()[1]).toLowerCase());
        }
        assertThat(app.ledger().photos(ORDER)).hasSize(cases.size()).allSatisfy(p -> {
            assertThat(p.state()).isEqualTo(PhotoState.FAILED);
            assertThat(p.lastError()).isNotBlank();
        });
        assertThat(app.sandbox().createRequests()).isZero();
    }

    @Test
    void everyRuleMovesTheObjectToErrorWithItsReasonAndRecordsFailedForS3Objects() throws Exception {
        try (InProcessS3 s3Server = InProcessS3.start(RunningPhotoBridge.freePort()); S3Client s3 = s3Server.client()) {
            s3.createBucket(CreateBucketRequest.builder().bucket("hand-offs").build());
            Map<String, String> settings = new HashMap<>(s3Server.settings("hand-offs"));
            settings.putAll(rules());
            app = RunningPhotoBridge.start(home, settings);
            Map<String, Object[]> cases = badInputs();
            for (Map.Entry<String, Object[]> c : cases.entrySet()) {
                s3.putObject(PutObjectRequest.builder().bucket("hand-offs").key("incoming/" + ORDER + "/" + c.getKey()).build(),
                        RequestBody.fromBytes((byte[]) c.getValue()[0]));
            }
            for (Map.Entry<String, Object[]> c : cases.entrySet()) {
                String key = "error/incoming/" + ORDER + "/" + c.getKey();
                await().atMost(WAIT).until(() -> exists(s3, key + ".error.txt"));
                assertThat(s3.getObjectAsBytes(b -> b.bucket("hand-offs").key(key)).asByteArray()).isEqualTo((byte[]) c.getValue()[0]);
                assertThat(s3.getObjectAsBytes(b -> b.bucket("hand-offs").key(key + ".error.txt")).asUtf8String().toLowerCase())
                        .contains(((String) c.getValue()[1]).toLowerCase());
            }
            assertThat(app.ledger().photos(ORDER)).hasSize(cases.size())
                    .allSatisfy(p -> assertThat(p.state()).isEqualTo(PhotoState.FAILED))
                    .allSatisfy(p -> assertThat(p.sourceUri()).startsWith("s3://hand-offs/incoming/"));
        }
    }

    @Test
    void heicAndOffsetTimeOriginalGiveTheRightPictureTime() throws Exception {
        app = RunningPhotoBridge.start(home);
        Path heic = app.inbox().resolve(ORDER + "/key/phone.heic");
        Files.createDirectories(heic.getParent());
        Files.copy(MEDIA.resolve("exif.heic"), heic);
        Files.copy(MEDIA.resolve("offset-exif.jpg"), app.inbox().resolve(ORDER + "/key/camera.jpg"));

        await().atMost(WAIT).until(() -> app.sandbox().photos(ORDER).size() == 2);
        Map<String, String> times = new HashMap<>();
        for (StoredPhoto p : app.sandbox().photos(ORDER)) {
            times.put(p.requestedFileName().startsWith("phone") ? "heic" : "jpeg", p.pictureTime());
        }
        assertThat(times).containsEntry("heic", "2024-11-05 08:12:44").containsEntry("jpeg", "2025-03-02 17:45:10");
        PhotoRecord jpeg = app.ledger().photos(ORDER).stream().filter(p -> p.originalName().equals("camera.jpg")).findFirst().orElseThrow();
        assertThat(jpeg.pictureOffset()).isEqualTo("+02:00");
        assertThat(jpeg.pictureTimeFrom()).isEqualTo("EXIF");
    }

    private static boolean exists(S3Client s3, String key) {
        try {
            s3.headObject(b -> b.bucket("hand-offs").key(key));
            return true;
        } catch (software.amazon.awssdk.services.s3.model.NoSuchKeyException e) {
            return false;
        }
    }
}
