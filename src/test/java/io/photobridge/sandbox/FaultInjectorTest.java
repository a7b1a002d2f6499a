package io.photobridge.sandbox;

import static io.photobridge.sandbox.SandboxTestClient.JPEG;
import static io.photobridge.sandbox.SandboxTestClient.ORDER;
import static io.photobridge.sandbox.SandboxTestClient.createBody;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.net.http.HttpTimeoutException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import io.photobridge.sandbox.FaultInjector.Drop;
import io.photobridge.sandbox.FaultInjector.Slow;
import io.photobridge.sandbox.FaultInjector.Status;
import io.photobridge.sandbox.SandboxTestClient.Response;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class FaultInjectorTest {

    private static final String PHOTOS = "/api/v140/orders/" + ORDER + "/photos";
    private static final String TYPES = "/api/v140/photo-types";

    private RecoveryConnectSandbox sandbox;
    private SandboxTestClient client;

    @BeforeEach
    void startSandbox() {
        sandbox = new RecoveryConnectSandbox(RecoveryConnectSandbox.Settings.defaults());
        sandbox.start();
        client = new SandboxTestClient(sandbox.baseUrl());
    }

    @AfterEach
    void stopSandbox() {
        sandbox.stop();
    }

    @Test
    void scripted503AnswersTwiceThenTheRequestSucceeds() throws Exception {
        sandbox.faults().failNext(2, "/photos", new Status(503, null, null));

        Response first = client.post(PHOTOS, createBody("test", JPEG, 2));
        Response second = client.post(PHOTOS, createBody("test", JPEG, 2));
        Response third = client.post(PHOTOS, createBody("test", JPEG, 2));

        assertThat(first.status()).isEqualTo(503);
        assertThat(first.json().path("message").asText()).isEqualTo("Service Unavailable");
        assertThat(first.headers().firstValue("Retry-After")).isEmpty();
        assertThat(second.status()).isEqualTo(503);
        assertThat(third.status()).isEqualTo(200);
        assertThat(sandbox.faults().injected()).isEqualTo(2);
        assertThat(sandbox.createRequests()).isEqualTo(1);
        assertThat(sandbox.createdPhotos()).isEqualTo(1);
    }

    @Test
    void scriptedFaultIsOnlyConsumedByMatchingPaths() throws Exception {
        sandbox.faults().failNext(1, "/photos", new Status(500));

        assertThat(client.get(TYPES).status()).isEqualTo(200);
        Response photos = client.get(PHOTOS);

        assertThat(photos.status()).isEqualTo(500);
        assertThat(photos.json().path("message").asText()).isEqualTo("Server Error");
        assertThat(client.get(PHOTOS).status()).isEqualTo(200);
    }

    @Test
    void scriptedFaultsAreServedInOrder() throws Exception {
        sandbox.faults().failNext(1, null, new Status(503));
        sandbox.faults().failNext(1, "", new Status(429));

        assertThat(client.get(TYPES).status()).isEqualTo(503);
        assertThat(client.get(TYPES).status()).isEqualTo(429);
        assertThat(client.get(TYPES).status()).isEqualTo(200);
    }

    @Test
    void status429CarriesRetryAfterAndLaravelsMessage() throws Exception {
        sandbox.faults().failNext(1, "/photos", new Status(429, null, 7));

        Response response = client.get(PHOTOS);

        assertThat(response.status()).isEqualTo(429);
        assertThat(response.json().path("message").asText()).isEqualTo("Too Many Attempts.");
        assertThat(response.headers().firstValue("Retry-After")).hasValue("7");
        assertThat(response.headers().firstValue("X-RateLimit-Remaining")).hasValue("0");
    }

    @Test
    void dropClosesTheConnectionWithoutAnAnswer() throws Exception {
        sandbox.faults().failNext(1, "/photos", new Drop());

        assertThatThrownBy(() -> client.post(PHOTOS, createBody("test", JPEG, 2))).isInstanceOf(IOException.class);

        assertThat(client.post(PHOTOS, createBody("test", JPEG, 2)).status()).isEqualTo(200);
        assertThat(sandbox.faults().injected()).isEqualTo(1);
        assertThat(sandbox.createRequests()).isEqualTo(1);
    }

    @Test
    void lostAnswerHandlesTheRequestThenClosesTheConnectionWithoutAnAnswer() throws Exception {
        assertThat(client.post("/sandbox/faults", "{\"kind\":\"lost-answer\",\"path\":\"/photos\"}").status()).isEqualTo(204);

        assertThatThrownBy(() -> client.post(PHOTOS, createBody("lost", JPEG, 2))).isInstanceOf(IOException.class);

        // the photo was stored all the same, and the next answers are whole again
        assertThat(sandbox.createRequests()).isEqualTo(1);
        assertThat(sandbox.faults().injected()).isEqualTo(1);
        assertThat(sandbox.photos(ORDER)).hasSize(1);
        assertThat(client.get(PHOTOS).status()).isEqualTo(200);
    }

    @Test
    void slowFaultDelaysTheAnswerThenAnswersNormally() throws Exception {
        sandbox.faults().failNext(1, "/photos", new Slow(Duration.ofMillis(800)));

        long started = System.nanoTime();
        Response response = client.get(PHOTOS);
        long elapsedMillis = (System.nanoTime() - started) / 1_000_000;

        assertThat(response.status()).isEqualTo(200);
        assertThat(elapsedMillis).isGreaterThanOrEqualTo(800);
    }

    @Test
    void slowFaultLongerThanTheClientTimeoutTimesOut() throws Exception {
        sandbox.faults().failNext(1, "/photos", new Slow(Duration.ofSeconds(3)));

        assertThatThrownBy(() -> client.send("GET", PHOTOS, null, SandboxTestClient.STATIC_TOKEN, Duration.ofMillis(500)))
                .isInstanceOf(HttpTimeoutException.class);
        // the sandbox still handles the request after the client gave up; the count of slowed requests says when it is done
        await().atMost(Duration.ofSeconds(60)).until(() -> sandbox.faults().slowInFlight() == 0);
        assertThat(sandbox.faults().injected()).isEqualTo(1);
    }

    @Test
    void faultsNeverApplyToSandboxAdminPaths() throws Exception {
        sandbox.faults().failNext(1, null, new Status(503));

        assertThat(client.send("GET", "/sandbox/health", null, null).status()).isEqualTo(200);
        assertThat(sandbox.faults().injected()).isZero();
        assertThat(client.get(TYPES).status()).isEqualTo(503);
    }

    @Test
    void seededRandomFaultsAreReproducible() throws Exception {
        List<Integer> first = randomRun(1234L);
        List<Integer> second = randomRun(1234L);

        assertThat(first).isEqualTo(second);
        assertThat(first).contains(200).containsAnyOf(429, 503);
        assertThat(first).isNotEqualTo(randomRun(99L));
    }

    private List<Integer> randomRun(long seed) throws Exception {
        sandbox.faults().clear();
        sandbox.faults().randomly(0.5, seed, "/photo-types", List.of(new Status(429), new Status(503)));
        List<Integer> statuses = new ArrayList<>();
        for (int i = 0; i < 30; i++) {
            statuses.add(client.get(TYPES).status());
        }
        assertThat(client.get(PHOTOS).status()).isEqualTo(200);
        return statuses;
    }

    @Test
    void clearRemovesScriptedAndRandomFaults() throws Exception {
        sandbox.faults().failNext(5, null, new Status(503));
        sandbox.faults().randomly(1.0, 1L, null, List.of(new Status(500)));

        sandbox.faults().clear();

        assertThat(client.get(TYPES).status()).isEqualTo(200);
        assertThat(sandbox.faults().injected()).isZero();
    }

    @Test
    void statusFaultsGetRealisticDefaultMessages() {
        assertThat(new Status(429).message()).isEqualTo("Too Many Attempts.");
        assertThat(new Status(503).message()).isEqualTo("Service Unavailable");
        assertThat(new Status(500).message()).isEqualTo("Server Error");
        assertThat(new Status(503, "Down for maintenance", 30).message()).isEqualTo("Down for maintenance");
        assertThatThrownBy(() -> new Status(200)).isInstanceOf(IllegalArgumentException.class);
    }

    // ------------------------------------------------------------------ admin endpoint

    @Test
    void adminStatusFaultAnswersWithRetryAfterThenClears() throws Exception {
        Response configured = admin("POST", "{\"kind\":\"status\",\"status\":503,\"times\":2,\"path\":\"/photos\",\"retry_after\":1}");

        assertThat(configured.status()).isEqualTo(204);
        assertThat(client.get(TYPES).status()).isEqualTo(200);
        Response faulted = client.get(PHOTOS);
        assertThat(faulted.status()).isEqualTo(503);
        assertThat(faulted.headers().firstValue("Retry-After")).hasValue("1");
        assertThat(client.get(PHOTOS).status()).isEqualTo(503);
        assertThat(client.get(PHOTOS).status()).isEqualTo(200);
    }

    @Test
    void adminSlowAndDropFaultsApply() throws Exception {
        assertThat(admin("POST", "{\"kind\":\"slow\",\"millis\":600,\"times\":1}").status()).isEqualTo(204);
        long started = System.nanoTime();
        assertThat(client.get(TYPES).status()).isEqualTo(200);
        assertThat((System.nanoTime() - started) / 1_000_000).isGreaterThanOrEqualTo(600);

        assertThat(admin("POST", "{\"kind\":\"drop\",\"times\":1}").status()).isEqualTo(204);
        assertThatThrownBy(() -> client.post(PHOTOS, createBody("test", JPEG, 2))).isInstanceOf(IOException.class);
        assertThat(sandbox.faults().injected()).isEqualTo(2);
    }

    @Test
    void adminRandomFaultInjectsOneOfTheMix() throws Exception {
        assertThat(admin("POST", "{\"kind\":\"random\",\"probability\":1.0,\"seed\":42,\"path\":\"/photo-types\"}").status())
                .isEqualTo(204);

        Integer status = null;
        try {
            status = client.send("GET", TYPES, null, SandboxTestClient.STATIC_TOKEN, Duration.ofSeconds(2)).status();
        } catch (IOException e) {
            // a drop or the 35 s slow answer
        }

        assertThat(sandbox.faults().injected()).isEqualTo(1);
        if (status != null) {
            assertThat(status).isIn(429, 500, 503);
        }
        assertThat(client.get(PHOTOS).status()).isEqualTo(200);
    }

    @Test
    void adminDeleteClearsFaults() throws Exception {
        admin("POST", "{\"kind\":\"status\",\"status\":500,\"times\":3}");

        assertThat(admin("DELETE", null).status()).isEqualTo(204);

        assertThat(client.get(TYPES).status()).isEqualTo(200);
    }

    @Test
    void adminRejectsAnUnknownKindOrMissingStatus() throws Exception {
        Response unknown = admin("POST", "{\"kind\":\"explode\"}");
        Response noStatus = admin("POST", "{\"kind\":\"status\"}");

        assertThat(unknown.status()).isEqualTo(400);
        assertThat(unknown.json().path("message").asText()).contains("status, slow, drop, lost-answer, random");
        assertThat(noStatus.status()).isEqualTo(400);
        assertThat(client.get(TYPES).status()).isEqualTo(200);
    }

    @Test
    void adminHealthIsUp() throws Exception {
        Response health = client.send("GET", "/sandbox/health", null, null);

        assertThat(health.status()).isEqualTo(200);
        assertThat(health.json().path("status").asText()).isEqualTo("UP");
    }

    private Response admin(String method, String body) throws Exception {
        return client.send(method, "/sandbox/faults", body, null);
    }
}
