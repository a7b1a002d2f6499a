package io.photobridge;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HexFormat;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.photobridge.records.PhotoRecord;
import io.photobridge.records.PhotoState;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** Real camera files through the real Main and routes: trailers cameras write are delivered, archives after the image are not. */
class CameraFilesEndToEndTest {

    private static final long ORDER = 57076503L;
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

    @Test
    void samsungAndMotionPhotosAreDeliveredAndAZipAfterTheImageGoesToError() throws Exception {
        app = RunningPhotoBridge.start(home);
        byte[] jpeg = Files.readAllBytes(MEDIA.resolve("key-exif.jpg"));
        byte[] samsung = concat(jpeg, "\u0000\u0000\u0001\n\u000e\u0000\u0000\u0000Image_UTC_Data1486666298918SEFH".getBytes(StandardCharsets.ISO_8859_1));
        byte[] other = Files.readAllBytes(MEDIA.resolve("offset-exif.jpg"));
        byte[] video = Files.readAllBytes(MEDIA.resolve("short.mp4"));
        byte[] motion = concat(other, video);
        byte[] polyglot = concat(Files.readAllBytes(MEDIA.resolve("offset-exif.jpg")), HexFormat.of().parseHex("504b030414000000080000000000"));
        Path folder = Files.createDirectories(app.inbox().resolve(ORDER + "/key"));
        Files.write(folder.resolve("20250614_093107.jpg"), samsung);
        Files.write(folder.resolve("PXL_20250302_174510.MP.jpg"), motion);
        Files.write(folder.resolve("notes.jpg"), polyglot);

        Path kept = app.inbox().resolve(".error/" + ORDER + "/key/notes.jpg");
        Path note = app.inbox().resolve(".error/" + ORDER + "/key/notes.jpg.error.txt");
        // the ledger says UPLOADED before the file is moved: wait for both
        Path delivered = app.inbox().resolve(".done/" + ORDER + "/key/20250614_093107.jpg");
        await().atMost(WAIT).until(() -> Files.exists(note) && Files.exists(delivered)
                && Files.exists(app.inbox().resolve(".done/" + ORDER + "/key/PXL_20250302_174510.MP.jpg"))
                && app.ledger().photos(ORDER).stream().filter(p -> p.state() == PhotoState.UPLOADED).count() == 2);
        assertThat(Files.readAllBytes(kept)).isEqualTo(polyglot);
        assertThat(Files.readString(note)).contains("notes.jpg").contains("JPEG has a zip archive after its end-of-image marker (at byte "
                + other.length + "): a camera may append its own data there, never an archive or executable");
        assertThat(delivered).hasBinaryContent(samsung);
        assertThat(app.sandbox().photos(ORDER)).hasSize(2);

        PhotoRecord motionRow = row("PXL_20250302_174510.MP.jpg");
        assertThat(motionRow.embeddedVideoOffset()).isEqualTo(other.length);
        assertThat(motionRow.embeddedVideoLength()).isEqualTo(video.length);
        assertThat(row("20250614_093107.jpg").embeddedVideoOffset()).isNull();
        assertThat(row("notes.jpg").state()).isEqualTo(PhotoState.FAILED);

        HttpResponse<String> records = TestHttp.client().send(HttpRequest.newBuilder(
                        URI.create(app.httpBase() + "/api/orders/" + ORDER + "/records"))
                .header("Authorization", "Bearer " + RunningPhotoBridge.API_TOKEN).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(records.statusCode()).isEqualTo(200);
        JsonNode photo = null;
        for (JsonNode p : new ObjectMapper().readTree(records.body()).get("photos")) {
            if (p.get("originalName").asText().equals("PXL_20250302_174510.MP.jpg")) {
                photo = p;
            }
        }
        assertThat(photo).isNotNull();
        assertThat(photo.get("embeddedVideoOffset").asLong()).isEqualTo(other.length);
        assertThat(photo.get("embeddedVideoLength").asLong()).isEqualTo(video.length);
    }

    @Test
    void smallVideoIsRecordedWhenDamageAnalysisIsOff() throws Exception {
        app = RunningPhotoBridge.start(home, Map.of("photobridge.inspektlabs.enabled", "false"));
        byte[] video = Files.readAllBytes(MEDIA.resolve("short.mp4"));
        assertThat(video.length).isLessThan(1024 * 1024);
        Path file = Files.createDirectories(app.inbox().resolve(ORDER + "/general")).resolve("walkaround.mp4");
        Files.write(file, video);

        await().atMost(WAIT).until(() -> Files.exists(app.inbox().resolve(".done/" + ORDER + "/general/walkaround.mp4")));
        assertThat(app.inbox().resolve(".error/" + ORDER + "/general/walkaround.mp4")).doesNotExist();
        PhotoRecord row = row("walkaround.mp4");
        assertThat(row.mediaKind()).isEqualTo("VIDEO");
        assertThat(row.state()).isNotEqualTo(PhotoState.FAILED);
        assertThat(row.sizeBytes()).isEqualTo(video.length);
    }

    private PhotoRecord row(String name) {
        return app.ledger().photos(ORDER).stream().filter(p -> p.originalName().equals(name)).findFirst().orElseThrow();
    }

    private static byte[] concat(byte[] a, byte[] b) {
        return ByteBuffer.allocate(a.length + b.length).order(ByteOrder.BIG_ENDIAN).put(a).put(b).array();
    }
}
