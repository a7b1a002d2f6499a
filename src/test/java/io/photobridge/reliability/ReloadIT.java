package io.photobridge.reliability;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.photobridge.bench.JarProcess;
import io.photobridge.sandbox.FaultInjector;
import io.photobridge.sandbox.RecoveryConnectSandbox;
import io.photobridge.TestHttp;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Route edits on the shipped jar, as an admin makes them: every kind of broken edit is refused with the running routes left
 * as they were and photos still flowing; a valid edit while an upload waits 25 s for RecoveryConnect loses and duplicates
 * nothing, also when the delivered file is put back. Writes target/reliability/reload.md.
 */
class ReloadIT {

    private static final long ORDER = 57076503L;
    private static final Path PROJECT = Path.of("").toAbsolutePath();
    private static final Path PHOTO = PROJECT.resolve("src/test/resources/media/key-exif.jpg");
    private static final String TOKEN = "reload-it-token-7d2e";
    private static final Duration WAIT = Duration.ofSeconds(60);
    private static final HttpClient HTTP = TestHttp.client();
    private static final ObjectMapper JSON = new ObjectMapper();

    /** kind, file, text replaced, replacement, what the refusal must say. */
    private static final String[][] BROKEN_EDITS = {
            {"placeholder typo", "ingest-drop-folder.camel.yaml", "{{photobridge.inbox.poll-ms}}", "{{photobridge.inbox.poll-msx}}",
                    "placeholder {{photobridge.inbox.poll-msx}} does not resolve"},
            {"bean name typo", "records-api.camel.yaml", "ref: orderRecordsApi", "ref: orderRecordsApii", "orderRecordsApii"},
            {"bean method typo", "recoveryconnect-upload.camel.yaml", "method: upload", "method: uplaod", "uplaod"},
            {"endpoint option typo", "ingest-drop-folder.camel.yaml", "greedy: true", "greedyy: true", "greedyy"},
            {"unknown component", "admin-reloads.camel.yaml", "uri: platform-http:", "uri: platfrom-http:", "platfrom-http"},
            {"YAML syntax", "ingest-pipeline.camel.yaml", "steps:", "steps: [", "not valid YAML"},
            {"unknown DSL field", "ingest-pipeline.camel.yaml", "method: identify", "methd: identify", "methd"},
            {"direct consumer removed", "recoveryconnect-upload.camel.yaml", "uri: direct:recoveryconnect-upload",
                    "uri: direct:recoveryconnect-uploads", "no route would consume direct:recoveryconnect-upload"},
            {"duplicate route id", "records-api.camel.yaml", "id: records-api", "id: ingest-pipeline",
                    "route id 'ingest-pipeline' is used twice"},
    };

    @TempDir
    Path home;

    @Test
    void brokenEditsAreRefusedAndAValidEditDuringASlowUploadLosesAndDuplicatesNothing() throws Exception {
        Path routes = Files.createDirectories(home.resolve("routes"));
        try (Stream<Path> files = Files.list(PROJECT.resolve("routes"))) {
            for (Path f : (Iterable<Path>) files::iterator) {
                Files.copy(f, routes.resolve(f.getFileName()));
            }
        }
        List<String> rows = new ArrayList<>();
        try (RecoveryConnectSandbox sandbox = new RecoveryConnectSandbox(RecoveryConnectSandbox.Settings.defaults()
                .withDataDir(home.resolve("sandbox")))) {
            sandbox.start();
            // production mode: in demo the jar's own simulator would stand in for this sandbox whatever base-url says
            JarProcess app = new JarProcess(PROJECT, home.resolve("app")).production()
                    .property("photobridge.recoveryconnect.base-url", sandbox.baseUrl())
                    .property("photobridge.inspektlabs.enabled", "false")
                    .property("photobridge.pave.enabled", "false")
                    .property("camel.main.routes-include-pattern", "file:" + routes + "/*.camel.yaml")
                    .property("photobridge.routes.dir", routes.toString())
                    .property("photobridge.routes.reload-enabled", "true")
                    .property("photobridge.api.token", TOKEN)
                    .jvm("-Xmx256m");
            Path inbox = home.resolve("app/inbox");
            try {
                app.start().awaitReady(WAIT);
                int photos = 0;
                for (String[] edit : BROKEN_EDITS) {
                    Path file = routes.resolve(edit[1]);
                    String original = Files.readString(file);
                    assertThat(original).as(edit[0]).contains(edit[2]);
                    Instant saved = Instant.now();
                    Files.writeString(file, original.replace(edit[2], edit[3]));
                    JsonNode refusal = awaitReload(app, saved, r -> r.path("outcome").asText().equals("rejected")
                            && r.path("detail").asText().contains(edit[4]));
                    assertThat(ready(app)).as("readiness after a " + edit[0]).isEqualTo(200);
                    String name = "after-" + edit[0].replace(' ', '-') + ".jpg";
                    deliver(inbox, uniqueJpeg(name), name);
                    photos++;
                    assertThat(sandbox.photos(ORDER)).as("photos in RecoveryConnect after the " + edit[0]).hasSize(photos);
                    Instant restored = Instant.now();
                    Files.writeString(file, original);
                    awaitReload(app, restored, r -> r.path("trigger").asText().contains(edit[1]) && !r.path("outcome").asText().equals("rejected"));
                    rows.add("| " + edit[0] + " | `" + edit[1] + "` | refused: " + refusal.path("detail").asText()
                            .replace(routes + "/", "").replace("|", "\\|") + " | delivered |");
                }

                // a valid edit while RecoveryConnect takes 25 s to answer an upload
                sandbox.faults().failNext(1, "/photos", new FaultInjector.Slow(Duration.ofSeconds(25)));
                Path slow = inbox.resolve(ORDER + "/key/slow-upload.jpg");
                Path staged = Files.createDirectories(home.resolve("staging")).resolve("slow-upload.jpg");
                Files.write(staged, uniqueJpeg("slow-upload"));
                Files.move(staged, slow);
                await().atMost(WAIT).until(() -> sandbox.faults().injected() >= 1);
                Path upload = routes.resolve("recoveryconnect-upload.camel.yaml");
                long editedAt = System.nanoTime();
                Instant edited = Instant.now();
                Files.writeString(upload, Files.readString(upload).replace("-> order ${header.PhotoBridgeOrderId}",
                        "-> RecoveryConnect order ${header.PhotoBridgeOrderId}"));
                JsonNode applied = awaitReload(app, edited, r -> r.path("outcome").asText().equals("applied"));
                double swapSeconds = (System.nanoTime() - editedAt) / 1e9;
                assertThat(applied.path("routes").toString()).contains("recoveryconnect-upload");
                await().atMost(WAIT).until(() -> Files.exists(inbox.resolve(".done/" + ORDER + "/key/slow-upload.jpg")));
                assertThat(sandbox.photos(ORDER)).hasSize(photos + 1);

                // put the delivered file back, as an operator retrying by hand would
                Files.copy(inbox.resolve(".done/" + ORDER + "/key/slow-upload.jpg"), inbox.resolve(ORDER + "/key/put-back.jpg"));
                await().atMost(WAIT).until(() -> Files.exists(inbox.resolve(".done/" + ORDER + "/key/put-back.jpg")));
                int copies = sandbox.photos(ORDER).size() - photos;
                long errors = countFiles(inbox.resolve(".error"));
                assertThat(copies).as("copies in RecoveryConnect after the file was put back").isEqualTo(1);
                assertThat(errors).as("files in .error/").isZero();
                assertThat(ready(app)).isEqualTo(200);

                rows.add(String.format("| valid edit during a 25 s upload | `recoveryconnect-upload.camel.yaml` | applied after the"
                        + " upload finished (%.1f s from the save), replaced %s | 1 copy in RecoveryConnect, 1 after the file was"
                        + " put back; %d in .error/ |", swapSeconds, applied.path("routes"), errors));
            } finally {
                app.stop();
                Files.createDirectories(SuiteSize.RESULTS);
                Files.copy(app.log(), SuiteSize.RESULTS.resolve("reload-photobridge.log"), StandardCopyOption.REPLACE_EXISTING);
            }
            SuiteSize.current().writeResult("reload", """
                    Route edits on the shipped jar (route reload on, RecoveryConnect sandbox). Each broken edit is saved over a \
                    running route file, then a photo is dropped, then the file is put right again.

                    | edit | file | outcome | photo dropped after the edit |
                    |---|---|---|---|
                    %s
                    """.formatted(String.join("\n", rows)));
        }
    }

