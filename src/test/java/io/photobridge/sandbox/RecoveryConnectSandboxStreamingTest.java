package io.photobridge.sandbox;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.DigestInputStream;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Uploads a 60 MB photo to a sandbox running in a JVM limited to 64 MB of heap: only a streaming create handler survives that.
 */
class RecoveryConnectSandboxStreamingTest {

    private static final long PHOTO_BYTES = 60L * 1024 * 1024;

    @TempDir
    Path work;

    private Process sandbox;

    @AfterEach
    void stopSandbox() throws Exception {
        if (sandbox != null) {
            sandbox.getOutputStream().close();
            if (!sandbox.waitFor(10, TimeUnit.SECONDS)) {
                sandbox.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            }
        }
    }

    @Test
    void sixtyMegabytePhotoUploadsIntoASandboxWith64MegabytesOfHeap() throws Exception {
        Path dataDir = Files.createDirectories(work.resolve("data"));
        Path body = work.resolve("body.json");
        String expectedSha256 = writeCreateBody(body);
        assertThat(Files.size(body)).isGreaterThan(PHOTO_BYTES * 4 / 3);

        int port = startSandbox(dataDir);
        HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
        String base = "http://127.0.0.1:" + port;
        HttpResponse<String> created = http.send(HttpRequest.newBuilder(URI.create(base + "/api/v140/orders/57076503/photos"))
                        .timeout(Duration.ofMinutes(3))
                        .header("Authorization", "Bearer " + SandboxTestClient.STATIC_TOKEN)
                        .header("Content-Type", "application/json")
                        .POST(HttpRequest.BodyPublishers.ofFile(body))
                        .build(),
                HttpResponse.BodyHandlers.ofString());

        assertThat(created.statusCode()).as(created.body()).isEqualTo(200);
        long id = SandboxTestClient.JSON.readTree(created.body()).path("data").path("attachment_id").asLong();
        Path stored = dataDir.resolve("recoveryconnect/photos/" + id + ".bin");
        assertThat(Files.size(stored)).isEqualTo(PHOTO_BYTES);
        assertThat(sha256(Files.newInputStream(stored))).isEqualTo(expectedSha256);
        JsonNode metadata = SandboxTestClient.JSON.readTree(dataDir.resolve("recoveryconnect/photos/" + id + ".json").toFile());
        assertThat(metadata.path("sha256").asText()).isEqualTo(expectedSha256);

        HttpResponse<String> photo = http.send(HttpRequest.newBuilder(URI.create(base + "/api/v140/orders/57076503/photos/" + id))
                .header("Authorization", "Bearer " + SandboxTestClient.STATIC_TOKEN).build(), HttpResponse.BodyHandlers.ofString());
        String url = SandboxTestClient.JSON.readTree(photo.body()).path("data").path("photo_url").asText();
        HttpResponse<InputStream> download = http.send(HttpRequest.newBuilder(URI.create(url)).build(),
                HttpResponse.BodyHandlers.ofInputStream());
        assertThat(download.statusCode()).isEqualTo(200);
        assertThat(sha256(download.body())).isEqualTo(expectedSha256);
        assertThat(sandbox.isAlive()).isTrue();
    }

    /** Writes {"file_name",...,"data":"<base64>"} for 60 MB of JPEG-looking bytes; answers their sha256. */
    private static String writeCreateBody(Path body) throws Exception {
        MessageDigest digest = MessageDigest.getInstance("SHA-256");
        Random random = new Random(60);
        byte[] chunk = new byte[1024 * 1024];
        try (OutputStream file = new java.io.BufferedOutputStream(Files.newOutputStream(body), 1 << 16)) {
            file.write("{\"file_name\":\"big-photo\",\"image_name\":\"big\",\"picture_time\":\"2026-03-11 23:23:00\",\"type\":2,\"data\":\""
                    .getBytes(StandardCharsets.US_ASCII));
            OutputStream base64 = Base64.getEncoder().wrap(new java.io.FilterOutputStream(file) {
                @Override
                public void write(byte[] b, int off, int len) throws IOException {
                    out.write(b, off, len);
                }

                @Override
                public void close() throws IOException {
                    flush();
                }
            });
            for (long written = 0; written < PHOTO_BYTES; written += chunk.length) {
                random.nextBytes(chunk);
                if (written == 0) {
                    chunk[0] = (byte) 0xFF;
                    chunk[1] = (byte) 0xD8;
                    chunk[2] = (byte) 0xFF;
                    chunk[3] = (byte) 0xE0;
                }
                digest.update(chunk);
                base64.write(chunk);
            }
            base64.close();
            file.write("\"}".getBytes(StandardCharsets.US_ASCII));
        }
        return HexFormat.of().formatHex(digest.digest());
    }

    private int startSandbox(Path dataDir) throws Exception {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        sandbox = new ProcessBuilder(List.of(java, "-Xmx64m", "-cp", System.getProperty("java.class.path"),
                RecoveryConnectSandboxMain.class.getName(), dataDir.toString()))
                .redirectError(ProcessBuilder.Redirect.INHERIT)
                .start();
        BufferedReader out = new BufferedReader(new InputStreamReader(sandbox.getInputStream(), StandardCharsets.UTF_8));
        long maxHeap = -1;
        String line;
        while ((line = out.readLine()) != null) {
            if (line.startsWith("MAXHEAP=")) {
                maxHeap = Long.parseLong(line.substring("MAXHEAP=".length()));
            } else if (line.startsWith("PORT=")) {
                assertThat(maxHeap).isPositive().isLessThanOrEqualTo(64L * 1024 * 1024);
                return Integer.parseInt(line.substring("PORT=".length()));
            }
        }
        throw new AssertionError("The sandbox JVM ended without printing its port");
    }

    private static String sha256(InputStream in) throws Exception {
        MessageDigest digest = MessageDigest.getInstance("SHA-256");
        try (InputStream digesting = new DigestInputStream(in, digest)) {
            digesting.transferTo(OutputStream.nullOutputStream());
        }
        return HexFormat.of().formatHex(digest.digest());
    }
}
