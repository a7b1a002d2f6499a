package io.photobridge.pave;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Supplier;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;
import io.photobridge.vendor.RetryableVendorException;
import io.photobridge.vendor.VendorException;
import io.photobridge.vendor.VendorHttp;
import io.photobridge.vendor.VendorResponses;

/**
 * Client for PAVE's OpenAPI: every call signed afresh (API-Key, API-Token, API-Timestamp); sessions, session data,
 * session photos, results, and the unsigned download of a captured photo.
 */
public final class PaveClient {

    static final String VENDOR = "PAVE";

    private static final String NOT_COMPLETED = "not yet completed";
    private static final String NOT_FOUND = "cannot be found";
    private static final int MAX_REDIRECTS = 3;

    private final PaveSettings settings;
    private final PaveSigner signer;
    private final HttpClient http;
    private final ObjectMapper json;

    public PaveClient(PaveSettings settings) {
        this(settings, Clock.systemUTC());
    }

    public PaveClient(PaveSettings settings, Clock clock) {
        this.settings = settings;
        this.signer = new PaveSigner(settings.username(), settings.apiKey(), settings.apiSecret(), clock);
        this.http = VendorHttp.client(settings.connectTimeout());
        // PAVE's times keep their own offsets; nulls are left out of request bodies
        this.json = VendorHttp.json()
                .registerModule(new JavaTimeModule())
                .setSerializationInclusion(JsonInclude.Include.NON_NULL)
                .configure(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS, false)
                .configure(DeserializationFeature.ADJUST_DATES_TO_CONTEXT_TIME_ZONE, false);
    }

    public PaveSettings settings() {
        return settings;
    }

