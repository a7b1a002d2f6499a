package io.photobridge;

import java.awt.Color;
import java.awt.Graphics2D;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

import javax.imageio.ImageIO;

import io.photobridge.records.PhotoEvent;
import io.photobridge.records.PhotoState;
import io.photobridge.sandbox.StoredPhoto;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

/** Flat camera dumps (manifest.csv, file-name pattern, unmapped files) through the real Main, YAML routes and sandbox. */
class FlatDumpTest {

    private static final long ORDER = 57076503L;
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
    void manifestMapsCameraNamedFilesToTheOrderWithTheirTypesAndStaysInTheDumpFolder() throws Exception {
        app = RunningPhotoBridge.start(home);
        // the manifest is written first, as a camera tablet would, then the photos
        write("dump-0001/manifest.csv", "file,order_id,type\r\nDSC_0001.JPG,57076503,key\r\nDSC_0002.JPG,57076503,\r\n");
        Files.write(app.inbox().resolve("dump-0001/DSC_0001.JPG"), jpeg(Color.RED));
        Files.write(app.inbox().resolve("dump-0001/DSC_0002.JPG"), jpeg(Color.BLUE));

        await().atMost(WAIT).until(() -> Files.exists(app.inbox().resolve(".done/dump-0001/DSC_0001.JPG"))
                && Files.exists(app.inbox().resolve(".done/dump-0001/DSC_0002.JPG")));
        Map<String, Integer> typeByName = app.sandbox().photos(ORDER).stream()
                .collect(Collectors.toMap(StoredPhoto::imageName, StoredPhoto::typeId));
        assertThat(typeByName).containsExactlyInAnyOrderEntriesOf(Map.of(
                "Key - DSC_0001.JPG", 27,
                "AR General Photo - DSC_0002.JPG", 2));
        assertThat(app.ledger().photos(ORDER)).extracting(r -> r.state()).containsOnly(PhotoState.UPLOADED);
        // the manifest is never consumed: it stays where it was, for files of the dump that arrive later
        assertThat(app.inbox().resolve("dump-0001/manifest.csv")).exists();
        assertThat(app.inbox().resolve(".done/dump-0001/manifest.csv")).doesNotExist();
        assertThat(app.inbox().resolve("dump-0001/DSC_0001.JPG")).doesNotExist();
    }

    @Test
    void namePatternGivesOrderAndTypeOfARootLevelFile() throws Exception {
        app = RunningPhotoBridge.start(home, Map.of("photobridge.ingest.name-pattern", "(?<order>\\d+)_(?<type>[a-z]+)_.*"));
        Files.write(app.inbox().resolve("57076503_key_0007.jpg"), jpeg(Color.GREEN));

        await().atMost(WAIT).until(() -> Files.exists(app.inbox().resolve(".done/57076503_key_0007.jpg")));
        List<StoredPhoto> photos = app.sandbox().photos(ORDER);
        assertThat(photos).hasSize(1);
        assertThat(photos.get(0).typeId()).isEqualTo(27);
        assertThat(photos.get(0).imageName()).isEqualTo("Key - 57076503_key_0007.jpg");
    }

    @Test
    void fileThatMapsToNoOrderGoesToErrorSayingSoAndIsRecordedAsRejected() throws Exception {
        app = RunningPhotoBridge.start(home);
        write("dump-0002/manifest.csv", "file,order_id\nDSC_0001.JPG,57076503\n");
        Files.write(app.inbox().resolve("dump-0002/DSC_0009.JPG"), jpeg(Color.ORANGE));

        Path kept = app.inbox().resolve(".error/dump-0002/DSC_0009.JPG");
        Path note = app.inbox().resolve(".error/dump-0002/DSC_0009.JPG.error.txt");
        await().atMost(WAIT).until(() -> Files.exists(kept) && Files.exists(note));
        assertThat(Files.readString(note)).contains("dump-0002/DSC_0009.JPG: maps to no order: not under an <order_id>/ folder",
                "not listed in dump-0002/manifest.csv", "photobridge.ingest.name-pattern (not set)");
        assertThat(app.ledger().rejections()).extracting(PhotoEvent::detail)
                .anyMatch(d -> d.contains("dump-0002/DSC_0009.JPG: maps to no order"));
        assertThat(app.sandbox().createRequests()).isZero();
        assertThat(app.inbox().resolve("dump-0002/manifest.csv")).exists();
    }

    @Test
    void badManifestRowSendsItsFileToErrorNamingManifestAndLine() throws Exception {
        app = RunningPhotoBridge.start(home);
        write("dump-0003/manifest.csv", "DSC_0001.JPG,57076503,kye\nDSC_0002.JPG,57076503,vin\n");
        Files.write(app.inbox().resolve("dump-0003/DSC_0001.JPG"), jpeg(Color.CYAN));
        Files.write(app.inbox().resolve("dump-0003/DSC_0002.JPG"), jpeg(Color.MAGENTA));

        Path note = app.inbox().resolve(".error/dump-0003/DSC_0001.JPG.error.txt");
        await().atMost(WAIT).until(() -> Files.exists(note)
                && Files.exists(app.inbox().resolve(".done/dump-0003/DSC_0002.JPG")));
        assertThat(Files.readString(note)).contains("dump-0003/DSC_0001.JPG: dump-0003/manifest.csv line 1: unknown type 'kye'");
        assertThat(app.inbox().resolve(".error/dump-0003/DSC_0001.JPG")).exists();
        assertThat(app.sandbox().photos(ORDER)).extracting(StoredPhoto::typeId).containsExactly(11);
    }

    @Test
    void invalidNamePatternStopsStartUpNamingTheSetting() {
        assertThatThrownBy(() -> app = RunningPhotoBridge.start(home, Map.of("photobridge.ingest.name-pattern", "(?<order>\\d+")))
                .hasStackTraceContaining("Setting photobridge.ingest.name-pattern is not a valid regular expression:"
                        + " Unclosed group near index 12");
    }

    private void write(String relative, String text) throws IOException {
        Path target = home.resolve("inbox").resolve(relative);
        Files.createDirectories(target.getParent());
        Files.writeString(target, text);
    }

    /** A small JPEG of one colour: different colours give different bytes, so each is a photo of its own. */
    private static byte[] jpeg(Color color) throws IOException {
        BufferedImage image = new BufferedImage(64, 48, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = image.createGraphics();
        g.setColor(color);
        g.fillRect(0, 0, 64, 48);
        g.dispose();
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        assertThat(ImageIO.write(image, "jpg", out)).isTrue();
        return out.toByteArray();
    }
}
