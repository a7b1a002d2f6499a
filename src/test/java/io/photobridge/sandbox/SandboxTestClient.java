package io.photobridge.sandbox;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpHeaders;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * Raw java.net.http calls against a sandbox, as a vendor client would make them.
 */
final class SandboxTestClient {

    static final ObjectMapper JSON = new ObjectMapper();
    static final String STATIC_TOKEN = "sandbox-demo-token";
    static final long ORDER = 57076503L;
    static final long OTHER_ORDER = 57076502L;
    static final long UNKNOWN_ORDER = 99999999L;

    /** A few bytes that start like a JPEG (FF D8 FF E0 ... JFIF). */
    static final byte[] JPEG = {(byte) 0xFF, (byte) 0xD8, (byte) 0xFF, (byte) 0xE0, 0x00, 0x10, 'J', 'F', 'I', 'F', 0x00,
            0x01, 0x01, 0x00, 0x00, 0x01, 0x00, 0x01, 0x00, 0x00, (byte) 0xFF, (byte) 0xD9};
    static final byte[] PNG = {(byte) 0x89, 'P', 'N', 'G', 0x0D, 0x0A, 0x1A, 0x0A, 0x00, 0x00, 0x00, 0x0D, 'I', 'H', 'D', 'R'};

    final HttpClient http = HttpClient.newBuilder()
            .version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(5))
            .build();
    final String baseUrl;

    SandboxTestClient(String baseUrl) {
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
    }

    Response send(String method, String path, String body, String token) throws IOException, InterruptedException {
        return send(method, path, body, token, Duration.ofSeconds(30));
    }

    Response send(String method, String path, String body, String token, Duration timeout) throws IOException, InterruptedException {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(path.startsWith("http") ? path : baseUrl + path))
                .timeout(timeout)
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody()
                        : HttpRequest.BodyPublishers.ofString(body, StandardCharsets.UTF_8));
        if (body != null) {
            request.header("Content-Type", "application/json");
        }
        if (token != null) {
            request.header("Authorization", "Bearer " + token);
        }
        HttpResponse<String> response = http.send(request.build(), HttpResponse.BodyHandlers.ofString());
        return new Response(response.statusCode(), response.headers(), response.body());
    }

    Response get(String path) throws IOException, InterruptedException {
        return send("GET", path, null, STATIC_TOKEN);
    }

    Response post(String path, String body) throws IOException, InterruptedException {
        return send("POST", path, body, STATIC_TOKEN);
    }

    Response put(String path, String body) throws IOException, InterruptedException {
        return send("PUT", path, body, STATIC_TOKEN);
    }

    Response auth(String username, String password) throws IOException, InterruptedException {
        ObjectNode body = JSON.createObjectNode();
        if (username != null) {
            body.put("username", username);
        }
        if (password != null) {
            body.put("password", password);
        }
        return send("POST", "/api/v140/auth", body.toString(), null);
    }

    /** A create body; null values are left out. */
    static String createBody(String fileName, String imageName, String pictureTime, String data, Object type) {
        ObjectNode body = JSON.createObjectNode();
        if (fileName != null) {
            body.put("file_name", fileName);
        }
        if (imageName != null) {
            body.put("image_name", imageName);
        }
        if (pictureTime != null) {
            body.put("picture_time", pictureTime);
        }
        if (data != null) {
            body.put("data", data);
        }
        if (type != null) {
            body.set("type", JSON.valueToTree(type));
        }
        return body.toString();
    }

    static String createBody(String fileName, byte[] bytes, Integer type) {
        return createBody(fileName, "image name", "2026-03-11 23:23:00", Base64.getEncoder().encodeToString(bytes), type);
    }

    /** Uploads and answers the new attachment id. */
    long upload(long orderId, String fileName, byte[] bytes, Integer type) throws IOException, InterruptedException {
        Response response = post("/api/v140/orders/" + orderId + "/photos", createBody(fileName, bytes, type));
        if (response.status() != 200) {
            throw new AssertionError("upload answered " + response.status() + ": " + response.body());
        }
        return response.json().path("data").path("attachment_id").asLong();
    }
}
