package io.photobridge.sandbox;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.photobridge.sandbox.SandboxHttp.BodyTooLargeException;
import io.photobridge.sandbox.SandboxHttp.LimitedInputStream;
import org.apache.camel.Service;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * In-process simulator of the Inspektlabs Damage API: authentication, uploads in file and URL mode, single-use sessions, webhook
 * callbacks with a damage report.
 * <p>
 * Endpoints: {@code POST /api/authenticate}, {@code POST /api/upload} (multipart/form-data, parsed streaming, or JSON with
 * URLs, which the sandbox fetches), {@code POST /api/feedback}; admin (loopback only, no auth, never faulted):
 * {@code POST|DELETE /sandbox/faults}, {@code POST /sandbox/window}, {@code POST /sandbox/deliver/{session}},
 * {@code GET /sandbox/uploads}, {@code GET /sandbox/health}.
 * <p>
 * Every error answer has the body {@code {"message": "<text>"}} (the same shape as {@link FaultInjector}'s faults), with the
 * vendor's texts where the vendor documents one, e.g. {@code {"message": "please generate new token and session"}}. Unknown
 * routes and unexpected errors answer the vendor's 404 {@code {"message": "Something Went Worng"}} (sic).
 */
public final class InspektlabsSandbox implements Service, AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(InspektlabsSandbox.class);

    /** The API key {@link Settings#defaults()} accepts. */
    public static final String DEFAULT_API_KEY = "sandbox-inspektlabs-key";
    /** Most images one upload may carry. */
    public static final int MAX_IMAGES = 99;
    /** A video must be larger than this (1 MB). */
    public static final long MIN_VIDEO_BYTES = 1_048_576L;
    /** A video must be smaller than this (100 MB). */
    public static final long MAX_VIDEO_BYTES = 104_857_600L;
    /** Feedback calls allowed in a rolling minute. */
    public static final int FEEDBACK_CALLS_PER_MINUTE = 5;
    /** Delivery attempts of one callback: the first and two retries. */
    public static final int CALLBACK_ATTEMPTS = 3;

    /** 400: the session is unknown, not issued with the bearer token, or already used. */
    public static final String NEW_SESSION_NEEDED = "please generate new token and session";
    /** 400 from /api/authenticate: no key. */
    public static final String INVALID_API_KEY = "Invalid API key";
    /** 401 from /api/authenticate: a wrong key. */
    public static final String API_KEY_NOT_VALID = "API Key not valid";
    /** 400: more than 99 images. */
    public static final String MAX_IMAGES_MESSAGE = "Maximum 99 images upload possible";
    /** 400: a file name (or URL path) without an image or video extension. */
    public static final String INVALID_FILE_TYPE = "Invalid file type, only image or video allowed";
    /** 415: a file whose Content-Type is not image/*, video/* or application/octet-stream. */
    public static final String UNSUPPORTED_MEDIA_TYPE = "unsupported file type only images or videos";
    /** 400: images and videos in one request. */
    public static final String MIXED_MEDIA = "Cannot mix images and videos in one request";
    /** 400: a video of 1 MB or less. */
    public static final String VIDEO_TOO_SMALL = "Please upload video greater than 1 MB.";
    /** 400: a video of 100 MB or more. */
    public static final String VIDEO_TOO_LARGE = "Please upload video less than 100 MB.";
    /** 400: no callback_url while one is required. */
    public static final String CALLBACK_URL_MISSING = "please provide callback_url";
    /** 503: the service window is closed. */
    public static final String SERVICE_WINDOW = "ML servers are not available currently.";
    /** 429 from /api/feedback past 5 calls a minute. */
    public static final String RATE_LIMITED = "API call limit exceeded";
    /** 401: no bearer token, or one the sandbox did not issue. */
    public static final String UNAUTHORIZED = "Invalid or missing bearer token";
    /** 404: unknown routes and unexpected errors (the vendor's text, typo included). */
    public static final String UNEXPECTED = "Something Went Worng";

    static final Set<String> IMAGE_EXTENSIONS = Set.of("jpg", "jpeg", "png", "jfif", "heic");
    static final Set<String> VIDEO_EXTENSIONS = Set.of("mp4", "webm", "mov", "mkv", "avi");

    private static final int THREADS = 16;
    private static final int MAX_PARTS = 1000;
    private static final int MAX_FIELD_BYTES = 64 * 1024;
    private static final long SMALL_BODY_LIMIT = 1024 * 1024;
    private static final Duration FETCH_TIMEOUT = Duration.ofSeconds(60);
    private static final Duration CALLBACK_TIMEOUT = Duration.ofSeconds(30);
    private static final long FEEDBACK_WINDOW_NANOS = TimeUnit.MINUTES.toNanos(1);
    private static final String ALPHANUMERIC = "abcdefghijklmnopqrstuvwxyz0123456789";

    static {
        SandboxHttp.preferNoDelay();
    }

    /**
     * host: bind address (127.0.0.1); port: 0 = any free port; dataDir: where upload metadata and issued sessions persist (null = a
     * temp dir deleted on stop); apiKey: the key POST /api/authenticate accepts; callbackDelay: time between an accepted upload
     * and its callback (and between delivery attempts); requireCallbackUrl: answer 400 "please provide callback_url" when an
     * upload has none; maxBodyBytes: larger request bodies answer 413.
     */
    public record Settings(String host, int port, Path dataDir, String apiKey, Duration callbackDelay,
                           boolean requireCallbackUrl, long maxBodyBytes) {

        public Settings {
            Objects.requireNonNull(host, "host");
            Objects.requireNonNull(apiKey, "apiKey");
            Objects.requireNonNull(callbackDelay, "callbackDelay");
            if (apiKey.isBlank()) {
                throw new IllegalArgumentException("apiKey must not be blank");
            }
            if (port < 0 || port > 65535) {
                throw new IllegalArgumentException("port must be between 0 and 65535");
            }
            if (callbackDelay.isNegative()) {
                throw new IllegalArgumentException("callbackDelay must not be negative");
            }
            if (maxBodyBytes < 1) {
                throw new IllegalArgumentException("maxBodyBytes must be positive");
            }
        }

        /** Loopback, any free port, temp dir, key "sandbox-inspektlabs-key", 2 s callback delay, callback_url required, 2 GB bodies. */
        public static Settings defaults() {
            return new Settings("127.0.0.1", 0, null, DEFAULT_API_KEY, Duration.ofSeconds(2), true, 2L * 1024 * 1024 * 1024);
        }

        public Settings withHost(String host) {
            return new Settings(host, port, dataDir, apiKey, callbackDelay, requireCallbackUrl, maxBodyBytes);
        }

        public Settings withPort(int port) {
            return new Settings(host, port, dataDir, apiKey, callbackDelay, requireCallbackUrl, maxBodyBytes);
        }

        public Settings withDataDir(Path dataDir) {
            return new Settings(host, port, dataDir, apiKey, callbackDelay, requireCallbackUrl, maxBodyBytes);
        }

        public Settings withApiKey(String apiKey) {
            return new Settings(host, port, dataDir, apiKey, callbackDelay, requireCallbackUrl, maxBodyBytes);
        }

        public Settings withCallbackDelay(Duration callbackDelay) {
            return new Settings(host, port, dataDir, apiKey, callbackDelay, requireCallbackUrl, maxBodyBytes);
        }

        public Settings withRequireCallbackUrl(boolean requireCallbackUrl) {
            return new Settings(host, port, dataDir, apiKey, callbackDelay, requireCallbackUrl, maxBodyBytes);
        }

        public Settings withMaxBodyBytes(long maxBodyBytes) {
            return new Settings(host, port, dataDir, apiKey, callbackDelay, requireCallbackUrl, maxBodyBytes);
        }

        @Override
        public String toString() {
            return "Settings[host=" + host + ", port=" + port + ", dataDir=" + dataDir + ", apiKey=***, callbackDelay="
                    + callbackDelay + ", requireCallbackUrl=" + requireCallbackUrl + ", maxBodyBytes=" + maxBodyBytes + "]";
        }
    }

    /** A session and the two tokens issued with it (either works as the bearer of uploads of this session). */
    public record Session(String session, String accessToken, String refreshToken) {
        @Override
        public String toString() {
            return "Session[session=" + session + ", accessToken=***, refreshToken=***]";
        }
    }

    private final Settings settings;
    private final FaultInjector faults = new FaultInjector();
    private final SecureRandom random = new SecureRandom();
    private final byte[] jwtKey = new byte[32];
    private final Object uploadsLock = new Object();
    /** Issued sessions: true once used by an accepted upload. */
    private final Map<String, AtomicBoolean> sessions = new ConcurrentHashMap<>();
    /** SHA-256 of a token -> the session it was issued with. */
    private final Map<String, String> tokenSessions = new ConcurrentHashMap<>();
    private final List<InspektlabsUpload> uploads = new ArrayList<>();
    private final Map<String, InspektlabsUpload> uploadsBySession = new ConcurrentHashMap<>();
    private final Map<String, Delivery> deliveries = new ConcurrentHashMap<>();
    private final ArrayDeque<Long> feedbackCalls = new ArrayDeque<>();
    private final AtomicInteger authRequests = new AtomicInteger();
    private final AtomicInteger uploadRequests = new AtomicInteger();
    private final AtomicInteger feedbackRequests = new AtomicInteger();
    private final AtomicInteger callbacksDelivered = new AtomicInteger();
    private final AtomicInteger callbacksAttempted = new AtomicInteger();
    private volatile boolean windowClosed;

    private HttpServer server;
    private ExecutorService executor;
    private volatile ScheduledExecutorService scheduler;
    private volatile HttpClient http;
    private Path tempRoot;
    private volatile InspektlabsStore store;
    private volatile String baseUrl;

    /** A stopped sandbox with these settings: nothing listens until {@link #start()}. */
    public InspektlabsSandbox(Settings settings) {
        this.settings = Objects.requireNonNull(settings, "settings");
        random.nextBytes(jwtKey);
    }

    /** Loads the sessions and uploads kept in the data directory and starts answering; does nothing when already started. */
    @Override
    public synchronized void start() {
        if (server != null) {
            return;
        }
        try {
            Path root;
            if (settings.dataDir() == null) {
                tempRoot = Files.createTempDirectory("inspektlabs-sandbox-");
                root = tempRoot;
            } else {
                root = settings.dataDir();
            }
            InspektlabsStore opened = new InspektlabsStore(root.resolve("inspektlabs"));
            load(opened);
            http = HttpClient.newBuilder()
                    .version(HttpClient.Version.HTTP_1_1)
                    .connectTimeout(Duration.ofSeconds(10))
                    .followRedirects(HttpClient.Redirect.NORMAL)
                    .build();
            scheduler = Executors.newScheduledThreadPool(2, SandboxHttp.threadFactory("inspektlabs-sandbox-callback-"));
            SandboxHttp.Listening listening = SandboxHttp.listen(settings.host(), settings.port(), this::handle, THREADS,
                    "inspektlabs-sandbox-");
            HttpServer created = listening.server();
            executor = listening.executor();
            baseUrl = listening.baseUrl();
            store = opened;
            server = created;
            LOG.info("Inspektlabs sandbox listening on {} with {} uploads", baseUrl, uploadsBySession.size());
        } catch (IOException e) {
            cleanUp();
            throw new UncheckedIOException("Cannot start the Inspektlabs sandbox on " + settings.host() + ":" + settings.port(), e);
        }
    }

    /** Stops answering and frees the port; pending callbacks are dropped; with no data directory, deletes the temporary one. */
    @Override
    public synchronized void stop() {
        if (server == null) {
            return;
        }
        server.stop(0);
        server = null;
        cleanUp();
        LOG.debug("Inspektlabs sandbox stopped");
    }

    /** Same as {@link #stop()}. */
    @Override
    public void close() {
        stop();
    }

    /** The sandbox's root URL, e.g. {@code http://127.0.0.1:41234}; only while started. */
    public String baseUrl() {
        String url = baseUrl;
        if (url == null) {
            throw new IllegalStateException("The Inspektlabs sandbox is not started");
        }
        return url;
    }

    /** The settings this sandbox was made with. */
    public Settings settings() {
        return settings;
    }

    /** The fault injector consulted first by every non-admin request. */
    public FaultInjector faults() {
        return faults;
    }

    /** Accepted uploads, oldest first. */
    public List<InspektlabsUpload> uploads() {
        synchronized (uploadsLock) {
            return List.copyOf(uploads);
        }
    }

    /** The accepted upload of this session, if any. */
    public Optional<InspektlabsUpload> upload(String session) {
        return Optional.ofNullable(uploadsBySession.get(session));
    }

    /** The report the callback of this session's upload carries (the same every time). */
    public ObjectNode report(String session) {
        return InspektlabsReport.of(requireUpload(session));
    }

    /** Number of POST /api/authenticate requests, whatever their outcome. */
    public int authRequests() {
        return authRequests.get();
    }

    /** Number of upload requests that reached the upload handler after auth, whatever their outcome. */
    public int uploadRequests() {
        return uploadRequests.get();
    }

    /** Number of feedback requests that reached the feedback handler after auth, whatever their outcome. */
    public int feedbackRequests() {
        return feedbackRequests.get();
    }

    /** Callbacks delivered (2xx from the receiver). */
    public int callbacksDelivered() {
        return callbacksDelivered.get();
    }

    /** Callback deliveries attempted (each try counts, retries and deliverNow included). */
    public int callbacksAttempted() {
        return callbacksAttempted.get();
    }

    /** While on, uploads answer 503 "ML servers are not available currently." (the vendor's service windows). */
    public void serviceWindowClosed(boolean closed) {
        windowClosed = closed;
    }

    /** Issues a session and its tokens as POST /api/authenticate would (not counted in {@link #authRequests()}). */
    public Session newSession() {
        try {
            return issue(null);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * Sends the report of an accepted upload now instead of after callbackDelay (returns the receiver's HTTP status, -1 when
     * the receiver could not be reached); counts as the pending attempt, so a failure is retried as usual.
     */
    public int deliverNow(String session) {
        InspektlabsUpload upload = requireUpload(session);
        if (upload.callbackUrl() == null) {
            throw new IllegalStateException("The upload of session " + session + " has no callback_url");
        }
        if (scheduler == null) {
            throw new IllegalStateException("The Inspektlabs sandbox is not started");
        }
        Delivery delivery = deliveries.computeIfAbsent(session, s -> new Delivery(upload));
        return attempt(delivery, true);
    }

    private InspektlabsUpload requireUpload(String session) {
        InspektlabsUpload upload = session == null ? null : uploadsBySession.get(session);
        if (upload == null) {
            throw new NoSuchElementException("No accepted upload for session " + session);
        }
        return upload;
    }

    // ------------------------------------------------------------------ lifecycle helpers

    private void load(InspektlabsStore opened) throws IOException {
        InspektlabsStore.Loaded loaded = opened.load();
        sessions.clear();
        tokenSessions.clear();
        uploadsBySession.clear();
        deliveries.clear();
        for (InspektlabsStore.IssuedSession issued : loaded.sessions()) {
            sessions.put(issued.session(), new AtomicBoolean());
            tokenSessions.put(issued.accessTokenSha256(), issued.session());
            tokenSessions.put(issued.refreshTokenSha256(), issued.session());
        }
        synchronized (uploadsLock) {
            uploads.clear();
            for (InspektlabsUpload upload : loaded.uploads()) {
                sessions.computeIfAbsent(upload.session(), s -> new AtomicBoolean()).set(true);
                uploads.add(upload);
                uploadsBySession.put(upload.session(), upload);
            }
        }
    }

    private void cleanUp() {
        ScheduledExecutorService callbacks = scheduler;
        scheduler = null;
        if (callbacks != null) {
            callbacks.shutdownNow();
        }
        if (executor != null) {
            executor.shutdownNow();
            try {
                if (!executor.awaitTermination(5, TimeUnit.SECONDS)) {
                    LOG.warn("Inspektlabs sandbox threads still busy after stop");
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            executor = null;
        }
        deliveries.clear();
        http = null;
        baseUrl = null;
        if (tempRoot != null) {
            store = null;
            SandboxHttp.deleteRecursively(tempRoot);
            tempRoot = null;
            sessions.clear();
            tokenSessions.clear();
            uploadsBySession.clear();
            synchronized (uploadsLock) {
                uploads.clear();
            }
        }
    }

    private InspektlabsStore requireStore() {
        InspektlabsStore current = store;
        if (current == null) {
            throw new IllegalStateException("The Inspektlabs sandbox is not started");
        }
        return current;
    }

    // ------------------------------------------------------------------ HTTP dispatch

    private void handle(HttpExchange exchange) {
        long started = System.nanoTime();
        String method = exchange.getRequestMethod();
        String path = exchange.getRequestURI().getRawPath();
        String note = "";
        try {
            if (path.equals("/sandbox") || path.startsWith("/sandbox/")) {
                handleSandbox(exchange, method, path);
            } else if (faults.apply(exchange)) {
                note = " (injected fault)";
            } else {
                handleApi(exchange, method, path);
            }
        } catch (BodyTooLargeException e) {
            answerIfPossible(exchange, 413, "The request body is larger than " + settings.maxBodyBytes() + " bytes.");
        } catch (IOException e) {
            note = " (" + e + ")";
            answerIfPossible(exchange, 404, UNEXPECTED);
        } catch (RuntimeException e) {
            LOG.warn("Inspektlabs sandbox failed on {} {}", method, path, e);
            answerIfPossible(exchange, 404, UNEXPECTED);
        } finally {
            exchange.close();
            if (LOG.isDebugEnabled()) {
                int status = exchange.getResponseCode();
                LOG.debug("{} {} -> {} in {} ms{}", method, path, status < 0 ? "no answer" : status,
                        TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started), note);
            }
        }
    }

    private static void answerIfPossible(HttpExchange exchange, int status, String message) {
        if (exchange.getResponseCode() >= 0) {
            return;
        }
        try {
            exchange.getResponseHeaders().set("Connection", "close");
            SandboxHttp.sendMessage(exchange, status, message);
        } catch (IOException e) {
            // the client is gone
        }
    }

    private void handleApi(HttpExchange exchange, String method, String path) throws IOException {
        switch (path) {
            case "/api/authenticate":
                if (allowed(exchange, method, "POST")) {
                    authenticate(exchange);
                }
                break;
            case "/api/upload":
                if (allowed(exchange, method, "POST")) {
                    upload(exchange);
                }
                break;
            case "/api/feedback":
                if (allowed(exchange, method, "POST")) {
                    feedback(exchange);
                }
                break;
            default:
                SandboxHttp.drain(exchange, SMALL_BODY_LIMIT);
                SandboxHttp.sendMessage(exchange, 404, UNEXPECTED);
        }
    }

    private static boolean allowed(HttpExchange exchange, String method, String... methods) throws IOException {
        for (String allowed : methods) {
            if (allowed.equals(method)) {
                return true;
            }
        }
        SandboxHttp.drain(exchange, SMALL_BODY_LIMIT);
        exchange.getResponseHeaders().set("Allow", String.join(", ", methods));
        SandboxHttp.sendMessage(exchange, 405, "Method Not Allowed");
        return false;
    }

    // ------------------------------------------------------------------ auth

    private void authenticate(HttpExchange exchange) throws IOException {
        authRequests.incrementAndGet();
        JsonNode body = SandboxHttp.readSmallJson(exchange, Math.min(SMALL_BODY_LIMIT, settings.maxBodyBytes()));
        String key = text(body, "key");
        if (key == null) {
            SandboxHttp.sendMessage(exchange, 400, INVALID_API_KEY);
            return;
        }
        if (!MessageDigest.isEqual(key.getBytes(StandardCharsets.UTF_8), settings.apiKey().getBytes(StandardCharsets.UTF_8))) {
            SandboxHttp.sendMessage(exchange, 401, API_KEY_NOT_VALID);
            return;
        }
        Session issued = issue(text(body, "client_id"));
        ObjectNode answer = SandboxHttp.object();
        answer.put("session", issued.session());
        answer.put("access_token", issued.accessToken());
        answer.put("refresh_token", issued.refreshToken());
        SandboxHttp.sendJson(exchange, 200, answer);
    }

    private Session issue(String clientId) throws IOException {
        InspektlabsStore current = requireStore();
        Instant now = Instant.now();
        String session = "in" + randomAlphanumeric(10) + now.toEpochMilli();
        String accessToken = jwt(session, clientId, now);
        String refreshToken = randomToken();
        String accessSha = InspektlabsReport.sha256Hex(accessToken);
        String refreshSha = InspektlabsReport.sha256Hex(refreshToken);
        current.saveSession(new InspektlabsStore.IssuedSession(session, accessSha, refreshSha, now));
        sessions.put(session, new AtomicBoolean());
        tokenSessions.put(accessSha, session);
        tokenSessions.put(refreshSha, session);
        return new Session(session, accessToken, refreshToken);
    }

    private String jwt(String session, String clientId, Instant now) {
        Base64.Encoder encoder = Base64.getUrlEncoder().withoutPadding();
        ObjectNode header = SandboxHttp.object().put("alg", "HS256").put("typ", "JWT");
        ObjectNode payload = SandboxHttp.object();
        payload.put("sub", session);
        if (clientId != null) {
            payload.put("client_id", clientId);
        }
        payload.put("iat", now.getEpochSecond());
        payload.put("exp", now.getEpochSecond() + 86_400);
        payload.put("jti", randomAlphanumeric(16));
        String signingInput = encoder.encodeToString(header.toString().getBytes(StandardCharsets.UTF_8)) + "."
                + encoder.encodeToString(payload.toString().getBytes(StandardCharsets.UTF_8));
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(jwtKey, "HmacSHA256"));
            return signingInput + "." + encoder.encodeToString(mac.doFinal(signingInput.getBytes(StandardCharsets.US_ASCII)));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    private String randomToken() {
        byte[] bytes = new byte[32];
        random.nextBytes(bytes);
        return Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
    }

    private String randomAlphanumeric(int length) {
        StringBuilder text = new StringBuilder(length);
        for (int i = 0; i < length; i++) {
            text.append(ALPHANUMERIC.charAt(random.nextInt(ALPHANUMERIC.length())));
        }
        return text.toString();
    }

    /** The session the bearer token was issued with, or null. */
    private String bearerSession(HttpExchange exchange) {
        String header = exchange.getRequestHeaders().getFirst("Authorization");
        if (header == null || !header.regionMatches(true, 0, "Bearer ", 0, 7)) {
            return null;
        }
        String token = header.substring(7).trim();
        return token.isEmpty() ? null : tokenSessions.get(InspektlabsReport.sha256Hex(token));
    }

    private void unauthorized(HttpExchange exchange) throws IOException {
        SandboxHttp.drain(exchange, settings.maxBodyBytes());
        SandboxHttp.sendMessage(exchange, 401, UNAUTHORIZED);
    }

    // ------------------------------------------------------------------ upload

    /** A request refused with this status and message. */
    private static final class Refusal extends Exception {
        private static final long serialVersionUID = 1L;
        final int status;

        Refusal(int status, String message) {
            super(message, null, false, false);
            this.status = status;
        }
    }

    /** One received or fetched file. */
    private record Received(String name, String contentType, long size, String sha256) {
    }

    /** An upload request as read, before its rules are checked. */
    private static final class Incoming {
        final String mode;
        final Map<String, String> fields = new LinkedHashMap<>();
        final List<Received> files = new ArrayList<>();
        final List<String> urls = new ArrayList<>();
        final List<String> pairUrls = new ArrayList<>();
        String structuralError;

        Incoming(String mode) {
            this.mode = mode;
        }

        String field(String name) {
            String value = fields.get(name);
            return value == null || value.isBlank() ? null : value.trim();
        }

        /** The names the rules look at: file names, or the URLs (urls, then url_pairs flattened). */
        List<String> names() {
            List<String> names = new ArrayList<>();
            if (InspektlabsUpload.MODE_FILE.equals(mode)) {
                files.forEach(file -> names.add(file.name()));
            } else {
                names.addAll(urls);
                names.addAll(pairUrls);
            }
            return names;
        }
    }

    private void upload(HttpExchange exchange) throws IOException {
        String tokenSession = bearerSession(exchange);
        if (tokenSession == null) {
            unauthorized(exchange);
            return;
        }
        uploadRequests.incrementAndGet();
        if (SandboxHttp.contentLength(exchange) > settings.maxBodyBytes()) {
            throw new BodyTooLargeException(settings.maxBodyBytes());
        }
        InputStream body = new LimitedInputStream(exchange.getRequestBody(), settings.maxBodyBytes());
        String contentType = exchange.getRequestHeaders().getFirst("Content-Type");
        String mediaType = contentType == null ? "" : contentType.toLowerCase(Locale.ROOT).split(";", 2)[0].trim();
        List<Path> temps = new ArrayList<>();
        try {
            Incoming incoming;
            if (mediaType.equals("multipart/form-data")) {
                incoming = readMultipart(body, contentType, temps);
            } else if (mediaType.equals("application/json") || mediaType.endsWith("+json")) {
                incoming = readJson(body);
            } else {
                throw new Refusal(400, "Content-Type must be multipart/form-data or application/json");
            }
            InspektlabsUpload accepted = check(incoming, tokenSession, temps);
            ObjectNode answer = SandboxHttp.object();
            answer.put("status", "success");
            answer.put("id", accepted.session());
            answer.put("message", "");
            answer.put("case_id", accepted.caseId());
            SandboxHttp.sendJson(exchange, 200, answer);
        } catch (Refusal refusal) {
            discard(body);
            SandboxHttp.sendMessage(exchange, refusal.status, refusal.getMessage());
        } catch (InspektlabsMultipart.MalformedException e) {
            discard(body);
            SandboxHttp.sendMessage(exchange, 400, e.getMessage());
        } finally {
            for (Path temp : temps) {
                Files.deleteIfExists(temp);
            }
        }
    }

    /** Reads the rest of a refused request body, so that the client gets to read the answer. */
    private static void discard(InputStream body) throws IOException {
        try {
            body.transferTo(OutputStream.nullOutputStream());
        } catch (BodyTooLargeException e) {
            throw e;
        } catch (IOException e) {
            // a broken body: the answer goes out anyway
        }
    }

    private Incoming readMultipart(InputStream body, String contentType, List<Path> temps) throws IOException, Refusal {
        String boundary = InspektlabsMultipart.boundary(contentType);
        if (boundary == null) {
            throw new Refusal(400, "multipart/form-data needs a boundary parameter");
        }
        InspektlabsMultipart multipart = new InspektlabsMultipart(body, boundary);
        Incoming incoming = new Incoming(InspektlabsUpload.MODE_FILE);
        InspektlabsStore current = requireStore();
        int parts = 0;
        InspektlabsMultipart.Part part;
        while ((part = multipart.next()) != null) {
            if (++parts > MAX_PARTS) {
                throw new Refusal(400, "Too many multipart parts (more than " + MAX_PARTS + ")");
            }
            if (part.isFile() || part.name().equals("files") || part.name().equals("files[]")) {
                Path temp = current.newTempFile();
                temps.add(temp);
                DigestingOutputStream out = new DigestingOutputStream(Files.newOutputStream(temp));
                try (out) {
                    multipart.copyBody(out);
                }
                incoming.files.add(new Received(part.fileName(), part.contentType(), out.size(), out.sha256()));
            } else {
                incoming.fields.put(part.name(), multipart.readText(MAX_FIELD_BYTES));
            }
        }
        return incoming;
    }

    private Incoming readJson(InputStream body) throws IOException, Refusal {
        ByteArrayOutputStream buffer = new ByteArrayOutputStream();
        try {
            new LimitedInputStream(body, SMALL_BODY_LIMIT).transferTo(buffer);
        } catch (BodyTooLargeException e) {
            throw new Refusal(413, "The JSON body is larger than " + SMALL_BODY_LIMIT + " bytes.");
        }
        JsonNode json;
        try {
            json = buffer.size() == 0 ? null : SandboxHttp.MAPPER.readTree(buffer.toByteArray());
        } catch (IOException e) {
            json = null;
        }
        if (json == null || !json.isObject()) {
            throw new Refusal(400, "The body must be a JSON object");
        }
        Incoming incoming = new Incoming(InspektlabsUpload.MODE_URLS);
        for (String field : List.of("session", "case_id", "type", "callback_url", "email_id", "agent_id", "agent_name", "auth")) {
            String value = text(json, field);
            if (value != null) {
                incoming.fields.put(field, value);
            }
        }
        JsonNode urls = json.get("urls");
        if (urls != null && !urls.isNull()) {
            if (!urls.isArray()) {
                incoming.structuralError = "urls must be a list of URLs";
            } else {
                for (JsonNode url : urls) {
                    if (!url.isTextual() || !isHttpUrl(url.asText())) {
                        incoming.structuralError = "Invalid URL in urls: " + (url.isTextual() ? url.asText() : url.toString());
                        break;
                    }
                    incoming.urls.add(url.asText());
                }
            }
        }
        JsonNode pairs = json.get("url_pairs");
        if (incoming.structuralError == null && pairs != null && !pairs.isNull()) {
            if (!pairs.isArray()) {
                incoming.structuralError = "url_pairs must be a list of [url1, url2] pairs";
            } else {
                for (JsonNode pair : pairs) {
                    if (!pair.isArray() || pair.size() != 2) {
                        incoming.structuralError = "Each url_pairs entry must have exactly 2 images";
                        break;
                    }
                    for (JsonNode url : pair) {
                        if (!url.isTextual() || !isHttpUrl(url.asText())) {
                            incoming.structuralError = "Invalid URL in url_pairs: " + (url.isTextual() ? url.asText() : url.toString());
                            break;
                        }
                        incoming.pairUrls.add(url.asText());
                    }
                    if (incoming.structuralError != null) {
                        break;
                    }
                }
            }
        }
        return incoming;
    }

    /** Applies the vendor's rules in order; on success consumes the session, records the upload and schedules its callback. */
    private InspektlabsUpload check(Incoming incoming, String tokenSession, List<Path> temps) throws IOException, Refusal {
        boolean fileMode = InspektlabsUpload.MODE_FILE.equals(incoming.mode);
        String session = incoming.field("session");
        if (session == null) {
            throw new Refusal(400, "session is required");
        }
        AtomicBoolean used = sessions.get(session);
        if (used == null || !session.equals(tokenSession) || used.get()) {
            throw new Refusal(400, NEW_SESSION_NEEDED);
        }
        String caseId = incoming.field("case_id");
        if (caseId == null) {
            throw new Refusal(400, "case_id is required");
        }
        String type = incoming.field("type");
        if (type == null) {
            throw new Refusal(400, "type is required");
        }
        if (!type.equals(incoming.mode)) {
            throw new Refusal(400, "type must be \"" + incoming.mode + "\" for "
                    + (fileMode ? "multipart/form-data" : "application/json") + " uploads");
        }
        if (incoming.structuralError != null) {
            throw new Refusal(400, incoming.structuralError);
        }
        List<String> names = incoming.names();
        if (names.isEmpty()) {
            throw new Refusal(400, fileMode ? "files is required" : "urls is required");
        }
        long images = names.stream().filter(name -> IMAGE_EXTENSIONS.contains(extension(name, fileMode))).count();
        if (images > MAX_IMAGES) {
            throw new Refusal(400, MAX_IMAGES_MESSAGE);
        }
        for (String name : names) {
            String extension = extension(name, fileMode);
            if (!IMAGE_EXTENSIONS.contains(extension) && !VIDEO_EXTENSIONS.contains(extension)) {
                throw new Refusal(400, INVALID_FILE_TYPE);
            }
        }
        List<Received> files = fileMode ? incoming.files : fetchAll(names, incoming.field("auth"), temps);
        for (Received file : files) {
            if (!mediaTypeAllowed(file.contentType(), fileMode)) {
                throw new Refusal(415, UNSUPPORTED_MEDIA_TYPE);
            }
        }
        if (images > 0 && images < names.size()) {
            throw new Refusal(400, MIXED_MEDIA);
        }
        for (Received file : files) {
            if (VIDEO_EXTENSIONS.contains(extension(file.name(), fileMode))) {
                if (file.size() <= MIN_VIDEO_BYTES) {
                    throw new Refusal(400, VIDEO_TOO_SMALL);
                }
                if (file.size() >= MAX_VIDEO_BYTES) {
                    throw new Refusal(400, VIDEO_TOO_LARGE);
                }
            }
        }
        String callbackUrl = incoming.field("callback_url");
        if (callbackUrl == null && settings.requireCallbackUrl()) {
            throw new Refusal(400, CALLBACK_URL_MISSING);
        }
        if (callbackUrl != null && !isHttpUrl(callbackUrl)) {
            throw new Refusal(400, "callback_url must be an http or https URL");
        }
        if (windowClosed) {
            throw new Refusal(503, SERVICE_WINDOW);
        }
        if (!used.compareAndSet(false, true)) {
            throw new Refusal(400, NEW_SESSION_NEEDED);
        }
        List<InspektlabsUpload.UploadedFile> uploaded = new ArrayList<>();
        for (Received file : files) {
            uploaded.add(new InspektlabsUpload.UploadedFile(file.name(), file.size(), file.sha256(),
                    file.contentType() == null ? null : file.contentType().trim()));
        }
        InspektlabsUpload upload = new InspektlabsUpload(session, caseId, incoming.mode, uploaded,
                fileMode ? List.of() : incoming.urls, callbackUrl, incoming.field("email_id"), incoming.field("agent_id"),
                incoming.field("agent_name"), Instant.now().truncatedTo(ChronoUnit.MILLIS));
        try {
            requireStore().save(upload);
        } catch (IOException | RuntimeException e) {
            used.set(false);
            throw e;
        }
        synchronized (uploadsLock) {
            uploads.add(upload);
            uploadsBySession.put(session, upload);
        }
        scheduleCallback(upload);
        return upload;
    }

    private List<Received> fetchAll(List<String> urls, String auth, List<Path> temps) throws IOException, Refusal {
        List<Received> fetched = new ArrayList<>();
        for (String url : urls) {
            fetched.add(fetch(url, auth, temps));
        }
        return fetched;
    }

    /** Streams one URL into a temp file; refuses with 400 naming the URL when it cannot be fetched. */
    private Received fetch(String url, String auth, List<Path> temps) throws IOException, Refusal {
        HttpClient client = http;
        if (client == null) {
            throw new IllegalStateException("The Inspektlabs sandbox is not started");
        }
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(url)).timeout(FETCH_TIMEOUT).GET();
        if (auth != null) {
            request.header("Authorization", auth);
        }
        HttpResponse<InputStream> response;
        try {
            response = client.send(request.build(), HttpResponse.BodyHandlers.ofInputStream());
        } catch (IOException e) {
            throw new Refusal(400, "Cannot fetch " + url + ": " + describe(e));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new Refusal(400, "Cannot fetch " + url + ": interrupted");
        }
        try (InputStream in = response.body()) {
            if (response.statusCode() < 200 || response.statusCode() > 299) {
                throw new Refusal(400, "Cannot fetch " + url + ": HTTP " + response.statusCode());
            }
            Path temp = requireStore().newTempFile();
            temps.add(temp);
            DigestingOutputStream out = new DigestingOutputStream(Files.newOutputStream(temp));
            try (out) {
                new LimitedInputStream(in, settings.maxBodyBytes()).transferTo(out);
            } catch (BodyTooLargeException e) {
                throw new Refusal(400, "Cannot fetch " + url + ": larger than " + settings.maxBodyBytes() + " bytes");
            } catch (IOException e) {
                throw new Refusal(400, "Cannot fetch " + url + ": " + describe(e));
            }
            String contentType = response.headers().firstValue("Content-Type").orElse("application/octet-stream");
            return new Received(url, contentType, out.size(), out.sha256());
        }
    }

    private static String describe(IOException e) {
        return e.getMessage() == null || e.getMessage().isBlank() ? e.getClass().getSimpleName()
                : e.getClass().getSimpleName() + " " + e.getMessage();
    }

    /** The lower-case extension of a file name, or of a URL's last path segment; "" when none. */
    static String extension(String name, boolean fileName) {
        if (name == null) {
            return "";
        }
        String last = name;
        if (!fileName) {
            try {
                String path = new URI(name).getPath();
                last = path == null ? "" : path;
            } catch (URISyntaxException e) {
                return "";
            }
        }
        last = last.substring(Math.max(last.lastIndexOf('/'), last.lastIndexOf('\\')) + 1);
        int dot = last.lastIndexOf('.');
        return dot < 0 ? "" : last.substring(dot + 1).toLowerCase(Locale.ROOT);
    }

    /** image/*, video/* and application/octet-stream; a file part without Content-Type is text/plain (RFC 7578), a fetched URL's is octet-stream. */
    private static boolean mediaTypeAllowed(String contentType, boolean filePart) {
        if (contentType == null) {
            return !filePart;
        }
        String type = contentType.toLowerCase(Locale.ROOT).split(";", 2)[0].trim();
        return type.startsWith("image/") && type.length() > 6 || type.startsWith("video/") && type.length() > 6
                || type.equals("application/octet-stream");
    }

    private static boolean isHttpUrl(String value) {
        try {
            URI uri = new URI(value);
            return uri.isAbsolute() && uri.getHost() != null
                    && ("http".equalsIgnoreCase(uri.getScheme()) || "https".equalsIgnoreCase(uri.getScheme()));
        } catch (URISyntaxException e) {
            return false;
        }
    }

    private static String text(JsonNode body, String field) {
        if (body == null || !body.isObject()) {
            return null;
        }
        JsonNode value = body.get(field);
        if (value == null || value.isNull() || value.isContainerNode() || value.asText().isBlank()) {
            return null;
        }
        return value.asText();
    }

    // ------------------------------------------------------------------ callbacks

    /** The callback of one upload: attempts so far, the next scheduled one. */
    private static final class Delivery {
        final InspektlabsUpload upload;
        int attempts;
        boolean finished;
        ScheduledFuture<?> next;

        Delivery(InspektlabsUpload upload) {
            this.upload = upload;
        }
    }

    private void scheduleCallback(InspektlabsUpload upload) {
        if (upload.callbackUrl() == null) {
            return;
        }
        Delivery delivery = new Delivery(upload);
        deliveries.put(upload.session(), delivery);
        synchronized (delivery) {
            delivery.next = schedule(delivery);
        }
    }

    /** Schedules the next attempt after callbackDelay; null when the sandbox is stopping. */
    private ScheduledFuture<?> schedule(Delivery delivery) {
        ScheduledExecutorService callbacks = scheduler;
        if (callbacks == null || callbacks.isShutdown()) {
            return null;
        }
        try {
            return callbacks.schedule(() -> attempt(delivery, false), settings.callbackDelay().toMillis(), TimeUnit.MILLISECONDS);
        } catch (java.util.concurrent.RejectedExecutionException e) {
            return null;
        }
    }

    /** One delivery attempt (scheduled, or manual from deliverNow); answers the receiver's status or -1. */
    private int attempt(Delivery delivery, boolean manual) {
        synchronized (delivery) {
            if (!manual && delivery.finished) {
                return -1;
            }
            if (delivery.next != null) {
                delivery.next.cancel(false);
                delivery.next = null;
            }
            int status = post(delivery.upload);
            boolean ok = status >= 200 && status <= 299;
            if (!delivery.finished) {
                delivery.attempts++;
                if (ok) {
                    delivery.finished = true;
                } else if (delivery.attempts < CALLBACK_ATTEMPTS) {
                    delivery.next = schedule(delivery);
                    delivery.finished = delivery.next == null;
                } else {
                    delivery.finished = true;
                    LOG.info("Inspektlabs sandbox gave up the callback of session {} after {} attempts", delivery.upload.session(),
                            delivery.attempts);
                }
            }
            return status;
        }
    }

    /** POSTs the report to the upload's callback_url; answers the status, or -1 when the receiver could not be reached. */
    private int post(InspektlabsUpload upload) {
        HttpClient client = http;
        int status = -1;
        if (client != null) {
            try {
                byte[] report = SandboxHttp.MAPPER.writeValueAsBytes(InspektlabsReport.of(upload));
                HttpRequest request = HttpRequest.newBuilder(URI.create(upload.callbackUrl()))
                        .timeout(CALLBACK_TIMEOUT)
                        .header("Content-Type", "application/json")
                        .header("User-Agent", "Inspektlabs-Sandbox/" + InspektlabsReport.VERSION)
                        .POST(HttpRequest.BodyPublishers.ofByteArray(report))
                        .build();
                status = client.send(request, HttpResponse.BodyHandlers.discarding()).statusCode();
            } catch (IOException | RuntimeException e) {
                LOG.debug("Inspektlabs sandbox callback of session {} failed: {}", upload.session(), e.toString());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        callbacksAttempted.incrementAndGet();
        if (status >= 200 && status <= 299) {
            callbacksDelivered.incrementAndGet();
        }
        LOG.debug("Inspektlabs sandbox callback of session {} -> {}", upload.session(), status);
        return status;
    }

    // ------------------------------------------------------------------ feedback

    private void feedback(HttpExchange exchange) throws IOException {
        if (bearerSession(exchange) == null) {
            unauthorized(exchange);
            return;
        }
        feedbackRequests.incrementAndGet();
        long retryAfter = 0;
        synchronized (feedbackCalls) {
            long now = System.nanoTime();
            while (!feedbackCalls.isEmpty() && now - feedbackCalls.peekFirst() >= FEEDBACK_WINDOW_NANOS) {
                feedbackCalls.pollFirst();
            }
            if (feedbackCalls.size() >= FEEDBACK_CALLS_PER_MINUTE) {
                long waitNanos = feedbackCalls.peekFirst() + FEEDBACK_WINDOW_NANOS - now;
                retryAfter = Math.max(1, (waitNanos + TimeUnit.SECONDS.toNanos(1) - 1) / TimeUnit.SECONDS.toNanos(1));
            } else {
                feedbackCalls.addLast(now);
            }
        }
        if (retryAfter > 0) {
            SandboxHttp.drain(exchange, SMALL_BODY_LIMIT);
            exchange.getResponseHeaders().set("Retry-After", String.valueOf(retryAfter));
            SandboxHttp.sendMessage(exchange, 429, RATE_LIMITED);
            return;
        }
        JsonNode body = SandboxHttp.readSmallJson(exchange, SMALL_BODY_LIMIT);
        String inspectionId = text(body, "inspection_id");
        JsonNode feedback = body == null || !body.isObject() ? null : body.get("feedback");
        if (inspectionId == null) {
            SandboxHttp.sendMessage(exchange, 400, "inspection_id is required");
            return;
        }
        if (feedback == null || feedback.isNull() || feedback.isTextual() && feedback.asText().isBlank()) {
            SandboxHttp.sendMessage(exchange, 400, "feedback is required");
            return;
        }
        if (!uploadsBySession.containsKey(inspectionId)) {
            SandboxHttp.sendMessage(exchange, 400, "inspection_id not found");
            return;
        }
        SandboxHttp.sendJson(exchange, 200, SandboxHttp.object().put("status", "success"));
    }

    // ------------------------------------------------------------------ admin

    private void handleSandbox(HttpExchange exchange, String method, String path) throws IOException {
        if (!exchange.getRemoteAddress().getAddress().isLoopbackAddress()) {
            SandboxHttp.drain(exchange, SMALL_BODY_LIMIT);
            SandboxHttp.sendMessage(exchange, 403, "The sandbox admin API answers on loopback only.");
            return;
        }
        if (path.startsWith("/sandbox/deliver/")) {
            if (allowed(exchange, method, "POST")) {
                SandboxHttp.drain(exchange, SMALL_BODY_LIMIT);
                adminDeliver(exchange, SandboxHttp.decodePathSegment(path.substring("/sandbox/deliver/".length())));
            }
            return;
        }
        switch (path) {
            case "/sandbox/health":
                if (allowed(exchange, method, "GET")) {
                    SandboxHttp.sendJson(exchange, 200, SandboxHttp.object().put("status", "UP"));
                }
                break;
            case "/sandbox/faults":
                if (allowed(exchange, method, "POST", "DELETE")) {
                    if (method.equals("DELETE")) {
                        SandboxHttp.drain(exchange, SMALL_BODY_LIMIT);
                        faults.clear();
                        SandboxHttp.sendNoContent(exchange);
                    } else {
                        configureFault(exchange);
                    }
                }
                break;
            case "/sandbox/window":
                if (allowed(exchange, method, "POST")) {
                    JsonNode body = SandboxHttp.readSmallJson(exchange, SMALL_BODY_LIMIT);
                    JsonNode closed = body == null || !body.isObject() ? null : body.get("closed");
                    if (closed == null || !closed.isBoolean()) {
                        SandboxHttp.sendMessage(exchange, 400, "The body must be {\"closed\": true|false}.");
                    } else {
                        serviceWindowClosed(closed.booleanValue());
                        SandboxHttp.sendNoContent(exchange);
                    }
                }
                break;
            case "/sandbox/uploads":
                if (allowed(exchange, method, "GET")) {
                    ArrayNode list = SandboxHttp.MAPPER.createArrayNode();
                    uploads().forEach(upload -> list.add(InspektlabsStore.toJson(upload)));
                    SandboxHttp.sendJson(exchange, 200, list);
                }
                break;
            default:
                SandboxHttp.drain(exchange, SMALL_BODY_LIMIT);
                SandboxHttp.sendMessage(exchange, 404, "No sandbox route " + path);
        }
    }

    private void adminDeliver(HttpExchange exchange, String session) throws IOException {
        InspektlabsUpload upload = session == null ? null : uploadsBySession.get(session);
        if (upload == null) {
            SandboxHttp.sendMessage(exchange, 404, "No accepted upload for session " + session);
            return;
        }
        if (upload.callbackUrl() == null) {
            SandboxHttp.sendMessage(exchange, 409, "The upload of session " + session + " has no callback_url");
            return;
        }
        int status = deliverNow(session);
        SandboxHttp.sendJson(exchange, 200, SandboxHttp.object().put("session", session).put("status", status));
    }

    private void configureFault(HttpExchange exchange) throws IOException {
        JsonNode command = SandboxHttp.readSmallJson(exchange, SMALL_BODY_LIMIT);
        try {
            faults.configure(command);
        } catch (IllegalArgumentException e) {
            SandboxHttp.sendMessage(exchange, 400, e.getMessage());
            return;
        }
        SandboxHttp.sendNoContent(exchange);
    }
}
