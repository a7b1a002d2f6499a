package io.photobridge.inspektlabs;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.photobridge.ingest.MediaSource;
import io.photobridge.vendor.RetryableVendorException;
import io.photobridge.vendor.VendorException;
import io.photobridge.vendor.VendorHttp;
import io.photobridge.vendor.VendorResponses;

/**
 * Client for the Inspektlabs Damage API: authentication (one fresh session per upload), file-mode uploads streamed as
 * multipart, URL-mode uploads, feedback. It never retries: the routes do, and a session is never used for two uploads.
 */
public final class InspektlabsClient {

    static final String VENDOR = "Inspektlabs";

    private final InspektlabsSettings settings;
    private final HttpClient http;
    private final ObjectMapper json;

    public InspektlabsClient(InspektlabsSettings settings) {
        this.settings = Objects.requireNonNull(settings, "settings");
        this.http = VendorHttp.client(settings.connectTimeout());
        this.json = VendorHttp.json();
    }

    public InspektlabsSettings settings() {
        return settings;
    }

    /**
     * The readiness probe: an unauthenticated GET of the base URL, where any answer below 500 means Inspektlabs is reachable.
     * The API key is not checked here: Inspektlabs' only authenticated call, POST /api/authenticate, opens a new inspection
     * each time, so a periodic check would fill the account with empty inspections; a wrong key shows at the first batch.
     */
    public void checkReachable() {
        String operation = "reachability check";
        HttpResponse<InputStream> response = VendorHttp.send(http, request("/").timeout(settings.requestTimeout()).GET().build(),
                VENDOR, operation);
        if (response.statusCode() >= 500) {
            throw withoutKey(VendorResponses.error(VENDOR, operation, response, json));
        }
        drain(response);
    }

