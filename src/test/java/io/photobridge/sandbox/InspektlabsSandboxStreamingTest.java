package io.photobridge.sandbox;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

import com.fasterxml.jackson.databind.JsonNode;
import io.photobridge.sandbox.InspektlabsTestClient.Auth;
import io.photobridge.sandbox.InspektlabsTestClient.GeneratedStream;
import io.photobridge.sandbox.InspektlabsTestClient.Multipart;
import io.photobridge.sandbox.InspektlabsTestClient.Receiver;
import io.photobridge.sandbox.InspektlabsTestClient.Response;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Uploads a 99 MB video part to an Inspektlabs sandbox running in a JVM limited to 64 MB of heap: only a streaming multipart
 * parser survives that.
 */
class InspektlabsSandboxStreamingTest {

    private static final long VIDEO_BYTES = 99L * 1024 * 1024;
    private static final long SEED = 99;

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
    void ninetyNineMegabyteVideoUploadsIntoASandboxWith64MegabytesOfHeap() throws Exception {
        Path dataDir = Files.createDirectories(work.resolve("data"));
        String expectedSha256 = GeneratedStream.sha256(VIDEO_BYTES, SEED);
        int port = startSandbox(dataDir);
        InspektlabsTestClient client = new InspektlabsTestClient("http://127.0.0.1:" + port);
        try (Receiver receiver = new Receiver()) {
            Auth auth = client.auth();
            Multipart body = InspektlabsTestClient.fileUpload(auth, receiver.url())
                    .generatedFile("walkaround.mp4", "video/mp4", VIDEO_BYTES, SEED);

            Response response = client.upload(body, auth.accessToken());

            assertThat(response.status()).as(response.body()).isEqualTo(200);
            JsonNode listed = client.get("/sandbox/uploads").json();
            assertThat(listed).hasSize(1);
            JsonNode file = listed.get(0).path("files").get(0);
            assertThat(file.path("name").asText()).isEqualTo("walkaround.mp4");
            assertThat(file.path("size").asLong()).isEqualTo(VIDEO_BYTES);
            assertThat(file.path("sha256").asText()).isEqualTo(expectedSha256);
            JsonNode persisted = InspektlabsTestClient.JSON.readTree(
                    dataDir.resolve("inspektlabs/uploads/" + auth.session() + ".json").toFile());
            assertThat(persisted.path("files").get(0).path("sha256").asText()).isEqualTo(expectedSha256);
            await().atMost(Duration.ofSeconds(20)).until(() -> receiver.bodies.size() == 1);
            assertThat(receiver.bodies.get(0).path("damages").get(0).path("file").asText()).isEqualTo("walkaround.mp4");
            try (var leftovers = Files.list(dataDir.resolve("inspektlabs/tmp"))) {
                assertThat(leftovers).isEmpty();
            }
            assertThat(sandbox.isAlive()).isTrue();
        }
    }

    private int startSandbox(Path dataDir) throws Exception {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        sandbox = new ProcessBuilder(List.of(java, "-Xmx64m", "-cp", System.getProperty("java.class.path"),
                InspektlabsSandboxMain.class.getName(), dataDir.toString()))
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
}
