package io.photobridge.recoveryconnect;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.SequenceInputStream;
import java.io.UncheckedIOException;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.photobridge.ingest.MediaSource;
import io.photobridge.vendor.VendorException;
import io.photobridge.vendor.VendorHttp;
import io.photobridge.vendor.VendorResponses;

/**
 * Client for MBSI RecoveryConnect's five photo operations, with token handling (a static token, or username/password
 * re-authenticated before expiry and once on a 401) and a streamed Base64 upload body.
 */
public final class RecoveryConnectClient {

    static final String VENDOR = "RecoveryConnect";

    private final RecoveryConnectSettings settings;
    private final HttpClient http;
    private final ObjectMapper json;
    private final TokenCache tokens = new TokenCache();

    public RecoveryConnectClient(RecoveryConnectSettings settings) {
        this.settings = settings;
        this.http = VendorHttp.client(settings.connectTimeout());
        this.json = VendorHttp.json();
    }

    public RecoveryConnectSettings settings() {
        return settings;
    }

    /** GET /api/{v}/orders/{order_id}/photos. */
    public List<OrderPhoto> listPhotos(long orderId) {
        Envelope<List<OrderPhoto>> answer = call("list order photos (order " + orderId + ")", settings.requestTimeout(),
                () -> request(photosPath(orderId)).GET(), new TypeReference<>() { });
        return answer.data() == null ? List.of() : answer.data();
    }

    /** GET /api/{v}/orders/{order_id}/photos/{photo_id}. */
    public OrderPhoto getPhoto(long orderId, long photoId) {
        Envelope<OrderPhoto> answer = call("get photo " + photoId + " (order " + orderId + ")", settings.requestTimeout(),
                () -> request(photosPath(orderId) + "/" + photoId).GET(), new TypeReference<>() { });
        return answer.data();
    }

    /** POST /api/{v}/orders/{order_id}/photos with the content streamed as one-line Base64: memory does not grow with file size. */
    public CreatedPhoto createPhoto(long orderId, NewPhoto photo, MediaSource content) {
        long size = size(content);
        Envelope<CreatedPhoto> answer = call("create photo (order " + orderId + ", " + photo.fileName() + ")",
                settings.uploadTimeout(),
                () -> request(photosPath(orderId))
                        .header("Content-Type", "application/json")
                        .POST(base64JsonBody(photo, content, size)),
                new TypeReference<>() { });
        return answer.data();
    }

    /** PUT /api/{transfer v}/orders/{order_id}/photos/{photo_id}: copies one photo to other orders (by client order id). */
    public TransferResult transferPhoto(long orderId, long photoId, List<Long> transferTo) {
        String path = "/api/" + settings.transferApiVersion() + "/orders/" + orderId + "/photos/" + photoId;
        return transfer("transfer photo " + photoId + " (order " + orderId + ")", path, transferTo);
    }

    /** PUT /api/{transfer v}/orders/{order_id}/photos/transfer: copies all photos of an order to other orders. */
    public TransferResult transferAllPhotos(long orderId, List<Long> transferTo) {
        String path = "/api/" + settings.transferApiVersion() + "/orders/" + orderId + "/photos/transfer";
        return transfer("transfer all photos (order " + orderId + ")", path, transferTo);
    }

    private TransferResult transfer(String operation, String path, List<Long> transferTo) {
        byte[] body = write(Map.of("transfer_to", transferTo));
        return call(operation, settings.requestTimeout(),
                () -> request(path).header("Content-Type", "application/json")
                        .PUT(HttpRequest.BodyPublishers.ofByteArray(body)),
                new TypeReference<>() { });
    }

    /**
     * The readiness probe: proves RecoveryConnect answers and accepts the credentials. With username/password a fresh
     * POST /auth; with a static token a GET of order 0's photos, where anything but 401/403 means the token was accepted.
     */
    public void checkAccess() {
        if (!settings.usesStaticToken()) {
            authenticate();
            return;
        }
        String operation = "check access";
        HttpResponse<InputStream> response = send(operation, request(photosPath(0)).timeout(settings.requestTimeout())
                .header("Authorization", "Bearer " + settings.staticToken()).GET().build());
        if (response.statusCode() == 401 || response.statusCode() == 403 || response.statusCode() >= 500) {
            throw VendorResponses.error(VENDOR, operation, response, json);
        }
        drain(response);
    }

    private String photosPath(long orderId) {
        return "/api/" + settings.apiVersion() + "/orders/" + orderId + "/photos";
    }

    private HttpRequest.Builder request(String path) {
        return HttpRequest.newBuilder(settings.baseUrl().resolve(path)).header("Accept", "application/json");
    }

