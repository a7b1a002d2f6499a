package io.photobridge.recoveryconnect;

import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;

import io.photobridge.sandbox.RecoveryConnectSandbox;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;

/** The upload body is streamed: a JVM with a 48 MB heap uploads a 50 MB photo, whose Base64 body alone is 67 MB. */
class StreamingUploadTest {

    private static final int SIZE = 50 * 1024 * 1024;

    @TempDir
    Path dir;

    @Test
    void fiftyMegabytePhotoUploadsFromA48MegabyteHeap() throws Exception {
        Path big = dir.resolve("big.jpg");
        MessageDigest digest = MessageDigest.getInstance("SHA-256");
        Random random = new Random(42);
        byte[] chunk = new byte[1 << 20];
        try (OutputStream out = Files.newOutputStream(big)) {
            for (int written = 0; written < SIZE; written += chunk.length) {
                random.nextBytes(chunk);
                if (written == 0) {
                    chunk[0] = (byte) 0xFF;
                    chunk[1] = (byte) 0xD8;
                    chunk[2] = (byte) 0xFF;
                }
                out.write(chunk);
                digest.update(chunk);
            }
        }
        String sha = HexFormat.of().formatHex(digest.digest());

        try (RecoveryConnectSandbox sandbox = new RecoveryConnectSandbox(
                RecoveryConnectSandbox.Settings.defaults().withDataDir(dir.resolve("sandbox")))) {
            sandbox.start();
            Process child = new ProcessBuilder(List.of(
                    Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                    "-Xmx48m", "-cp", System.getProperty("java.class.path"),
                    StreamingUploadMain.class.getName(), sandbox.baseUrl(), big.toString(), "57076503"))
                    .redirectErrorStream(true).start();
            assertThat(child.waitFor(120, TimeUnit.SECONDS)).isTrue();
            String output = new String(child.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertThat(child.exitValue()).as(output).isZero();
            assertThat(output).doesNotContain("OutOfMemoryError").contains("attachment=");

            long attachment = Long.parseLong(output.replaceAll("(?s).*attachment=(\\d+).*", "$1"));
            assertThat(sandbox.photo(attachment).orElseThrow().sha256()).isEqualTo(sha);
            assertThat(sandbox.photo(attachment).orElseThrow().size()).isEqualTo(SIZE);
        }
    }
}
