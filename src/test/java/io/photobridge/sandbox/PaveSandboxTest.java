package io.photobridge.sandbox;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.NoSuchElementException;
import java.util.concurrent.CopyOnWriteArrayList;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpServer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PaveSandboxTest {

    private static final ObjectMapper MAPPER = new ObjectMapper();
    private static final String USER = "sandbox@example.com";
    private static final String KEY = "sandbox-pave-key";
    private static final String SECRET = "sandbox-pave-secret";
    private static final byte[] JPEG = {(byte) 0xFF, (byte) 0xD8, (byte) 0xFF, (byte) 0xE0, 1, 2, 3, 4, (byte) 0xFF, (byte) 0xD9};

    @TempDir
    Path work;

    private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
    private PaveSandbox sandbox;

    @BeforeEach
    void startSandbox() {
        sandbox = new PaveSandbox(PaveSandbox.Settings.defaults());
        sandbox.start();
    }

    @AfterEach
    void stopSandbox() {
        sandbox.stop();
    }

    // ------------------------------------------------------------------ test-side client

    private record Response(int status, byte[] bytes) {
        String body() {
            return new String(bytes, StandardCharsets.UTF_8);
        }

        JsonNode json() throws IOException {
            return MAPPER.readTree(bytes);
        }
    }

    /** The test's own HMAC signer, independent of the sandbox's. */
    private static String sign(String username, String apiKey, String secret, String timestamp) throws Exception {
        Mac mac = Mac.getInstance("HmacSHA256");
        mac.init(new SecretKeySpec(secret.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
        return HexFormat.of().formatHex(mac.doFinal((username + ":" + apiKey + "@" + timestamp).getBytes(StandardCharsets.UTF_8)));
    }

    private static String nowStamp() {
        return DateTimeFormatter.ISO_INSTANT.format(Instant.now().truncatedTo(ChronoUnit.SECONDS));
    }

    private Response send(String method, String path, String body, String apiKey, String token, String timestamp) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(path.startsWith("http") ? path : sandbox.baseUrl() + path))
                .timeout(Duration.ofSeconds(10))
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
        if (body != null) {
            request.header("Content-Type", "application/json");
        }
        if (apiKey != null) {
            request.header("API-Key", apiKey);
        }
        if (token != null) {
            request.header("API-Token", token);
        }
        if (timestamp != null) {
            request.header("API-Timestamp", timestamp);
        }
        HttpResponse<byte[]> response = http.send(request.build(), HttpResponse.BodyHandlers.ofByteArray());
        return new Response(response.statusCode(), response.body());
    }

    /** A correctly signed call. */
    private Response signed(String method, String path, String body) throws Exception {
        String timestamp = nowStamp();
        return send(method, path, body, KEY, sign(USER, KEY, SECRET, timestamp), timestamp);
    }

    private Response get(String path) throws Exception {
        return signed("GET", path, null);
    }

    private Response admin(String method, String path, String body) throws Exception {
        return send(method, path, body, null, null, null);
    }

    private static void assertMessage(Response response, int status, String message) throws IOException {
        assertThat(response.status()).as(response.body()).isEqualTo(status);
        assertThat(response.json().path("message").asText()).isEqualTo(message);
        assertThat(response.json().size()).isEqualTo(1);
    }

    // ------------------------------------------------------------------ auth

    @Test
    void correctlySignedRequestAnswers200() throws Exception {
        String key = sandbox.createSession();

        Response response = get("/v1/sessions/" + key);

        assertThat(response.status()).as(response.body()).isEqualTo(200);
        assertThat(response.json().path("session_key").asText()).isEqualTo(key);
        assertThat(sandbox.authFailures()).isZero();
    }

    @Test
    void tokenSignedWithWrongSecretAnswers401() throws Exception {
        String key = sandbox.createSession();
        String timestamp = nowStamp();

        Response response = send("GET", "/v1/sessions/" + key, null, KEY, sign(USER, KEY, "not-the-secret", timestamp), timestamp);

        assertMessage(response, 401, "Unauthorized");
        assertThat(sandbox.authFailures()).isEqualTo(1);
    }

    @Test
    void staleTimestampAnswers401EvenWhenCorrectlySigned() throws Exception {
        String key = sandbox.createSession();
        String stale = DateTimeFormatter.ISO_INSTANT.format(Instant.now().minus(Duration.ofMinutes(6)).truncatedTo(ChronoUnit.SECONDS));
        String future = DateTimeFormatter.ISO_INSTANT.format(Instant.now().plus(Duration.ofMinutes(6)).truncatedTo(ChronoUnit.SECONDS));

        assertMessage(send("GET", "/v1/sessions/" + key, null, KEY, sign(USER, KEY, SECRET, stale), stale), 401, "Unauthorized");
        assertMessage(send("GET", "/v1/sessions/" + key, null, KEY, sign(USER, KEY, SECRET, future), future), 401, "Unauthorized");
        assertThat(sandbox.authFailures()).isEqualTo(2);
    }

    @Test
    void tokenComputedOverADifferentTimestampStringAnswers401() throws Exception {
        String key = sandbox.createSession();
        Instant now = Instant.now().truncatedTo(ChronoUnit.SECONDS);
        String sent = DateTimeFormatter.ISO_INSTANT.format(now);
        String sameInstantOtherText = now.toString().replace("Z", ".000Z");

        Response response = send("GET", "/v1/sessions/" + key, null, KEY, sign(USER, KEY, SECRET, sameInstantOtherText), sent);

        assertMessage(response, 401, "Unauthorized");
    }

    @Test
    void missingHeadersWrongKeyUnparseableTimestampOrUppercaseTokenAnswer401() throws Exception {
        String path = "/v1/sessions/" + sandbox.createSession();
        String timestamp = nowStamp();
        String token = sign(USER, KEY, SECRET, timestamp);

        assertMessage(send("GET", path, null, null, token, timestamp), 401, "Unauthorized");
        assertMessage(send("GET", path, null, KEY, null, timestamp), 401, "Unauthorized");
        assertMessage(send("GET", path, null, KEY, token, null), 401, "Unauthorized");
        assertMessage(send("GET", path, null, "other-key", sign(USER, "other-key", SECRET, timestamp), timestamp), 401, "Unauthorized");
        assertMessage(send("GET", path, null, KEY, sign("other@example.com", KEY, SECRET, timestamp), timestamp), 401, "Unauthorized");
        assertMessage(send("GET", path, null, KEY, sign(USER, KEY, SECRET, "yesterday"), "yesterday"), 401, "Unauthorized");
        assertMessage(send("GET", path, null, KEY, token.toUpperCase(), timestamp), 401, "Unauthorized");
        assertThat(sandbox.authFailures()).isEqualTo(7);
        assertThat(send("GET", path, null, KEY, token, timestamp).status()).isEqualTo(200);
    }

    @Test
    void configuredSecretAndSkewAreTheOnesChecked() throws Exception {
        sandbox.stop();
        sandbox = new PaveSandbox(PaveSandbox.Settings.defaults().withApiSecret("s3cret").withMaxClockSkew(Duration.ofHours(2)));
        sandbox.start();
        String path = "/v1/sessions/" + sandbox.createSession();
        String hourAgo = DateTimeFormatter.ISO_INSTANT.format(Instant.now().minus(Duration.ofHours(1)).truncatedTo(ChronoUnit.SECONDS));

        assertThat(send("GET", path, null, KEY, sign(USER, KEY, "s3cret", hourAgo), hourAgo).status()).isEqualTo(200);
        assertThat(get(path).status()).isEqualTo(401);
        assertThat(sandbox.settings().toString()).doesNotContain("s3cret").doesNotContain(KEY);
    }

    // ------------------------------------------------------------------ sessions

    @Test
    void createSessionAnswersSessionKeyCaptureUrlAndIdleStatus() throws Exception {
        Response response = signed("POST", "/v1/sessions",
                "{\"vehicle\":{\"vin\":\"1HGCM82633A004352\",\"year\":2003,\"make\":\"Honda\",\"model\":\"Accord\"},"
                        + "\"redirect_url\":\"https://example.com/done\",\"theme\":\"LITE\"}");

        assertThat(response.status()).as(response.body()).isEqualTo(200);
        JsonNode json = response.json();
        String key = json.path("session_key").asText();
        assertThat(key).matches("SBX-[A-Z0-9]{10}");
        assertThat(json.path("status").asText()).isEqualTo("IDLE");
        assertThat(json.path("theme").asText()).isEqualTo("LITE");
        assertThat(json.path("redirect_url").asText()).isEqualTo("https://example.com/done");
        assertThat(json.path("capture_url").asText()).isEqualTo(sandbox.baseUrl() + "/capture/" + key);
        assertThat(json.path("vehicle").path("vin").asText()).isEqualTo("1HGCM82633A004352");

        JsonNode data = get("/v1/sessions/" + key).json();
        assertThat(data.path("vehicle").path("make").asText()).isEqualTo("Honda");
        assertThat(data.path("status").asText()).isEqualTo("IDLE");
        assertThat(data.path("created_at").asText()).matches("\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d\\+00:00");
        assertThat(data.path("updated_at").asText()).isNotEmpty();
    }

    @Test
    void createSessionWithoutBodyDefaultsToProThemeAndRefusesUnknownTheme() throws Exception {
        Response plain = signed("POST", "/v1/sessions", null);
        assertThat(plain.status()).isEqualTo(200);
        assertThat(plain.json().path("theme").asText()).isEqualTo("PRO");

        assertMessage(signed("POST", "/v1/sessions", "{\"theme\":\"ULTRA\"}"), 400, "The theme must be one of LITE, PRO, CAPT.");
    }

    @Test
    void unknownSessionAnswers404WithTheActualKeyInTheMessage() throws Exception {
        assertMessage(get("/v1/sessions/NOPE-123"), 404, "Session NOPE-123 cannot be found.");
        assertMessage(get("/v1/sessions/NOPE-123/photos"), 404, "Session NOPE-123 cannot be found.");
        assertMessage(get("/v1/sessions/NOPE-123/results"), 404, "Session NOPE-123 cannot be found.");
        assertThatThrownBy(() -> sandbox.capture("NOPE-123", 1, true, null, JPEG)).isInstanceOf(NoSuchElementException.class);
    }

    // ------------------------------------------------------------------ photos

    @Test
    void photosListEveryCaptureInTheSpecShapeIncludingARejectedCaptureAndItsApprovedRetake() throws Exception {
        String key = sandbox.createSession();
        sandbox.capture(key, 1, true, null, JPEG);
        sandbox.capture(key, 2, false, "Wrong View", null);
        sandbox.capture(key, 2, true, null, null);

        Response response = get("/v1/sessions/" + key + "/photos");

        assertThat(response.status()).as(response.body()).isEqualTo(200);
        JsonNode list = response.json();
        assertThat(list.isArray()).isTrue();
        assertThat(list).hasSize(3);
        for (JsonNode entry : list) {
            List<String> fields = new ArrayList<>();
            entry.fieldNames().forEachRemaining(fields::add);
            assertThat(fields).containsExactly("photo_code", "photo_label", "url", "approved", "approved_message", "created_at", "updated_at");
            assertThat(entry.path("created_at").asText()).matches("\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d\\+00:00");
            assertThat(entry.path("updated_at").asText()).matches("\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d\\+00:00");
        }
        assertThat(list.get(0).path("photo_code").asInt()).isEqualTo(1);
        assertThat(list.get(0).path("photo_label").asText()).isEqualTo("VIN");
        assertThat(list.get(0).path("approved").asBoolean()).isTrue();
        assertThat(list.get(0).path("approved_message").asText()).isEqualTo("ACCEPTED");
        assertThat(list.get(1).path("photo_code").asInt()).isEqualTo(2);
        assertThat(list.get(1).path("photo_label").asText()).isEqualTo("Interior");
        assertThat(list.get(1).path("approved").isBoolean()).isTrue();
        assertThat(list.get(1).path("approved").asBoolean()).isFalse();
        assertThat(list.get(1).path("approved_message").asText()).isEqualTo("REJECTED: Wrong View");
        assertThat(list.get(2).path("photo_code").asInt()).isEqualTo(2);
        assertThat(list.get(2).path("approved_message").asText()).isEqualTo("ACCEPTED");
        Instant rejected = Instant.parse(list.get(1).path("updated_at").asText().replace("+00:00", "Z"));
        Instant retake = Instant.parse(list.get(2).path("updated_at").asText().replace("+00:00", "Z"));
        assertThat(retake).as("the retake's updated_at wins").isAfter(rejected);
        assertThat(sandbox.photoRequests()).isEqualTo(1);
        assertThat(sandbox.status(key)).isEqualTo("STARTED");
    }

    @Test
    void everyPhotoCodeHasTheSpecLabel() throws Exception {
        String key = sandbox.createSession();
        String[] labels = {"VIN", "Interior", "Cluster", "Left", "Front", "Tires", "Right", "Rear", "Windshield",
            "Front_Left", "Front_Right", "Rear_Right", "Rear_Left"};
        for (int code = 1; code <= 13; code++) {
            sandbox.capture(key, code, true, null, JPEG);
        }

        JsonNode list = get("/v1/sessions/" + key + "/photos").json();

        for (int code = 1; code <= 13; code++) {
            assertThat(list.get(code - 1).path("photo_code").asInt()).isEqualTo(code);
            assertThat(list.get(code - 1).path("photo_label").asText()).isEqualTo(labels[code - 1]);
        }
        assertThatThrownBy(() -> sandbox.capture(key, 14, true, null, JPEG)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void photoUrlServesTheCapturedBytesWithoutAuth() throws Exception {
        String key = sandbox.createSession();
        sandbox.capture(key, 5, true, null, JPEG);
        sandbox.capture(key, 6, true, null, null);
        sandbox.capture(key, 6, true, null, null);

        JsonNode list = get("/v1/sessions/" + key + "/photos").json();
        Response given = send("GET", list.get(0).path("url").asText(), null, null, null, null);
        Response first = send("GET", list.get(1).path("url").asText(), null, null, null, null);
        Response second = send("GET", list.get(2).path("url").asText(), null, null, null, null);

        assertThat(list.get(0).path("url").asText()).isEqualTo(sandbox.baseUrl() + "/sandbox/photos/" + key + "/1.jpg");
        assertThat(given.status()).isEqualTo(200);
        assertThat(given.bytes()).isEqualTo(JPEG);
        assertThat(first.status()).isEqualTo(200);
        assertThat(first.bytes()).startsWith((byte) 0xFF, (byte) 0xD8, (byte) 0xFF);
        assertThat(second.bytes()).startsWith((byte) 0xFF, (byte) 0xD8, (byte) 0xFF).isNotEqualTo(first.bytes());
        assertThat(send("GET", "/sandbox/photos/" + key + "/9.jpg", null, null, null, null).status()).isEqualTo(404);
    }

    // ------------------------------------------------------------------ results

    @Test
    void resultsAnswerNotYetCompletedUntilTheSessionIsComplete() throws Exception {
        String key = sandbox.createSession();
        sandbox.capture(key, 2, false, "Blurry", null);
        sandbox.capture(key, 2, true, null, null);
        sandbox.status(key, "QC_PASSED");

        assertMessage(get("/v1/sessions/" + key + "/results"), 200, "Session is not yet completed.");

        sandbox.status(key, "COMPLETE");
        Response done = get("/v1/sessions/" + key + "/results");

        assertThat(done.status()).as(done.body()).isEqualTo(200);
        JsonNode json = done.json();
        assertThat(json.path("session_key").asText()).isEqualTo(key);
        assertThat(json.path("status").asText()).isEqualTo("COMPLETE");
        assertThat(json.path("inspect_ended_at").asText()).endsWith("+00:00");
        assertThat(json.path("photos").path("captured").asInt()).isEqualTo(2);
        assertThat(json.path("photos").path("approved").asInt()).isEqualTo(1);
        assertThat(json.path("photos").path("rejected").asInt()).isZero();
        assertThat(json.path("damages").isArray()).isTrue();
        assertThat(get("/v1/sessions/" + key).json().path("status").asText()).isEqualTo("COMPLETE");
        assertThatThrownBy(() -> sandbox.status(key, "DONE")).isInstanceOf(IllegalArgumentException.class);
    }

    // ------------------------------------------------------------------ faults

    @Test
    void scripted503AnswersOnceThenTheRequestSucceeds() throws Exception {
        String key = sandbox.createSession();
        sandbox.faults().failNext(1, "/photos", new FaultInjector.Status(503));

        assertMessage(get("/v1/sessions/" + key + "/photos"), 503, "Service Unavailable");
        assertThat(get("/v1/sessions/" + key + "/photos").status()).isEqualTo(200);
        assertThat(sandbox.photoRequests()).isEqualTo(1);
    }

    @Test
    void droppedConnectionFailsTheCallThenTheNextSucceeds() throws Exception {
        // a POST: the JDK client silently retries an idempotent GET once on a dropped connection
        sandbox.faults().failNext(1, "/v1/sessions", new FaultInjector.Drop());

        assertThatThrownBy(() -> signed("POST", "/v1/sessions", "{}")).isInstanceOf(IOException.class);
        assertThat(signed("POST", "/v1/sessions", "{}").status()).isEqualTo(200);
        assertThat(sandbox.faults().injected()).isEqualTo(1);
    }

    @Test
    void faultsConfiguredOverHttpNeverHitAdminPathsAndAreCleared() throws Exception {
        String key = sandbox.createSession();
        assertThat(admin("POST", "/sandbox/faults", "{\"kind\":\"status\",\"status\":500,\"times\":3}").status()).isEqualTo(204);

        assertThat(admin("GET", "/sandbox/health", null).status()).isEqualTo(200);
        assertThat(admin("POST", "/sandbox/sessions/" + key + "/captures", "{\"photo_code\":1}").status()).isEqualTo(201);
        assertThat(get("/v1/sessions/" + key).status()).isEqualTo(500);
        assertThat(admin("DELETE", "/sandbox/faults", null).status()).isEqualTo(204);
        assertThat(get("/v1/sessions/" + key).status()).isEqualTo(200);
        assertMessage(admin("POST", "/sandbox/faults", "{\"kind\":\"nope\"}"), 400, "The kind must be one of status, slow, drop, lost-answer, random.");
    }

    // ------------------------------------------------------------------ admin

    @Test
    void adminEndpointsScriptASessionFromCreationToCompletion() throws Exception {
        assertThat(admin("GET", "/sandbox/health", null).json().path("status").asText()).isEqualTo("UP");

        Response created = admin("POST", "/sandbox/sessions", null);
        assertThat(created.status()).isEqualTo(201);
        String key = created.json().path("session_key").asText();

        Response rejected = admin("POST", "/sandbox/sessions/" + key + "/captures",
                "{\"photo_code\":2,\"approved\":false,\"reason\":\"Wrong View\"}");
        assertThat(rejected.status()).as(rejected.body()).isEqualTo(201);
        assertThat(rejected.json().path("approved_message").asText()).isEqualTo("REJECTED: Wrong View");
        assertThat(admin("POST", "/sandbox/sessions/" + key + "/captures", "{\"photo_code\":2,\"approved\":true}")
                .json().path("approved_message").asText()).isEqualTo("ACCEPTED");

        Response status = admin("POST", "/sandbox/sessions/" + key + "/status", "{\"status\":\"COMPLETE\"}");
        assertThat(status.status()).isEqualTo(200);
        assertThat(status.json().path("status").asText()).isEqualTo("COMPLETE");

        assertThat(get("/v1/sessions/" + key + "/photos").json()).hasSize(2);
        assertThat(get("/v1/sessions/" + key + "/results").json().path("status").asText()).isEqualTo("COMPLETE");
        assertThat(sandbox.authFailures()).isZero();
    }

    @Test
    void adminRefusesBadInput() throws Exception {
        String key = sandbox.createSession();

        assertMessage(admin("POST", "/sandbox/sessions/" + key + "/captures", "{\"photo_code\":99}"), 400,
                "The photo_code must be between 1 and 13.");
        assertMessage(admin("POST", "/sandbox/sessions/" + key + "/captures", "{}"), 400,
                "The photo_code field is required and must be an integer.");
        assertMessage(admin("POST", "/sandbox/sessions/" + key + "/status", "{\"status\":\"DONE\"}"), 400,
                "The status must be one of IDLE, STARTED, PROCESS, QC_PASSED, CONFIRM, COMPLETE, EXPIRED, INVALID.");
        assertMessage(admin("POST", "/sandbox/sessions/NOPE/status", "{\"status\":\"COMPLETE\"}"), 404, "Session NOPE cannot be found.");
        assertThat(admin("GET", "/sandbox/unknown", null).status()).isEqualTo(404);
    }

    // ------------------------------------------------------------------ callbacks

    @Test
    void registeredCallbacksReceiveStageStatusAndCompleteEventsWithTheirHeaders() throws Exception {
        List<String> received = new CopyOnWriteArrayList<>();
        HttpServer receiver = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        receiver.createContext("/hook", exchange -> {
            String body = new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
            received.add(exchange.getRequestHeaders().getFirst("X-Hook-Secret") + " " + body);
            exchange.sendResponseHeaders(204, -1);
            exchange.close();
        });
        receiver.start();
        try {
            String url = "http://127.0.0.1:" + receiver.getAddress().getPort() + "/hook";
            for (String event : List.of("SESSION:STAGE_CHANGE", "SESSION:STATUS_CHANGE", "SESSION:COMPLETE")) {
                Response registered = signed("POST", "/v1/callbacks", "{\"event\":\"" + event + "\",\"url\":\"" + url
                        + "\",\"method\":\"POST\",\"headers\":{\"X-Hook-Secret\":\"h1\"},\"payload\":{\"ref\":\"A-1\"}}");
                assertThat(registered.status()).as(registered.body()).isEqualTo(200);
                assertThat(registered.json().path("id").asLong()).isPositive();
            }
            assertThat(get("/v1/callbacks").json()).hasSize(3);
            String key = sandbox.createSession();

            sandbox.capture(key, 1, true, null, null);
            sandbox.status(key, "COMPLETE");

            await().atMost(Duration.ofSeconds(60)).until(() -> received.size() == 4);
            assertThat(received).allMatch(line -> line.startsWith("h1 "));
            List<JsonNode> bodies = new ArrayList<>();
            for (String line : received) {
                bodies.add(MAPPER.readTree(line.substring(3)));
            }
            assertThat(bodies).extracting(body -> body.path("event").asText()).containsExactly(
                    "SESSION:STAGE_CHANGE", "SESSION:STATUS_CHANGE", "SESSION:STATUS_CHANGE", "SESSION:COMPLETE");
            assertThat(bodies).allMatch(body -> body.path("session_key").asText().equals(key)
                    && body.path("payload").path("ref").asText().equals("A-1"));
            assertThat(bodies.get(0).path("photo_code").asInt()).isEqualTo(1);
            assertThat(bodies.get(1).path("status").asText()).isEqualTo("STARTED");
            assertThat(bodies.get(2).path("status").asText()).isEqualTo("COMPLETE");
            assertThat(sandbox.callbacksDelivered()).isEqualTo(4);
        } finally {
            receiver.stop(0);
        }
    }

    @Test
    void callbackWithUnknownEventIsRefusedAndOneCanBeDeleted() throws Exception {
        assertThat(signed("POST", "/v1/callbacks", "{\"event\":\"SESSION:NOPE\",\"url\":\"http://127.0.0.1:1/x\"}").status()).isEqualTo(400);
        long id = signed("POST", "/v1/callbacks", "{\"event\":\"SESSION:COMPLETE\",\"url\":\"http://127.0.0.1:1/x\"}").json().path("id").asLong();

        assertThat(signed("DELETE", "/v1/callbacks/" + id, null).status()).isEqualTo(200);
        assertThat(get("/v1/callbacks").json()).isEmpty();
        assertThat(get("/v1/callbacks/" + id).status()).isEqualTo(404);
    }

    // ------------------------------------------------------------------ persistence

    @Test
    void sessionsPhotosAndCallbacksSurviveARestartWithADataDirectory() throws Exception {
        sandbox.stop();
        sandbox = new PaveSandbox(PaveSandbox.Settings.defaults().withDataDir(work));
        sandbox.start();
        String key = sandbox.createSession();
        sandbox.capture(key, 2, false, "Wrong View", JPEG);
        sandbox.status(key, "COMPLETE");
        signed("POST", "/v1/callbacks", "{\"event\":\"SESSION:COMPLETE\",\"url\":\"http://127.0.0.1:1/x\"}");
        String before = get("/v1/sessions/" + key + "/photos").json().get(0).path("updated_at").asText();

        sandbox.stop();
        sandbox = new PaveSandbox(PaveSandbox.Settings.defaults().withDataDir(work));
        sandbox.start();

        JsonNode photos = get("/v1/sessions/" + key + "/photos").json();
        assertThat(photos).hasSize(1);
        assertThat(photos.get(0).path("approved_message").asText()).isEqualTo("REJECTED: Wrong View");
        assertThat(photos.get(0).path("updated_at").asText()).isEqualTo(before);
        assertThat(send("GET", photos.get(0).path("url").asText(), null, null, null, null).bytes()).isEqualTo(JPEG);
        assertThat(sandbox.status(key)).isEqualTo("COMPLETE");
        assertThat(get("/v1/callbacks").json()).hasSize(1);
    }

    @Test
    void concurrentCapturesAreAllKept() throws Exception {
        String key = sandbox.createSession();
        List<Thread> threads = new ArrayList<>();
        for (int i = 0; i < 8; i++) {
            int code = i % 13 + 1;
            Thread thread = new Thread(() -> {
                for (int j = 0; j < 5; j++) {
                    sandbox.capture(key, code, j % 2 == 1, "Blurry", JPEG);
                }
            });
            thread.start();
            threads.add(thread);
        }
        for (Thread thread : threads) {
            thread.join();
        }

        JsonNode photos = get("/v1/sessions/" + key + "/photos").json();

        assertThat(photos).hasSize(40);
        for (int i = 0; i < 40; i++) {
            assertThat(photos.get(i).path("url").asText()).endsWith("/" + (i + 1) + ".jpg");
        }
    }
}
