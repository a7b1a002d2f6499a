package io.photobridge.console;

import java.nio.file.Files;
import java.nio.file.Path;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Failed inputs of the drop folder: reasons grouped across files, and a put-back that never leaves the inbox. */
class FailedFilesTest {

    @TempDir
    Path inbox;

    @Test
    void reasonsOfDifferentFilesWithTheSameCauseShareAGroup() {
        assertThat(FailedFiles.reasonGroup("RecoveryConnect create photo (order 57076503, IMG_0042-pb3f9a2c1d4e5f.jpg): HTTP 400 Bad photo"))
                .isEqualTo(FailedFiles.reasonGroup("RecoveryConnect create photo (order 57076504, DSC_0001-pb0011223344ff.JPG): HTTP 400 Bad photo"))
                .isEqualTo("RecoveryConnect create photo: HTTP 400 Bad photo");
        assertThat(FailedFiles.reasonGroup("JPEG has a zip archive after its end-of-image marker (at byte 5455)"))
                .isEqualTo(FailedFiles.reasonGroup("JPEG has a zip archive after its end-of-image marker (at byte 81234)"));
        assertThat(FailedFiles.reasonGroup("HTTP 503 busy")).isEqualTo("HTTP 503 busy");
    }

    @Test
    void aFileIsPutBackWithoutItsNoteAndNeverOverAFileOfTheSameName() throws Exception {
        Path kept = Files.createDirectories(inbox.resolve(".error/57076503/key")).resolve("IMG_0001.jpg");
        Files.writeString(kept, "bytes");
        Files.writeString(kept.resolveSibling("IMG_0001.jpg.error.txt"),
                "PhotoBridge could not deliver 57076503/key/IMG_0001.jpg\nreason: too small\norder:  57076503, photo record 7\n");
        Path other = inbox.resolve(".error/57076503/key/IMG_0002.jpg");
        Files.writeString(other, "other");
        FailedFiles failed = new FailedFiles(inbox, ".error", null, null, null, null, null);

        assertThat(failed.list()).extracting(FailedFiles.Failed::id)
                .containsExactlyInAnyOrder("folder:57076503/key/IMG_0001.jpg", "folder:57076503/key/IMG_0002.jpg");
        FailedFiles.Failed first = failed.list().stream().filter(f -> f.path().endsWith("IMG_0001.jpg")).findFirst().orElseThrow();
        assertThat(first.reason()).isEqualTo("too small");
        assertThat(first.orderId()).isEqualTo(57076503L);
        assertThat(first.photoId()).isEqualTo(7L);
        FailedFiles.Failed second = failed.list().stream().filter(f -> f.path().endsWith("IMG_0002.jpg")).findFirst().orElseThrow();
        assertThat(second.reason()).isEqualTo("no error note");
        assertThat(second.orderId()).isEqualTo(57076503L);

        Files.createDirectories(inbox.resolve("57076503/key"));
        Files.writeString(inbox.resolve("57076503/key/IMG_0002.jpg"), "a newer file of that name");
        assertThatThrownBy(() -> failed.retry("folder:57076503/key/IMG_0002.jpg")).isInstanceOf(ApiRefusal.class)
                .hasMessageContaining("already has a file of that name");
        assertThat(other).hasContent("other");
        assertThatThrownBy(() -> failed.retry("folder:../config/application.properties")).isInstanceOf(ApiRefusal.class)
                .hasMessageContaining("no failed input");
    }
}
