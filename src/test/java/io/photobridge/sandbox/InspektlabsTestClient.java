package io.photobridge.sandbox;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.SequenceInputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpHeaders;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Supplier;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpServer;

/**
 * Raw java.net.http calls against the Inspektlabs sandbox as a vendor client would make them, multipart bodies built by hand,
 * and two tiny JDK servers: a webhook receiver and a media server for URL uploads.
 */
final class InspektlabsTestClient {

    static final ObjectMapper JSON = new ObjectMapper();
    static final byte[] JPEG = SandboxTestClient.JPEG;

    final HttpClient http = HttpClient.newBuilder()
            .version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(5))
            .build();
    final String baseUrl;

    InspektlabsTestClient(String baseUrl) {
        this.baseUrl = baseUrl;
    }

    record Response(int status, HttpHeaders headers, String body) {
        JsonNode json() {
            try {
                return JSON.readTree(body);
            } catch (IOException e) {
                throw new UncheckedIOException("Not JSON: " + body, e);
            }
        }

        String message() {
            return json().path("message").asText();
        }
    }

    /** A session and its tokens as POST /api/authenticate answered them. */
    record Auth(String session, String accessToken, String refreshToken) {
    }

    Response send(String method, String path, HttpRequest.BodyPublisher body, String contentType, String token)
            throws IOException, InterruptedException {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(path.startsWith("http") ? path : baseUrl + path))
                .timeout(Duration.ofMinutes(2))
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : body);
        if (contentType != null) {
            request.header("Content-Type", contentType);
        }
        if (token != null) {
            request.header("Authorization", "Bearer " + token);
        }
        HttpResponse<String> response = http.send(request.build(), HttpResponse.BodyHandlers.ofString());
        return new Response(response.statusCode(), response.headers(), response.body());
    }

    Response postJson(String path, String json, String token) throws IOException, InterruptedException {
        return send("POST", path, HttpRequest.BodyPublishers.ofString(json, StandardCharsets.UTF_8), "application/json", token);
    }

    Response get(String path) throws IOException, InterruptedException {
        return send("GET", path, null, null, null);
    }

    Response authenticate(String key) throws IOException, InterruptedException {
        ObjectNode body = JSON.createObjectNode();
        if (key != null) {
            body.put("key", key);
        }
        body.put("client_id", "photobridge-test");
        return postJson("/api/authenticate", body.toString(), null);
    }

    /** A fresh session with the default key. */
    Auth auth() throws IOException, InterruptedException {
        Response response = authenticate(InspektlabsSandbox.DEFAULT_API_KEY);
        if (response.status() != 200) {
            throw new AssertionError("authenticate answered " + response.status() + ": " + response.body());
        }
        JsonNode json = response.json();
        return new Auth(json.path("session").asText(), json.path("access_token").asText(), json.path("refresh_token").asText());
    }

    Response upload(Multipart body, String token) throws IOException, InterruptedException {
        return send("POST", "/api/upload", body.publisher(), body.contentType(), token);
    }

    Response uploadUrls(ObjectNode body, String token) throws IOException, InterruptedException {
        return postJson("/api/upload", body.toString(), token);
    }

    /** A file-mode body for this session with the usual fields (callback_url only when not null). */
    static Multipart fileUpload(Auth auth, String callbackUrl) {
        Multipart body = new Multipart()
                .field("type", "file")
                .field("session", auth.session())
                .field("case_id", "case-" + auth.session().substring(2, 8));
        if (callbackUrl != null) {
            body.field("callback_url", callbackUrl);
        }
        return body;
    }

    /** A urls-mode body for this session. */
    static ObjectNode urlUpload(Auth auth, String callbackUrl, String... urls) {
        ObjectNode body = JSON.createObjectNode();
        body.put("type", "urls");
        body.put("session", auth.session());
        body.put("case_id", "case-urls");
        if (callbackUrl != null) {
            body.put("callback_url", callbackUrl);
        }
        var list = body.putArray("urls");
        for (String url : urls) {
            list.add(url);
        }
        return body;
    }

    static String sha256(byte[] bytes) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    /** Deterministic pseudo-random bytes. */
    static byte[] bytes(int size, long seed) {
        byte[] bytes = new byte[size];
        new Random(seed).nextBytes(bytes);
        return bytes;
    }

    // ------------------------------------------------------------------ multipart

    /** A multipart/form-data body built by hand; file contents may be generated streams, so bodies of any size stay small in memory. */
    static final class Multipart {
        final String boundary = "----PhotoBridgeBoundary" + Long.toHexString(new Random().nextLong());
        private final List<Supplier<InputStream>> pieces = new ArrayList<>();
        private boolean streamed;

        Multipart field(String name, String value) {
            text("--" + boundary + "\r\nContent-Disposition: form-data; name=\"" + name + "\"\r\n\r\n" + value + "\r\n");
            return this;
        }

        Multipart file(String fileName, String contentType, byte[] content) {
            fileHeader(fileName, contentType);
            pieces.add(() -> new java.io.ByteArrayInputStream(content));
            text("\r\n");
            return this;
        }

        /** A file part of {@code size} generated bytes (seeded), streamed: never in memory. */
        Multipart generatedFile(String fileName, String contentType, long size, long seed) {
            fileHeader(fileName, contentType);
            pieces.add(() -> new GeneratedStream(size, seed));
            streamed = true;
            text("\r\n");
            return this;
        }

        /** A raw piece of body text, for malformed bodies. */
        Multipart raw(String text) {
            text(text);
            return this;
        }

        private void fileHeader(String fileName, String contentType) {
            text("--" + boundary + "\r\nContent-Disposition: form-data; name=\"files\"; filename=\"" + fileName + "\"\r\n"
                    + (contentType == null ? "" : "Content-Type: " + contentType + "\r\n") + "\r\n");
        }

        private void text(String text) {
            byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
            pieces.add(() -> new java.io.ByteArrayInputStream(bytes));
        }

        String contentType() {
            return "multipart/form-data; boundary=" + boundary;
        }

        InputStream stream(boolean closed) {
            List<InputStream> streams = new ArrayList<>();
            pieces.forEach(piece -> streams.add(piece.get()));
            if (closed) {
                streams.add(new java.io.ByteArrayInputStream(("--" + boundary + "--\r\n").getBytes(StandardCharsets.US_ASCII)));
            }
            return new SequenceInputStream(Collections.enumeration(streams));
        }

        /** Small bodies go with a Content-Length, bodies with generated files chunked. */
        HttpRequest.BodyPublisher publisher() {
            if (streamed) {
                return HttpRequest.BodyPublishers.ofInputStream(() -> stream(true));
            }
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            try (InputStream in = stream(true)) {
                in.transferTo(out);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            return HttpRequest.BodyPublishers.ofByteArray(out.toByteArray());
        }

        /** The body without its closing boundary: a truncated upload. */
        HttpRequest.BodyPublisher unclosedPublisher() {
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            try (InputStream in = stream(false)) {
                in.transferTo(out);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            return HttpRequest.BodyPublishers.ofByteArray(out.toByteArray());
        }
    }

    /** {@code size} bytes of a seeded java.util.Random, generated while read. */
    static final class GeneratedStream extends InputStream {
        private final Random random;
        private final byte[] chunk = new byte[64 * 1024];
        private long left;
        private int chunkPos = chunk.length;

        GeneratedStream(long size, long seed) {
            this.left = size;
            this.random = new Random(seed);
        }

        @Override
        public int read() throws IOException {
            byte[] one = new byte[1];
            return read(one, 0, 1) < 0 ? -1 : one[0] & 0xFF;
        }

        @Override
        public int read(byte[] b, int off, int len) {
            if (left <= 0) {
                return -1;
            }
            if (chunkPos == chunk.length) {
                random.nextBytes(chunk);
                chunkPos = 0;
            }
            int n = (int) Math.min(Math.min(len, chunk.length - chunkPos), left);
            System.arraycopy(chunk, chunkPos, b, off, n);
            chunkPos += n;
            left -= n;
            return n;
        }

        /** SHA-256 of the bytes such a stream yields. */
        static String sha256(long size, long seed) {
            try (InputStream in = new GeneratedStream(size, seed)) {
                MessageDigest digest = MessageDigest.getInstance("SHA-256");
                byte[] buffer = new byte[64 * 1024];
                int n;
                while ((n = in.read(buffer, 0, buffer.length)) > 0) {
                    digest.update(buffer, 0, n);
                }
                return HexFormat.of().formatHex(digest.digest());
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        }
    }

    // ------------------------------------------------------------------ webhook receiver

    /** A webhook receiver: records every request body, answers the scripted statuses first, then 200. */
    static final class Receiver implements AutoCloseable {
        final HttpServer server;
        final List<JsonNode> bodies = new CopyOnWriteArrayList<>();
        final List<String> contentTypes = new CopyOnWriteArrayList<>();
        final ConcurrentLinkedQueue<Integer> statuses = new ConcurrentLinkedQueue<>();

        Receiver() throws IOException {
            server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 16);
            server.createContext("/", exchange -> {
                byte[] body = exchange.getRequestBody().readAllBytes();
                bodies.add(JSON.readTree(body));
                contentTypes.add(String.valueOf(exchange.getRequestHeaders().getFirst("Content-Type")));
                Integer status = statuses.poll();
                exchange.sendResponseHeaders(status == null ? 200 : status, -1);
                exchange.close();
            });
            server.start();
        }

        String url() {
            return "http://127.0.0.1:" + server.getAddress().getPort() + "/inspektlabs/webhook";
        }

        @Override
        public void close() {
            server.stop(0);
        }
    }

    // ------------------------------------------------------------------ media server

    /** Serves fixed files for URL uploads; paths under /private/ need {@code Authorization: <secret>}; records the headers seen. */
    static final class MediaServer implements AutoCloseable {
        record Media(String contentType, byte[] bytes) {
        }

        final HttpServer server;
        final Map<String, Media> files = new ConcurrentHashMap<>();
        final List<String> authorizations = new CopyOnWriteArrayList<>();
        final String secret;

        MediaServer(String secret) throws IOException {
            this.secret = secret;
            server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 16);
            server.createContext("/", exchange -> {
                String path = exchange.getRequestURI().getPath();
                String authorization = exchange.getRequestHeaders().getFirst("Authorization");
                authorizations.add(String.valueOf(authorization));
                Media media = files.get(path);
                if (path.startsWith("/private/") && !secret.equals(authorization)) {
                    exchange.sendResponseHeaders(401, -1);
                } else if (media == null) {
                    exchange.sendResponseHeaders(404, -1);
                } else {
                    if (media.contentType() != null) {
                        exchange.getResponseHeaders().set("Content-Type", media.contentType());
                    }
                    exchange.sendResponseHeaders(200, media.bytes().length);
                    try (OutputStream out = exchange.getResponseBody()) {
                        out.write(media.bytes());
                    }
                }
                exchange.close();
            });
            server.start();
        }

        /** Serves these bytes at this path and answers the URL. */
        String put(String path, String contentType, byte[] bytes) {
            files.put(path, new Media(contentType, bytes));
            return url(path);
        }

        String url(String path) {
            return "http://127.0.0.1:" + server.getAddress().getPort() + path;
        }

        @Override
        public void close() {
            server.stop(0);
        }
    }
}