    /** POST /api/authenticate {"key","client_id"?}: a new single-use session; 400 "Invalid API key" and 401 "API Key not valid" are VendorExceptions. */
    public InspektlabsSession authenticate() {
        String operation = "authenticate";
        Map<String, Object> fields = new LinkedHashMap<>();
        fields.put("key", settings.apiKey() == null ? "" : settings.apiKey());
        if (settings.clientId() != null && !settings.clientId().isBlank()) {
            fields.put("client_id", settings.clientId());
        }
        HttpRequest request = request("/api/authenticate")
                .timeout(settings.requestTimeout())
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofByteArray(write(fields)))
                .build();
        HttpResponse<InputStream> response = send(operation, request, null);
        if (response.statusCode() / 100 != 2) {
            throw withoutKey(VendorResponses.error(VENDOR, operation, response, json));
        }
        try (InputStream in = response.body()) {
            JsonNode node = json.readTree(in);
            String session = text(node, "session");
            String token = text(node, settings.bearer());
            if (session == null || token == null) {
                throw new VendorException(VENDOR, operation, response.statusCode(),
                        "answer has no " + (session == null ? "session" : settings.bearer()), null);
            }
            return new InspektlabsSession(session, token);
        } catch (IOException e) {
            throw new VendorException(VENDOR, operation, response.statusCode(), "unreadable answer: " + e.getMessage(), null);
        }
    }

    /**
     * POST /api/upload as multipart/form-data: type=file, session, case_id, the optional fields, then one {@code files}
     * part per source (filename its display name, Content-Type from a {@link TypedMediaSource} or else from the name).
     * The body is streamed from the sources (opened one at a time, afresh for each attempt) with an exact Content-Length,
     * or chunked when a size is unknown. Marks the session used.
     */
    public UploadAccepted uploadFiles(InspektlabsSession session, String caseId, List<MediaSource> files, UploadOptions options) {
        Objects.requireNonNull(session, "session");
        requireText(caseId, "caseId");
        if (files == null || files.isEmpty()) {
            throw new IllegalArgumentException("An Inspektlabs file upload needs at least one file");
        }
        String operation = "upload " + files.size() + " file" + (files.size() == 1 ? "" : "s") + " (case " + caseId
                + ", session " + session.session() + ")";
        UploadOptions optional = options == null ? UploadOptions.none() : options;
        MultipartBody.Builder builder = MultipartBody.builder()
                .field("type", "file")
                .field("session", session.session())
                .field("case_id", caseId);
        optionalField(builder, "email_id", optional.emailId());
        optionalField(builder, "callback_url", optional.callbackUrl());
        optionalField(builder, "agent_id", optional.agentId());
        optionalField(builder, "agent_name", optional.agentName());
        for (MediaSource file : files) {
            builder.file("files", file, contentType(file));
        }
        MultipartBody body = builder.build();
        session.claim(operation);
        HttpRequest request = request("/api/upload")
                .timeout(settings.uploadTimeout())
                .header("Authorization", "Bearer " + session.bearerToken())
                .header("Content-Type", body.contentType())
                .POST(body.publisher())
                .build();
        return accepted(operation, send(operation, request, body));
    }

    /** POST /api/upload as JSON with type=urls: Inspektlabs fetches the media. Marks the session used. */
    public UploadAccepted uploadUrls(InspektlabsSession session, String caseId, UrlUpload upload, UploadOptions options) {
        Objects.requireNonNull(session, "session");
        requireText(caseId, "caseId");
        Objects.requireNonNull(upload, "upload");
        int count = upload.urls().size() + 2 * upload.urlPairs().size();
        String operation = "upload " + count + " URL" + (count == 1 ? "" : "s") + " (case " + caseId + ", session "
                + session.session() + ")";
        UploadOptions optional = options == null ? UploadOptions.none() : options;
        Map<String, Object> fields = new LinkedHashMap<>();
        fields.put("session", session.session());
        fields.put("case_id", caseId);
        fields.put("type", "urls");
        fields.put("urls", upload.urls());
        putIfPresent(fields, "url_pairs", upload.urlPairs());
        putIfPresent(fields, "original_Id", upload.originalIds());
        putIfPresent(fields, "original_pair_Id", upload.originalPairIds());
        putIfPresent(fields, "auth", upload.auth());
        putIfPresent(fields, "callback_url", optional.callbackUrl());
        putIfPresent(fields, "inputMetaData", upload.inputMetaData());
        putIfPresent(fields, "agent_id", optional.agentId());
        putIfPresent(fields, "agent_name", optional.agentName());
        putIfPresent(fields, "email_id", optional.emailId());
        byte[] body = write(fields);
        session.claim(operation);
        HttpRequest request = request("/api/upload")
                .timeout(settings.requestTimeout())
                .header("Authorization", "Bearer " + session.bearerToken())
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofByteArray(body))
                .build();
        return accepted(operation, send(operation, request, null));
    }

    /** POST /api/feedback {"inspection_id","feedback"}; the vendor allows 5 a minute: past it, a RetryableVendorException (429, with retryAfter when sent). */
    public void feedback(InspektlabsSession session, String inspectionId, String feedback) {
        Objects.requireNonNull(session, "session");
        requireText(inspectionId, "inspectionId");
        String operation = "feedback (inspection " + inspectionId + ")";
        Map<String, Object> fields = new LinkedHashMap<>();
        fields.put("inspection_id", inspectionId);
        fields.put("feedback", feedback == null ? "" : feedback);
        HttpRequest request = request("/api/feedback")
                .timeout(settings.requestTimeout())
                .header("Authorization", "Bearer " + session.bearerToken())
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofByteArray(write(fields)))
                .build();
        HttpResponse<InputStream> response = send(operation, request, null);
        if (response.statusCode() / 100 != 2) {
            throw unexpectedOr(VendorResponses.error(VENDOR, operation, response, json));
        }
        drain(response);
    }

    private UploadAccepted accepted(String operation, HttpResponse<InputStream> response) {
        int status = response.statusCode();
        if (status / 100 != 2) {
            throw uploadError(VendorResponses.error(VENDOR, operation, response, json));
        }
        UploadAccepted answer;
        try (InputStream in = response.body()) {
            answer = json.readValue(in, UploadAccepted.class);
        } catch (IOException e) {
            throw new VendorException(VENDOR, operation, status, "unreadable answer: " + e.getMessage(), null);
        }
        if (answer == null) {
            throw new VendorException(VENDOR, operation, status, "empty answer", null);
        }
        if (answer.status() != null && !"success".equalsIgnoreCase(answer.status().trim())) {
            String message = answer.message() == null || answer.message().isBlank() ? "status " + answer.status() : answer.message();
            throw new InspektlabsRejection(VENDOR, operation, status, message, InspektlabsRejection.reasonOf(400, message));
        }
        return answer;
    }

    /** 400 and 415 become an {@link InspektlabsRejection} with its reason; 404 "Something Went Worng" an {@link InspektlabsUnexpectedError}. */
    static VendorException uploadError(VendorException error) {
        int status = error.status();
        if (status == 400 || status == 415) {
            return new InspektlabsRejection(error.vendor(), error.operation(), status, error.vendorMessage(),
                    InspektlabsRejection.reasonOf(status, error.vendorMessage()));
        }
        return unexpectedOr(error);
    }

    static VendorException unexpectedOr(VendorException error) {
        if (error.status() == 404 && isSomethingWentWrong(error.vendorMessage())) {
            return new InspektlabsUnexpectedError(error.vendor(), error.operation(), error.status(), error.vendorMessage());
        }
        return error;
    }

    /** "Something Went Worng" (sic), tolerating the corrected spelling and other small changes. */
    static boolean isSomethingWentWrong(String message) {
        String words = message == null ? "" : message.toLowerCase(Locale.ROOT).replaceAll("[^a-z]+", " ").trim();
        return words.contains("something went") || words.contains("went worng") || words.contains("went wrong");
    }

    /** The same exception with the API key blanked out of the vendor's message, should the vendor echo it. */
    private VendorException withoutKey(VendorException error) {
        String key = settings.apiKey();
        String message = error.vendorMessage();
        if (key == null || key.isBlank() || message == null || !message.contains(key)) {
            return error;
        }
        String redacted = message.replace(key, "***");
        Duration retryAfter = error.retryAfter().orElse(null);
        return error instanceof RetryableVendorException
                ? new RetryableVendorException(VENDOR, error.operation(), error.status(), redacted, retryAfter)
                : new VendorException(VENDOR, error.operation(), error.status(), redacted, retryAfter);
    }

    private HttpRequest.Builder request(String path) {
        return HttpRequest.newBuilder(settings.baseUrl().resolve(path)).header("Accept", "application/json");
    }

    /** Sends once; no answer is a RetryableVendorException, unless it was a media source that failed (an UncheckedIOException). */
    private HttpResponse<InputStream> send(String operation, HttpRequest request, MultipartBody body) {
        try {
            return VendorHttp.send(http, request, VENDOR, operation);
        } catch (RetryableVendorException e) {
            throw sourceFailureOr(body, e);
        }
    }

    private static RuntimeException sourceFailureOr(MultipartBody body, RuntimeException otherwise) {
        IOException failure = body == null ? null : body.sourceFailure();
        return failure == null ? otherwise : new UncheckedIOException(failure.getMessage(), failure);
    }

    private static String contentType(MediaSource file) {
        if (file instanceof TypedMediaSource typed) {
            return typed.contentType();
        }
        return MultipartBody.contentTypeOf(file.displayName());
    }

    private static void optionalField(MultipartBody.Builder builder, String name, String value) {
        if (value != null && !value.isBlank()) {
            builder.field(name, value);
        }
    }

    private static void putIfPresent(Map<String, Object> fields, String name, Object value) {
        boolean empty = value == null
                || value instanceof String s && s.isBlank()
                || value instanceof List<?> l && l.isEmpty()
                || value instanceof Map<?, ?> m && m.isEmpty();
        if (!empty) {
            fields.put(name, value);
        }
    }

    private static void requireText(String value, String name) {
        if (value == null || value.isBlank()) {
            throw new IllegalArgumentException(name + " is required");
        }
    }

    private static String text(JsonNode node, String field) {
        JsonNode value = node.get(field);
        return value == null || !value.isTextual() || value.asText().isBlank() ? null : value.asText();
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
            // the answer was 2xx; its body says nothing more
        }
    }
}
