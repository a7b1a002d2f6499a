package io.photobridge.inspektlabs;

import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;

import io.photobridge.sandbox.InspektlabsSandbox;
import io.photobridge.sandbox.InspektlabsUpload;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;

/** The multipart body is streamed: a JVM with a 48 MB heap uploads a 99 MB video, checked byte for byte by the sandbox. */
class StreamingUploadTest {

    /** Under the 100 MB video limit however a megabyte is counted. */
    private static final int SIZE = 99_000_000;

    @TempDir
    Path dir;

    @Test
    void ninetyNineMegabyteVideoUploadsFromA48MegabyteHeap() throws Exception {
        Path video = dir.resolve("walkaround.mp4");
        MessageDigest digest = MessageDigest.getInstance("SHA-256");
        Random random = new Random(42);
        byte[] chunk = new byte[1 << 20];
        byte[] ftyp = {0, 0, 0, 0x18, 'f', 't', 'y', 'p', 'i', 's', 'o', 'm', 0, 0, 2, 0, 'i', 's', 'o', 'm', 'i', 's', 'o', '2'};
        try (OutputStream out = Files.newOutputStream(video)) {
            for (int written = 0; written < SIZE; ) {
                random.nextBytes(chunk);
                if (written == 0) {
                    System.arraycopy(ftyp, 0, chunk, 0, ftyp.length);
                }
                int n = Math.min(chunk.length, SIZE - written);
                out.write(chunk, 0, n);
                digest.update(chunk, 0, n);
                written += n;
            }
        }
        String sha = HexFormat.of().formatHex(digest.digest());

        try (InspektlabsSandbox sandbox = new InspektlabsSandbox(InspektlabsSandbox.Settings.defaults()
                .withDataDir(dir.resolve("sandbox")).withCallbackDelay(Duration.ofHours(1)))) {
            sandbox.start();
            Process child = new ProcessBuilder(List.of(
                    Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                    "-Xmx48m", "-cp", System.getProperty("java.class.path"),
                    StreamingUploadMain.class.getName(), sandbox.baseUrl(), video.toString(), "case-big-video",
                    "http://127.0.0.1:9/inspektlabs/callback"))
                    .redirectErrorStream(true).start();
            String output = new String(child.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertThat(child.waitFor(180, TimeUnit.SECONDS)).isTrue();
            assertThat(child.exitValue()).as(output).isZero();
            assertThat(output).doesNotContain("OutOfMemoryError").contains("session=").contains("status=success");

            String session = output.replaceAll("(?s).*session=(\\S+).*", "$1");
            InspektlabsUpload upload = sandbox.upload(session).orElseThrow();
            assertThat(upload.caseId()).isEqualTo("case-big-video");
            assertThat(upload.files()).hasSize(1);
            InspektlabsUpload.UploadedFile file = upload.files().get(0);
            assertThat(file.name()).isEqualTo("walkaround.mp4");
            assertThat(file.contentType()).isEqualTo("video/mp4");
            assertThat(file.size()).isEqualTo(SIZE);
            assertThat(file.sha256()).isEqualTo(sha);
        }
    }
}
