package io.photobridge.pave;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.regex.Pattern;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;

/**
 * A small stand-in for PAVE's OpenAPI under /v1 that checks every signature the way PAVE does (recomputes the HMAC
 * from the received headers and the known secret), serves the spec's sample photos, and serves unsigned photo files
 * under /files/.
 */
final class PaveStub implements AutoCloseable {

    static final String USERNAME = "stub@example.com";
    static final String API_KEY = "stub-pave-key";
    static final String API_SECRET = "stub-pave-secret";
    static final String COMPLETE_SESSION = "complete-session-1";
    static final String OPEN_SESSION = "open-session-1";
    static final String NEW_SESSION = "new-session-1";
    static final byte[] JPEG = jpeg();

    private static final Pattern TIMESTAMP = Pattern.compile("\\d{4}-\\d{2}-\\d{2}T\\d{2}:\\d{2}:\\d{2}Z");
    private static final Set<String> KNOWN = Set.of(COMPLETE_SESSION, OPEN_SESSION);

    /** One request as the stub received it. */
    record Received(String method, String path, String apiKey, String apiToken, String apiTimestamp, String body,
                    boolean signatureValid) {
    }

    final List<Received> received = new CopyOnWriteArrayList<>();
    private final HttpServer server;
    private final byte[] samplePhotos;
    private volatile int failNextStatus;
    private volatile int notCompletedStatus = 200;

