package io.photobridge.console;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.photobridge.RunningPhotoBridge;
import io.photobridge.records.DamageJob;
import io.photobridge.records.PhotoState;
import io.photobridge.sandbox.FaultInjector;
import io.photobridge.TestHttp;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** The records and console API through the real Main and routes: JSON objects, pages, refusals by status, retries. */
class RecordsApiTest {

    private static final long ORDER = 57076503L;
    private static final Duration WAIT = Duration.ofSeconds(60);
    private static final Path MEDIA = Path.of("src/test/resources/media");
    private static final HttpClient HTTP = TestHttp.client();
    private static final ObjectMapper JSON = new ObjectMapper();

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
    void recordsArePagedJsonObjectsAndRefusalsHaveTheirStatus() throws Exception {
        app = RunningPhotoBridge.start(home);
        Path folder = Files.createDirectories(app.inbox().resolve(ORDER + "/key"));
        Files.copy(MEDIA.resolve("key-exif.jpg"), folder.resolve("IMG_0001.jpg"));
        Files.copy(MEDIA.resolve("offset-exif.jpg"), folder.resolve("IMG_0002.jpg"));
        await().atMost(WAIT).until(() -> app.ledger().photos(ORDER).stream().filter(p -> p.state() == PhotoState.UPLOADED).count() == 2);
        long photoId = app.ledger().photos(ORDER).get(0).id();
        // a damage report as the webhook stores it: its JSON fields must come back as JSON, not as text
        DamageJob job = app.damage().open("test-batch", ORDER, "image", String.valueOf(ORDER), List.of(photoId));
        app.damage().submitted(job.id(), "inspection-test-1");
        app.damage().report("inspection-test-1", String.valueOf(ORDER), "Available", "complete upload", "Car",
                "{\"odometerReading\":\"10234\"}",
                "[{\"file\":\"IMG_0001.jpg\",\"damages\":[{\"part\":\"Front Bumper\",\"damageType\":\"Dent\",\"severity\":\"major\"}]}]",
                "{\"inspectionId\":\"inspection-test-1\"}");

        JsonNode record = ok("/api/orders/" + ORDER + "/records");
        assertThat(record.get("typeLabels").get("27").asText()).isEqualTo("Key");
        // the sandbox's own damage analysis of these photos may report too: read the test's report
        JsonNode report = find(record.get("damageReports"), "inspectionId", "inspection-test-1");
        assertThat(report.get("vehicleReadings").isObject()).isTrue();
        assertThat(report.get("vehicleReadings").get("odometerReading").asText()).isEqualTo("10234");
        assertThat(report.get("damages").isArray()).isTrue();
        assertThat(report.get("body").get("inspectionId").asText()).isEqualTo("inspection-test-1");
        JsonNode part = find(record.get("damageSummary").get("damagedParts"), "inspectionId", "inspection-test-1");
        assertThat(part.get("part").asText()).isEqualTo("Front Bumper");
        assertThat(part.get("damageType").asText()).isEqualTo("Dent");
        assertThat(part.get("severity").asText()).isEqualTo("major");
        assertThat(part.get("file").asText()).isEqualTo("IMG_0001.jpg");
        assertThat(record.get("damageSummary").get("bySeverity").get("major").asInt()).isEqualTo(1); // the sandbox never says "major"

        JsonNode orders = ok("/api/orders");
        assertThat(orders.get("total").asLong()).isEqualTo(1);
        assertThat(orders.get("items").get(0).get("orderId").asLong()).isEqualTo(ORDER);
        assertThat(orders.get("items").get(0).get("uploaded").asLong()).isEqualTo(2);

        JsonNode page = ok("/api/orders/" + ORDER + "/photos?limit=1&offset=1");
        assertThat(page.get("total").asLong()).isEqualTo(2);
        assertThat(page.get("limit").asInt()).isEqualTo(1);
        assertThat(page.get("items")).hasSize(1);
        assertThat(page.get("items").get(0).get("id").asLong()).isEqualTo(app.ledger().photos(ORDER).get(1).id());
        JsonNode timeline = ok("/api/orders/" + ORDER + "/timeline?limit=2");
        assertThat(timeline.get("total").asLong()).isGreaterThan(2);
        assertThat(timeline.get("items")).hasSize(2);

        HttpResponse<byte[]> thumb = HTTP.send(get("/api/orders/" + ORDER + "/photos/" + photoId + "/thumbnail").build(),
                HttpResponse.BodyHandlers.ofByteArray());
        assertThat(thumb.statusCode()).isEqualTo(200);
        assertThat(thumb.headers().firstValue("Content-Type")).hasValue("image/jpeg");
        assertThat(javax.imageio.ImageIO.read(new java.io.ByteArrayInputStream(thumb.body())).getWidth()).isLessThanOrEqualTo(Thumbnails.SIZE);
        assertThat(home.resolve("thumbnails")).isDirectoryContaining(p -> p.getFileName().toString().endsWith("-320.jpg"));

        refused(get("/api/orders/12ab/records"), 400, "order id '12ab' is not a number");
        refused(get("/api/orders?limit=0"), 400, "limit '0' is not a whole number from 1 to 500");
        refused(HttpRequest.newBuilder(URI.create(app.httpBase() + "/api/orders/" + ORDER + "/records")), 401, "bearer token");
        refused(get("/api/orders/" + ORDER + "/photos/999999/thumbnail"), 404, "has no photo 999999");
        refused(post("/api/failures/retry", "{\"id\":\"folder:nothing.jpg\"}"), 404, "no failed input 'folder:nothing.jpg'");
        refused(post("/api/failures/retry", "not json"), 400, "the body is not JSON");

        HttpResponse<String> openapi = HTTP.send(HttpRequest.newBuilder(URI.create(app.httpBase() + "/api/openapi.yaml")).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(openapi.statusCode()).isEqualTo(200);
        assertThat(openapi.body()).startsWith("openapi: 3.0.3");
        HttpResponse<String> root = HTTP.send(HttpRequest.newBuilder(URI.create(app.httpBase() + "/")).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(root.statusCode()).isEqualTo(302);
        assertThat(root.headers().firstValue("Location")).hasValue("/console/");
        HttpResponse<String> page404 = HTTP.send(HttpRequest.newBuilder(URI.create(app.httpBase() + "/console/../config")).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(page404.statusCode()).isIn(400, 404);
    }

    @Test
    void aRetriedFileIsDeliveredOnceAndItsNoteAndRetryAreRecorded() throws Exception {
        app = RunningPhotoBridge.start(home);
        app.sandbox().faults().failNext(2, "/photos", new FaultInjector.Status(400, "Photo rejected by test", null));
        Path folder = Files.createDirectories(app.inbox().resolve(ORDER + "/key"));
        Files.copy(MEDIA.resolve("key-exif.jpg"), folder.resolve("IMG_0003.jpg"));
        Files.copy(MEDIA.resolve("offset-exif.jpg"), folder.resolve("IMG_0004.jpg"));
        Path kept = app.inbox().resolve(".error/" + ORDER + "/key/IMG_0003.jpg");
        Path note = app.inbox().resolve(".error/" + ORDER + "/key/IMG_0003.jpg.error.txt");
        await().atMost(WAIT).until(() -> Files.exists(note) && Files.exists(app.inbox().resolve(".error/" + ORDER + "/key/IMG_0004.jpg.error.txt")));

        JsonNode failures = ok("/api/failures");
        assertThat(failures.get("total").asInt()).isEqualTo(2);
        JsonNode first = failures.get("items").get(0);
        assertThat(first.get("source").asText()).isEqualTo("folder");
        assertThat(first.get("orderId").asLong()).isEqualTo(ORDER);
        assertThat(first.get("reason").asText()).contains("Photo rejected by test");
        // both failed for the same cause: one group, whatever their order id and file names
        String group = first.get("reasonGroup").asText();
        assertThat(group).isEqualTo("RecoveryConnect create photo: HTTP 400 Photo rejected by test");
        assertThat(failures.get("byReason").get(group).asInt()).isEqualTo(2);

        JsonNode retried = JSON.readTree(send(post("/api/failures/retry", "{\"id\":\"folder:" + ORDER + "/key/IMG_0003.jpg\"}"), 200));
        assertThat(retried.get("orderId").asLong()).isEqualTo(ORDER);
        assertThat(retried.get("putBack").asText()).isEqualTo(ORDER + "/key/IMG_0003.jpg");
        assertThat(note).doesNotExist();
        assertThat(kept).doesNotExist();
        await().atMost(WAIT).until(() -> Files.exists(app.inbox().resolve(".done/" + ORDER + "/key/IMG_0003.jpg")));
        assertThat(app.ledger().timeline(ORDER)).anySatisfy(e -> {
            assertThat(e.kind()).isEqualTo("RETRY_REQUESTED");
            assertThat(e.detail()).contains("Photo rejected by test");
        });
        // retry all with the other file's reason: it goes back too, and each photo is in RecoveryConnect exactly once
        JsonNode all = JSON.readTree(send(post("/api/failures/retry-all", JSON.writeValueAsString(java.util.Map.of("reason", group))), 200));
        assertThat(all.get("putBack").asInt()).isEqualTo(1);
        await().atMost(WAIT).until(() -> app.ledger().photos(ORDER).stream().filter(p -> p.state() == PhotoState.UPLOADED).count() == 2);
        assertThat(app.sandbox().photos(ORDER)).hasSize(2);
        assertThat(app.ledger().photos(ORDER)).hasSize(2);
        assertThat(ok("/api/failures").get("total").asInt()).isZero();
    }

    private static JsonNode find(JsonNode array, String field, String value) {
        for (JsonNode item : array) {
            if (value.equals(item.path(field).asText())) {
                return item;
            }
        }
        throw new AssertionError("no item with " + field + " = " + value + " in " + array);
    }

    private HttpRequest.Builder get(String path) {
        return HttpRequest.newBuilder(URI.create(app.httpBase() + path)).header("Authorization", "Bearer " + RunningPhotoBridge.API_TOKEN);
    }

    private HttpRequest.Builder post(String path, String body) {
        return get(path).header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(body));
    }

    private JsonNode ok(String path) throws Exception {
        return JSON.readTree(send(get(path), 200));
    }

    private String send(HttpRequest.Builder request, int status) throws Exception {
        HttpResponse<String> answer = HTTP.send(request.build(), HttpResponse.BodyHandlers.ofString());
        assertThat(answer.statusCode()).as(answer.body()).isEqualTo(status);
        return answer.body();
    }

    private void refused(HttpRequest.Builder request, int status, String message) throws Exception {
        JsonNode answer = JSON.readTree(send(request, status));
        assertThat(answer.get("message").asText()).contains(message);
    }
}