    /** Sends with a bearer token; on a 401 with username/password, authenticates afresh and sends once more. */
    private <T> T call(String operation, Duration timeout, Supplier<HttpRequest.Builder> builder, TypeReference<T> type) {
        for (int attempt = 1; ; attempt++) {
            String token = bearer();
            HttpRequest request = builder.get().timeout(timeout).header("Authorization", "Bearer " + token).build();
            HttpResponse<InputStream> response = send(operation, request);
            int status = response.statusCode();
            if (status == 401 && attempt == 1 && !settings.usesStaticToken()) {
                drain(response);
                tokens.invalidate(token);
                continue;
            }
            if (status / 100 != 2) {
                throw VendorResponses.error(VENDOR, operation, response, json);
            }
            try (InputStream in = response.body()) {
                return json.readValue(in, type);
            } catch (IOException e) {
                throw new VendorException(VENDOR, operation, status, "unreadable answer: " + e.getMessage(), null);
            }
        }
    }

    private HttpResponse<InputStream> send(String operation, HttpRequest request) {
        return VendorHttp.send(http, request, VENDOR, operation);
    }

    private String bearer() {
        if (settings.usesStaticToken()) {
            return settings.staticToken();
        }
        return tokens.get(this::authenticate);
    }

    /** POST /api/{v}/auth; the answer's {@code expires_in} decides when the next authentication happens. */
    private Token authenticate() {
        String operation = "authenticate";
        byte[] body = write(Map.of("username", nullToEmpty(settings.username()), "password", nullToEmpty(settings.password())));
        HttpRequest request = request("/api/" + settings.apiVersion() + "/auth")
                .timeout(settings.requestTimeout())
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofByteArray(body))
                .build();
        HttpResponse<InputStream> response = send(operation, request);
        if (response.statusCode() / 100 != 2) {
            throw VendorResponses.error(VENDOR, operation, response, json);
        }
        try (InputStream in = response.body()) {
            JsonNode node = json.readTree(in);
            String accessToken = node.path("access_token").asText(null);
            if (accessToken == null || accessToken.isBlank()) {
                throw new VendorException(VENDOR, operation, response.statusCode(), "answer has no access_token", null);
            }
            long expiresIn = node.path("expires_in").asLong(3600);
            Instant refreshAt = Instant.now().plusSeconds(expiresIn).minus(settings.tokenRefreshMargin());
            return new Token(accessToken, refreshAt);
        } catch (IOException e) {
            throw new VendorException(VENDOR, operation, response.statusCode(), "unreadable answer: " + e.getMessage(), null);
        }
    }

    /** The JSON body with {@code data} last, produced from the content stream by a Base64 encoder without line breaks. */
    HttpRequest.BodyPublisher base64JsonBody(NewPhoto photo, MediaSource content, long size) {
        Map<String, Object> fields = new LinkedHashMap<>();
        fields.put("file_name", photo.fileName());
        fields.put("image_name", photo.imageName());
        fields.put("picture_time", photo.pictureTime());
        if (photo.type() != null) {
            fields.put("type", photo.type());
        }
        String head = new String(write(fields), StandardCharsets.UTF_8);
        byte[] prefix = (head.substring(0, head.length() - 1) + ",\"data\":\"").getBytes(StandardCharsets.UTF_8);
        byte[] suffix = "\"}".getBytes(StandardCharsets.UTF_8);
        long length = prefix.length + base64Length(size) + suffix.length;
        HttpRequest.BodyPublisher stream = HttpRequest.BodyPublishers.ofInputStream(() -> {
            try {
                return new SequenceInputStream(Collections.enumeration(List.of(
                        new ByteArrayInputStream(prefix),
                        new Base64Stream(content.open()),
                        new ByteArrayInputStream(suffix))));
            } catch (IOException e) {
                throw new UncheckedIOException("cannot read " + content.uri(), e);
            }
        });
        return HttpRequest.BodyPublishers.fromPublisher(stream, length);
    }

    static long base64Length(long bytes) {
        return 4 * ((bytes + 2) / 3);
    }

    private static long size(MediaSource content) {
        try {
            return content.size();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the size of " + content.uri(), e);
        }
    }

    private byte[] write(Object value) {
        try {
            return json.writeValueAsBytes(value);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static void drain(HttpResponse<InputStream> response) {
        try (InputStream in = response.body()) {
            in.transferTo(java.io.OutputStream.nullOutputStream());
        } catch (IOException ignored) {
            // the connection is discarded anyway; the retry does not depend on this body
        }
    }

    private static String nullToEmpty(String s) {
        return s == null ? "" : s;
    }

    /** {"data": ...}. */
    record Envelope<T>(T data) {
    }

    record Token(String value, Instant refreshAt) {
    }

    /** Holds the current token; one authentication at a time. */
    static final class TokenCache {
        private Token current;

        synchronized String get(Supplier<Token> authenticate) {
            if (current == null || Instant.now().isAfter(current.refreshAt())) {
                current = authenticate.get();
            }
            return current.value();
        }

        synchronized void invalidate(String token) {
            if (current != null && current.value().equals(token)) {
                current = null;
            }
        }
    }

}