    PaveStub() {
        try (InputStream in = PaveStub.class.getResourceAsStream("/pave/photos-sample.json")) {
            samplePhotos = in.readAllBytes();
            server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        server.createContext("/", this::handle);
        server.start();
    }

    String baseUrl() {
        return "http://127.0.0.1:" + server.getAddress().getPort() + "/v1";
    }

    String fileUrl(String name) {
        return "http://127.0.0.1:" + server.getAddress().getPort() + "/files/" + name;
    }

    String redirectUrl(String name) {
        return "http://127.0.0.1:" + server.getAddress().getPort() + "/moved/" + name;
    }

    /** The next signed call answers this status (429/5xx style, with Retry-After: 7). */
    void failNext(int status) {
        failNextStatus = status;
    }

    /** The status of the "Session is not yet completed." answer: PAVE sends it with 200, a client may also meet a 4xx. */
    void notCompletedStatus(int status) {
        notCompletedStatus = status;
    }

    Received last() {
        return received.get(received.size() - 1);
    }

    @Override
    public void close() {
        server.stop(0);
    }

    private void handle(HttpExchange exchange) throws IOException {
        try (exchange) {
            String method = exchange.getRequestMethod();
            String path = exchange.getRequestURI().getRawPath();
            String body;
            try (InputStream in = exchange.getRequestBody()) {
                body = new String(in.readAllBytes(), StandardCharsets.UTF_8);
            }
            String key = exchange.getRequestHeaders().getFirst("API-Key");
            String token = exchange.getRequestHeaders().getFirst("API-Token");
            String timestamp = exchange.getRequestHeaders().getFirst("API-Timestamp");
            boolean valid = API_KEY.equals(key) && timestamp != null && TIMESTAMP.matcher(timestamp).matches() && token != null
                    && MessageDigest.isEqual(hmacHex(API_SECRET, USERNAME + ":" + key + "@" + timestamp)
                    .getBytes(StandardCharsets.US_ASCII), token.getBytes(StandardCharsets.US_ASCII));
            received.add(new Received(method, path, key, token, timestamp, body, valid));

            if (path.startsWith("/files/")) {
                answer(exchange, 200, "image/jpeg", JPEG);
                return;
            }
            if (path.startsWith("/moved/")) {
                exchange.getResponseHeaders().add("Location", "/files/" + path.substring("/moved/".length()));
                answer(exchange, 302, "text/plain", new byte[0]);
                return;
            }
            if (!valid) {
                // echoes what it got, as a careless server might: the client must not pass it on
                message(exchange, 401, "Invalid API-Token " + token + " for API-Key " + key);
                return;
            }
            int fault = failNextStatus;
            if (fault > 0) {
                failNextStatus = 0;
                exchange.getResponseHeaders().add("Retry-After", "7");
                message(exchange, fault, "Service Unavailable");
                return;
            }
            route(exchange, method, path, body);
        }
    }

    private void route(HttpExchange exchange, String method, String path, String body) throws IOException {
        if ("POST".equals(method) && "/v1/sessions".equals(path)) {
            String theme = body.contains("\"theme\":\"CAPT\"") ? "CAPT" : "PRO";
            json(exchange, 200, "{\"session_key\":\"" + NEW_SESSION + "\",\"theme\":\"" + theme + "\",\"active\":true,"
                    + "\"status\":\"IDLE\",\"redirect_url\":\"https://example.com/done\",\"language\":\"en\","
                    + "\"capture_url\":\"https://stub.vehiclecapture.com/" + NEW_SESSION + "\"}");
            return;
        }
        String[] parts = path.split("/");
        // "", "v1", "sessions", key[, what]
        if (!"GET".equals(method) || parts.length < 4 || parts.length > 5 || !"sessions".equals(parts[2])) {
            message(exchange, 404, "Not found");
            return;
        }
        String sessionKey = parts[3];
        if (!KNOWN.contains(sessionKey)) {
            message(exchange, 404, "Session " + sessionKey + " cannot be found.");
            return;
        }
        boolean complete = COMPLETE_SESSION.equals(sessionKey);
        String what = parts.length == 5 ? parts[4] : "";
        switch (what) {
            case "" -> json(exchange, 200, "{\"session_key\":\"" + sessionKey + "\",\"theme\":\"PRO\",\"active\":true,"
                    + "\"status\":\"" + (complete ? "COMPLETE" : "STARTED") + "\",\"language\":\"en\","
                    + "\"vehicle\":{\"vin\":\"JN1CV6AR9BM000001\",\"year\":\"2011\",\"make\":\"Infiniti\",\"model\":\"G37\",\"trim\":\"Luxury\"},"
                    + "\"inspect_started_at\":\"2021-05-27 07:36:16\",\"inspect_ended_at\":null,"
                    + "\"created_at\":\"2021-05-27 07:30:00\",\"updated_at\":\"2021-05-27 07:39:40\"}");
            case "photos" -> answer(exchange, 200, "application/json", samplePhotos);
            case "results" -> {
                if (complete) {
                    json(exchange, 200, "{\"session_key\":\"" + sessionKey + "\",\"status\":\"COMPLETE\","
                            + "\"grade\":3.5,\"damages\":[{\"component\":\"FRONT BUMPER\",\"damage_type\":\"SCRATCH\"}]}");
                } else {
                    message(exchange, notCompletedStatus, "Session is not yet completed.");
                }
            }
            default -> message(exchange, 404, "Not found");
        }
    }

    private static void message(HttpExchange exchange, int status, String message) throws IOException {
        json(exchange, status, "{\"message\":\"" + message + "\"}");
    }

    private static void json(HttpExchange exchange, int status, String body) throws IOException {
        answer(exchange, status, "application/json", body.getBytes(StandardCharsets.UTF_8));
    }

    private static void answer(HttpExchange exchange, int status, String type, byte[] body) throws IOException {
        exchange.getResponseHeaders().set("Content-Type", type);
        exchange.sendResponseHeaders(status, body.length == 0 ? -1 : body.length);
        try (OutputStream out = exchange.getResponseBody()) {
            out.write(body);
        }
    }

    /** The lowercase hex HMAC-SHA256, computed here independently of {@link PaveSigner}. */
    static String hmacHex(String secret, String text) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(secret.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
            return HexFormat.of().formatHex(mac.doFinal(text.getBytes(StandardCharsets.UTF_8)));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    /** A tiny JPEG-looking payload (SOI, some bytes, EOI) of 64 KiB plus a few bytes, so the stream spans several reads. */
    private static byte[] jpeg() {
        byte[] bytes = new byte[64 * 1024 + 7];
        for (int i = 0; i < bytes.length; i++) {
            bytes[i] = (byte) (i * 31 + 7);
        }
        bytes[0] = (byte) 0xFF;
        bytes[1] = (byte) 0xD8;
        bytes[bytes.length - 2] = (byte) 0xFF;
        bytes[bytes.length - 1] = (byte) 0xD9;
        return bytes;
    }
}