    /** POST /sessions with the optional vehicle, redirect URL and theme (LITE, PRO or CAPT); null fields are not sent. */
    public PaveSession createSession(PaveVehicle vehicle, String redirectUrl, String theme) {
        Map<String, Object> fields = new LinkedHashMap<>();
        if (vehicle != null) {
            fields.put("vehicle", vehicle);
        }
        if (redirectUrl != null && !redirectUrl.isBlank()) {
            fields.put("redirect_url", redirectUrl);
        }
        if (theme != null && !theme.isBlank()) {
            fields.put("theme", theme.trim().toUpperCase(Locale.ROOT));
        }
        byte[] body = write(fields);
        String operation = "create session";
        Answer answer = call(operation, null, () -> request("/sessions")
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofByteArray(body)));
        PaveSession session = convert(operation, answer, PaveSession.class);
        if (session.sessionKey() == null || session.sessionKey().isBlank()) {
            throw new VendorException(VENDOR, operation, answer.status(), "answer has no session_key", null);
        }
        return session;
    }

    /** GET /sessions/:key; an unknown session gives {@link PaveSessionNotFound}. */
    public PaveSessionData session(String sessionKey) {
        String operation = "get session " + sessionKey;
        Answer answer = call(operation, sessionKey, () -> request(sessionPath(sessionKey)).GET());
        return convert(operation, answer, PaveSessionData.class);
    }

    /** The readiness probe: a signed GET of a session that does not exist; PAVE's "not found" proves the signature was accepted. */
    public void checkAccess() {
        try {
            session("photobridge-health-check");
        } catch (PaveSessionNotFound expected) {
            // authenticated: only a signed request reaches the session lookup
        }
    }

    /** GET /sessions/:key/photos: every capture with its QA verdict, retakes included; an unknown session gives {@link PaveSessionNotFound}. */
    public List<PavePhoto> photos(String sessionKey) {
        String operation = "get session photos " + sessionKey;
        Answer answer = call(operation, sessionKey, () -> request(sessionPath(sessionKey) + "/photos").GET());
        if (answer.body().isMissingNode() || answer.body().isNull()) {
            return List.of();
        }
        if (!answer.body().isArray()) {
            throw new VendorException(VENDOR, operation, answer.status(), "answer is not a list of photos: "
                    + answer.body().path("message").asText("(no message)"), null);
        }
        List<PavePhoto> photos = new ArrayList<>();
        for (JsonNode photo : answer.body()) {
            photos.add(convert(operation, new Answer(answer.status(), photo), PavePhoto.class));
        }
        return List.copyOf(photos);
    }

    /** GET /sessions/:key/results as PAVE answers it; before completion gives {@link PaveSessionNotCompleted}. */
    public JsonNode results(String sessionKey) {
        String operation = "get session results " + sessionKey;
        return call(operation, sessionKey, () -> request(sessionPath(sessionKey) + "/results").GET()).body();
    }

    /** Streams a photo's bytes from its URL (unsigned GET of the url PAVE gave, following up to 3 redirects); the caller closes the stream. */
    public InputStream download(String url) {
        URI uri = URI.create(url);
        String operation = "download photo " + withoutQuery(uri);
        for (int redirects = 0; ; redirects++) {
            HttpRequest request = HttpRequest.newBuilder(uri).timeout(settings.requestTimeout()).GET().build();
            HttpResponse<InputStream> response = send(operation, request);
            int status = response.statusCode();
            if (status / 100 == 2) {
                return response.body();
            }
            var location = response.headers().firstValue("Location");
            if (status / 100 == 3 && location.isPresent() && redirects < MAX_REDIRECTS) {
                drain(response);
                uri = uri.resolve(location.get());
                continue;
            }
            throw VendorResponses.error(VENDOR, operation, response, json);
        }
    }

    /** The latest verdict per photo code (the latest {@code updated_at} wins; on a tie, the later entry), ordered by code. */
    public static Map<Integer, PavePhoto> latestByCode(List<PavePhoto> photos) {
        Map<Integer, PavePhoto> latest = new TreeMap<>();
        for (PavePhoto photo : photos) {
            latest.merge(photo.photoCode(), photo, (kept, candidate) -> isBefore(candidate.verdictAt(), kept.verdictAt()) ? kept : candidate);
        }
        return Collections.unmodifiableMap(latest);
    }

    private static boolean isBefore(OffsetDateTime a, OffsetDateTime b) {
        if (a == null) {
            return b != null;
        }
        return b != null && a.isBefore(b);
    }

    private String sessionPath(String sessionKey) {
        if (sessionKey == null || sessionKey.isBlank()) {
            throw new IllegalArgumentException("a PAVE session key is required");
        }
        return "/sessions/" + pathSegment(sessionKey.trim());
    }

    private HttpRequest.Builder request(String path) {
        String base = settings.baseUrl().toString();
        if (base.endsWith("/")) {
            base = base.substring(0, base.length() - 1);
        }
        return HttpRequest.newBuilder(URI.create(base + path)).header("Accept", "application/json");
    }

    /**
     * Signs and sends one request (a fresh signature for every call), and turns PAVE's answer into JSON or the typed
     * exception: "not yet completed" (any status), 404 or "cannot be found" on a session, then {@link VendorResponses}.
     */
    private Answer call(String operation, String sessionKey, Supplier<HttpRequest.Builder> builder) {
        PaveSigner.Headers signed = signer.sign();
        HttpRequest request = builder.get()
                .timeout(settings.requestTimeout())
                .header("API-Key", signed.apiKey())
                .header("API-Token", signed.apiToken())
                .header("API-Timestamp", signed.apiTimestamp())
                .build();
        HttpResponse<InputStream> response = send(operation, request);
        int status = response.statusCode();
        if (status / 100 != 2) {
            throw failure(operation, sessionKey, response, signed);
        }
        JsonNode body;
        try (InputStream in = response.body()) {
            body = json.readTree(in);
        } catch (IOException e) {
            throw new VendorException(VENDOR, operation, status, "unreadable answer: " + e.getMessage(), null);
        }
        if (body == null) {
            body = json.missingNode();
        }
        String onlyMessage = onlyMessage(body);
        if (onlyMessage != null) {
            if (contains(onlyMessage, NOT_COMPLETED)) {
                throw new PaveSessionNotCompleted(sessionKey, operation, status, onlyMessage);
            }
            if (sessionKey != null && contains(onlyMessage, NOT_FOUND)) {
                throw new PaveSessionNotFound(sessionKey, operation, status, onlyMessage);
            }
        }
        return new Answer(status, body);
    }

    private VendorException failure(String operation, String sessionKey, HttpResponse<InputStream> response,
                                    PaveSigner.Headers signed) {
        VendorException error = VendorResponses.error(VENDOR, operation, response, json);
        int status = error.status();
        String message = redact(error.vendorMessage(), signed);
        if (contains(message, NOT_COMPLETED)) {
            return new PaveSessionNotCompleted(sessionKey, operation, status, message);
        }
        if (sessionKey != null && (status == 404 || status / 100 == 4 && contains(message, NOT_FOUND))) {
            return new PaveSessionNotFound(sessionKey, operation, status, message);
        }
        if (message == null ? error.vendorMessage() == null : message.equals(error.vendorMessage())) {
            return error;
        }
        return error instanceof RetryableVendorException
                ? new RetryableVendorException(VENDOR, operation, status, message, error.retryAfter().orElse(null))
                : new VendorException(VENDOR, operation, status, message, error.retryAfter().orElse(null));
    }

    /** PAVE's message with the API key, the API secret and the token replaced, should an answer ever echo them. */
    private String redact(String message, PaveSigner.Headers signed) {
        if (message == null) {
            return null;
        }
        String redacted = message;
        for (String secret : new String[] {signed.apiToken(), settings.apiSecret(), settings.apiKey()}) {
            if (secret != null && secret.length() >= 4) {
                redacted = redacted.replace(secret, "***");
            }
        }
        return redacted;
    }

    private HttpResponse<InputStream> send(String operation, HttpRequest request) {
        return VendorHttp.send(http, request, VENDOR, operation);
    }

    private <T> T convert(String operation, Answer answer, Class<T> type) {
        try {
            return json.treeToValue(answer.body(), type);
        } catch (IOException | IllegalArgumentException e) {
            throw new VendorException(VENDOR, operation, answer.status(), "unreadable answer: " + e.getMessage(), null);
        }
    }

    private byte[] write(Object value) {
        try {
            return json.writeValueAsBytes(value);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The text of an answer that is nothing but {@code {"message": "..."}}, else null. */
    private static String onlyMessage(JsonNode body) {
        if (body.isObject() && body.size() == 1 && body.path("message").isTextual()) {
            return body.get("message").asText();
        }
        return null;
    }

    private static boolean contains(String text, String part) {
        return text != null && text.toLowerCase(Locale.ROOT).contains(part);
    }

    /** Percent-encodes everything but RFC 3986 unreserved characters. */
    static String pathSegment(String value) {
        StringBuilder out = new StringBuilder();
        for (byte b : value.getBytes(StandardCharsets.UTF_8)) {
            char c = (char) (b & 0xff);
            if (c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '-' || c == '.' || c == '_' || c == '~') {
                out.append(c);
            } else {
                out.append('%').append(String.format("%02X", b & 0xff));
            }
        }
        return out.toString();
    }

    /** The URL without its query: pre-signed links carry credentials there. */
    private static String withoutQuery(URI uri) {
        return uri.getScheme() + "://" + uri.getAuthority() + (uri.getRawPath() == null ? "" : uri.getRawPath());
    }

    private static void drain(HttpResponse<InputStream> response) {
        try (InputStream in = response.body()) {
            in.transferTo(java.io.OutputStream.nullOutputStream());
        } catch (IOException ignored) {
            // the redirect does not depend on this body
        }
    }

    /** A 2xx answer: its status and its JSON (a missing node when empty). */
    private record Answer(int status, JsonNode body) {
    }
}
