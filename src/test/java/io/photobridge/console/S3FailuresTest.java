package io.photobridge.console;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.photobridge.InProcessS3;
import io.photobridge.RunningPhotoBridge;
import io.photobridge.records.PhotoState;
import io.photobridge.sandbox.FaultInjector;
import io.photobridge.TestHttp;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.S3Object;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** A failed S3 object is listed with its note's reason, and Retry puts it back under its key so it is delivered once. */
class S3FailuresTest {

    private static final String BUCKET = "camera-dumps";
    private static final long ORDER = 57076505L;
    private static final Duration WAIT = Duration.ofSeconds(60);
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path home;

    private InProcessS3 s3Server;
    private RunningPhotoBridge app;

    @AfterEach
    void stop() throws Exception {
        if (app != null) {
            app.close();
        }
        if (s3Server != null) {
            s3Server.close();
        }
    }

    @Test
    void aFailedObjectIsListedAndRetriedUnderItsKey() throws Exception {
        s3Server = InProcessS3.start(RunningPhotoBridge.freePort());
        S3Client s3 = s3Server.client();
        s3.createBucket(b -> b.bucket(BUCKET));
        app = RunningPhotoBridge.start(home, s3Server.settings(BUCKET));
        app.sandbox().faults().failNext(1, "/photos", new FaultInjector.Status(400, "Refused for the S3 retry test", null));
        s3.putObject(b -> b.bucket(BUCKET).key("incoming/" + ORDER + "/key/IMG_0200.jpg"),
                RequestBody.fromFile(Path.of("src/test/resources/media/key-exif.jpg")));
        String failedKey = "error/incoming/" + ORDER + "/key/IMG_0200.jpg";
        await().atMost(WAIT).until(() -> keys(s3).contains(failedKey + ".error.txt"));

        JsonNode failures = get("/api/failures");
        assertThat(failures.get("total").asInt()).isEqualTo(1);
        JsonNode failed = failures.get("items").get(0);
        assertThat(failed.get("id").asText()).isEqualTo("s3:incoming/" + ORDER + "/key/IMG_0200.jpg");
        assertThat(failed.get("source").asText()).isEqualTo("s3");
        assertThat(failed.get("orderId").asLong()).isEqualTo(ORDER);
        assertThat(failed.get("reason").asText()).contains("Refused for the S3 retry test");

        HttpResponse<String> retried = TestHttp.client().send(request("/api/failures/retry")
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(JSON.writeValueAsString(java.util.Map.of("id", failed.get("id").asText()))))
                .build(), HttpResponse.BodyHandlers.ofString());
        assertThat(retried.statusCode()).as(retried.body()).isEqualTo(200);

        await().atMost(WAIT).until(() -> app.ledger().photos(ORDER).stream().anyMatch(p -> p.state() == PhotoState.UPLOADED));
        await().atMost(WAIT).until(() -> keys(s3).contains("done/incoming/" + ORDER + "/key/IMG_0200.jpg"));
        assertThat(keys(s3)).doesNotContain(failedKey, failedKey + ".error.txt", "incoming/" + ORDER + "/key/IMG_0200.jpg");
        assertThat(app.sandbox().photos(ORDER)).hasSize(1);
        assertThat(app.ledger().photos(ORDER)).hasSize(1);
        assertThat(app.ledger().timeline(ORDER)).anyMatch(e -> e.kind().equals("RETRY_REQUESTED"));
        assertThat(get("/api/failures").get("total").asInt()).isZero();
    }

    private static java.util.List<String> keys(S3Client s3) {
        return s3.listObjectsV2(b -> b.bucket(BUCKET)).contents().stream().map(S3Object::key).toList();
    }

    private HttpRequest.Builder request(String path) {
        return HttpRequest.newBuilder(URI.create(app.httpBase() + path)).header("Authorization", "Bearer " + RunningPhotoBridge.API_TOKEN);
    }

    private JsonNode get(String path) throws Exception {
        HttpResponse<String> answer = TestHttp.client().send(request(path).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(answer.statusCode()).as(answer.body()).isEqualTo(200);
        return JSON.readTree(answer.body());
    }
}