    /** The test JPEG with a comment segment naming it: valid, and different bytes for every name. */
    private static byte[] uniqueJpeg(String name) throws Exception {
        byte[] jpeg = Files.readAllBytes(PHOTO);
        byte[] text = name.getBytes(StandardCharsets.UTF_8);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.write(jpeg, 0, 2); // SOI
        out.write(new byte[] {(byte) 0xFF, (byte) 0xFE, (byte) ((text.length + 2) >> 8), (byte) (text.length + 2)});
        out.write(text);
        out.write(jpeg, 2, jpeg.length - 2);
        return out.toByteArray();
    }

    private void deliver(Path inbox, byte[] photo, String name) throws Exception {
        Path target = inbox.resolve(ORDER + "/key/" + name);
        Files.createDirectories(target.getParent());
        Path staged = Files.createDirectories(home.resolve("staging")).resolve(name);
        Files.write(staged, photo);
        Files.move(staged, target);
        await().atMost(WAIT).until(() -> Files.exists(inbox.resolve(".done/" + ORDER + "/key/" + name)));
        assertThat(countFiles(inbox.resolve(".error"))).as("files in .error/ after " + name).isZero();
    }

    private interface Match {
        boolean test(JsonNode reload);
    }

    /** Waits for a reload in GET /api/reloads, made after since, that matches; returns it. */
    private static JsonNode awaitReload(JarProcess app, Instant since, Match match) {
        JsonNode[] found = new JsonNode[1];
        // a request in flight while an HTTP route is swapped may see its connection closed: ask again
        await().atMost(WAIT).pollInterval(Duration.ofMillis(200)).ignoreExceptionsInstanceOf(IOException.class).until(() -> {
            HttpResponse<String> answer = HTTP.send(HttpRequest.newBuilder(URI.create(app.httpBase() + "/api/reloads"))
                    .header("Authorization", "Bearer " + TOKEN).build(), HttpResponse.BodyHandlers.ofString());
            for (JsonNode reload : JSON.readTree(answer.body()).path("reloads")) {
                if (!Instant.parse(reload.path("at").asText()).isBefore(since) && match.test(reload)) {
                    found[0] = reload;
                    return true;
                }
            }
            return false;
        });
        return found[0];
    }

    private static int ready(JarProcess app) throws Exception {
        return HTTP.send(HttpRequest.newBuilder(URI.create(app.httpBase() + "/observe/health/ready")).build(),
                HttpResponse.BodyHandlers.discarding()).statusCode();
    }

    private static long countFiles(Path dir) throws Exception {
        if (!Files.isDirectory(dir)) {
            return 0;
        }
        try (Stream<Path> walk = Files.walk(dir)) {
            return walk.filter(Files::isRegularFile).count();
        }
    }
}
