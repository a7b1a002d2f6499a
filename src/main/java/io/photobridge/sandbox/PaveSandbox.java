package io.photobridge.sandbox;

import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import javax.imageio.ImageIO;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.photobridge.sandbox.SandboxHttp.BodyTooLargeException;
import org.apache.camel.Service;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * In-process simulator of PAVE's OpenAPI (sessions, session photos with QA verdicts, results, callbacks), scripted through admin calls.
 * <p>
 * API (every call signed with {@code API-Key}, {@code API-Token}, {@code API-Timestamp}, else 401 {@code {"message":"Unauthorized"}}):
 * {@code POST /v1/sessions}, {@code GET /v1/sessions/{key}}, {@code GET /v1/sessions/{key}/photos}, {@code GET /v1/sessions/{key}/results},
 * {@code GET /v1/sessions/{key}/notes}, {@code GET|POST /v1/callbacks}, {@code GET|DELETE /v1/callbacks/{id}}.
 * <p>
 * Admin (loopback only, no auth, never faulted): {@code POST /sandbox/sessions}, {@code POST /sandbox/sessions/{key}/captures},
 * {@code POST /sandbox/sessions/{key}/status}, {@code POST|DELETE /sandbox/faults}, {@code GET /sandbox/health}, and the photo bytes
 * at {@code GET /sandbox/photos/{key}/{n}.jpg}.
 * <p>
 * Shapes chosen where the vendor documents none: create answers 200 with the session data; results before COMPLETE answer
 * 200 {@code {"message":"Session is not yet completed."}}; a capture on an IDLE session moves it to STARTED. Timestamps are
 * whole seconds with a {@code +00:00} offset; within a session every capture's updated_at is strictly later than the previous one.
 */
public final class PaveSandbox implements Service, AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(PaveSandbox.class);

    /** The username {@link Settings#defaults()} signs with. */
    public static final String DEFAULT_USERNAME = "sandbox@example.com";
    /** The API key {@link Settings#defaults()} accepts. */
    public static final String DEFAULT_API_KEY = "sandbox-pave-key";
    /** The API secret {@link Settings#defaults()} signs with. */
    public static final String DEFAULT_API_SECRET = "sandbox-pave-secret";
    /** The session statuses, in lifecycle order. */
    public static final List<String> STATUSES =
            List.of("IDLE", "STARTED", "PROCESS", "QC_PASSED", "CONFIRM", "COMPLETE", "EXPIRED", "INVALID");
    /** The themes a session may have; the default is PRO. */
    public static final List<String> THEMES = List.of("LITE", "PRO", "CAPT");
    /** Events a callback may be registered for. */
    public static final List<String> EVENTS = List.of("SESSION:STAGE_CHANGE", "SESSION:STATUS_CHANGE", "SESSION:COMPLETE",
            "SESSION:NOTE_INSERT", "SESSION:SMS_PROCESS");
    /** 401 body message. */
    public static final String UNAUTHORIZED = "Unauthorized";
    /** Message of /results before the session is COMPLETE (status 200). */
    public static final String NOT_COMPLETED = "Session is not yet completed.";
    /** The HTTP status of /results before the session is COMPLETE. */
    public static final int NOT_COMPLETED_STATUS = 200;

    private static final Map<Integer, String> LABELS = Map.ofEntries(
            Map.entry(1, "VIN"), Map.entry(2, "Interior"), Map.entry(3, "Cluster"), Map.entry(4, "Left"),
            Map.entry(5, "Front"), Map.entry(6, "Tires"), Map.entry(7, "Right"), Map.entry(8, "Rear"),
            Map.entry(9, "Windshield"), Map.entry(10, "Front_Left"), Map.entry(11, "Front_Right"),
            Map.entry(12, "Rear_Right"), Map.entry(13, "Rear_Left"));
    private static final int THREADS = 8;
    private static final long SMALL_BODY_LIMIT = 1024 * 1024;
    private static final Duration CALLBACK_TIMEOUT = Duration.ofSeconds(10);
    private static final String KEY_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789";
    private static final Pattern SESSION = Pattern.compile("^/v1/sessions/([^/]+)(/photos|/results|/notes)?/?$");
    private static final Pattern CALLBACK = Pattern.compile("^/v1/callbacks/([0-9]+)/?$");
    private static final Pattern ADMIN_SESSION = Pattern.compile("^/sandbox/sessions/([^/]+)/(captures|status)$");
    private static final Pattern PHOTO = Pattern.compile("^/sandbox/photos/([^/]+)/([0-9]+)\\.jpg$");
    private static final DateTimeFormatter TIME =
            DateTimeFormatter.ofPattern("uuuu-MM-dd'T'HH:mm:ssxxx").withZone(ZoneOffset.UTC);

    static {
        SandboxHttp.preferNoDelay();
    }

    /** apiKey/apiSecret/username: the account; maxClockSkew: how far API-Timestamp may be from now; dataDir null = temp. */
    public record Settings(String host, int port, Path dataDir, String username, String apiKey, String apiSecret,
                           Duration maxClockSkew) {

        public Settings {
            Objects.requireNonNull(host, "host");
            Objects.requireNonNull(username, "username");
            Objects.requireNonNull(apiKey, "apiKey");
            Objects.requireNonNull(apiSecret, "apiSecret");
            Objects.requireNonNull(maxClockSkew, "maxClockSkew");
            if (port < 0 || port > 65535) {
                throw new IllegalArgumentException("port must be between 0 and 65535");
            }
            if (apiKey.isBlank() || apiSecret.isEmpty()) {
                throw new IllegalArgumentException("apiKey and apiSecret must not be blank");
            }
            if (maxClockSkew.isNegative()) {
                throw new IllegalArgumentException("maxClockSkew must not be negative");
            }
        }

        /** Loopback, any port, temp dir, user "sandbox@example.com", key "sandbox-pave-key", secret "sandbox-pave-secret", 5 min skew. */
        public static Settings defaults() {
            return new Settings("127.0.0.1", 0, null, DEFAULT_USERNAME, DEFAULT_API_KEY, DEFAULT_API_SECRET, Duration.ofMinutes(5));
        }

        public Settings withHost(String host) {
            return new Settings(host, port, dataDir, username, apiKey, apiSecret, maxClockSkew);
        }

        public Settings withPort(int port) {
            return new Settings(host, port, dataDir, username, apiKey, apiSecret, maxClockSkew);
        }

        public Settings withDataDir(Path dataDir) {
            return new Settings(host, port, dataDir, username, apiKey, apiSecret, maxClockSkew);
        }

        public Settings withUsername(String username) {
            return new Settings(host, port, dataDir, username, apiKey, apiSecret, maxClockSkew);
        }

        public Settings withApiKey(String apiKey) {
            return new Settings(host, port, dataDir, username, apiKey, apiSecret, maxClockSkew);
        }

        public Settings withApiSecret(String apiSecret) {
            return new Settings(host, port, dataDir, username, apiKey, apiSecret, maxClockSkew);
        }

        public Settings withMaxClockSkew(Duration maxClockSkew) {
            return new Settings(host, port, dataDir, username, apiKey, apiSecret, maxClockSkew);
        }

        @Override
        public String toString() {
            return "Settings[host=" + host + ", port=" + port + ", dataDir=" + dataDir + ", username=" + username
                    + ", apiKey=***, apiSecret=***, maxClockSkew=" + maxClockSkew + "]";
        }
    }

    /** One capture of a photo code with its QA verdict; n numbers the captures of a session from 1. */
    private record Capture(int n, int code, boolean approved, String message, Instant createdAt, Instant updatedAt) {
    }

    /** A session; guarded by the sandbox's lock. */
    private static final class Session {
        final String key;
        final String theme;
        final String redirectUrl;
        final JsonNode vehicle;
        final JsonNode options;
        final Instant createdAt;
        final List<Capture> captures = new ArrayList<>();
        String status = "IDLE";
        Instant updatedAt;
        Instant lastStamp;
        Instant startedAt;
        Instant endedAt;

        Session(String key, String theme, String redirectUrl, JsonNode vehicle, JsonNode options, Instant createdAt) {
            this.key = key;
            this.theme = theme;
            this.redirectUrl = redirectUrl;
            this.vehicle = vehicle;
            this.options = options;
            this.createdAt = createdAt;
            this.updatedAt = createdAt;
            this.lastStamp = createdAt;
        }
    }

    /** A registered webhook; headers may hold the receiver's secret and are never logged. */
    private record Callback(long id, String event, String url, String method, Map<String, String> headers, JsonNode payload) {
    }

    /** A refused request: status and message. */
    private static final class Refusal extends Exception {
        private static final long serialVersionUID = 1L;
        final int status;

        Refusal(int status, String message) {
            super(message, null, false, false);
            this.status = status;
        }
    }

    private final Settings settings;
    private final FaultInjector faults = new FaultInjector();
    private final SecureRandom random = new SecureRandom();
    private final Object lock = new Object();
    private final Map<String, Session> sessions = new LinkedHashMap<>();
    private final Map<Long, Callback> callbacks = new LinkedHashMap<>();
    private final AtomicInteger photoRequests = new AtomicInteger();
    private final AtomicInteger authFailures = new AtomicInteger();
    private final AtomicInteger callbacksAttempted = new AtomicInteger();
    private final AtomicInteger callbacksDelivered = new AtomicInteger();
    private long nextCallbackId = 1;

    private HttpServer server;
    private ExecutorService executor;
    private ExecutorService callbackExecutor;
    private volatile HttpClient http;
    private Path tempRoot;
    private volatile Path root;
    private volatile String baseUrl;

    /** A stopped sandbox with these settings: nothing listens until {@link #start()}. */
    public PaveSandbox(Settings settings) {
        this.settings = Objects.requireNonNull(settings, "settings");
    }

    /** Loads the sessions and callbacks kept in the data directory and starts answering; does nothing when already started. */
    @Override
    public synchronized void start() {
        if (server != null) {
            return;
        }
        try {
            Path dir;
            if (settings.dataDir() == null) {
                tempRoot = Files.createTempDirectory("pave-sandbox-");
                dir = tempRoot.resolve("pave");
            } else {
                dir = settings.dataDir().resolve("pave");
            }
            Files.createDirectories(dir);
            load(dir);
            http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).connectTimeout(CALLBACK_TIMEOUT).build();
            callbackExecutor = Executors.newSingleThreadExecutor(SandboxHttp.threadFactory("pave-sandbox-callback-"));
            SandboxHttp.Listening listening = SandboxHttp.listen(settings.host(), settings.port(), this::handle, THREADS,
                    "pave-sandbox-");
            HttpServer created = listening.server();
            executor = listening.executor();
            baseUrl = listening.baseUrl();
            root = dir;
            server = created;
            LOG.info("PAVE sandbox listening on {} with {} sessions", baseUrl, sessionCount());
        } catch (IOException e) {
            cleanUp();
            throw new UncheckedIOException("Cannot start the PAVE sandbox on " + settings.host() + ":" + settings.port(), e);
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
        LOG.debug("PAVE sandbox stopped");
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
            throw new IllegalStateException("The PAVE sandbox is not started");
        }
        return url;
    }

    /** The settings this sandbox was made with. */
    public Settings settings() {
        return settings;
    }

    /** The fault injector consulted first by every /v1 request. */
    public FaultInjector faults() {
        return faults;
    }

    /** Creates a session as POST /v1/sessions would (theme PRO, no vehicle); returns its session_key. */
    public String createSession() {
        try {
            return create(null).key;
        } catch (Refusal e) {
            throw new IllegalStateException(e.getMessage());
        }
    }

    /** Adds a captured photo (or a retake of the same photo_code) with its QA verdict; null jpeg = a generated one. */
    public void capture(String sessionKey, int photoCode, boolean approved, String rejectionReason, byte[] jpeg) {
        try {
            addCapture(sessionKey, photoCode, approved, rejectionReason, jpeg);
        } catch (Refusal e) {
            if (e.status == 404) {
                throw new NoSuchElementException(e.getMessage());
            }
            throw new IllegalArgumentException(e.getMessage());
        }
    }

    /** Sets the session status (IDLE, STARTED, PROCESS, QC_PASSED, CONFIRM, COMPLETE, EXPIRED, INVALID). */
    public void status(String sessionKey, String status) {
        try {
            changeStatus(sessionKey, status);
        } catch (Refusal e) {
            if (e.status == 404) {
                throw new NoSuchElementException(e.getMessage());
            }
            throw new IllegalArgumentException(e.getMessage());
        }
    }

    /** The current status of a session. */
    public String status(String sessionKey) {
        synchronized (lock) {
            Session session = sessions.get(sessionKey);
            if (session == null) {
                throw new NoSuchElementException(notFound(sessionKey));
            }
            return session.status;
        }
    }

    /** The URL of a session's n-th capture (counted from 1), as served in /photos. */
    public String photoUrl(String sessionKey, int n) {
        return baseUrl() + "/sandbox/photos/" + SandboxHttp.encodePathSegment(sessionKey) + "/" + n + ".jpg";
    }

    /** Number of GET .../photos requests that passed auth, whatever their outcome. */
    public int photoRequests() {
        return photoRequests.get();
    }

    /** Number of /v1 requests answered 401. */
    public int authFailures() {
        return authFailures.get();
    }

    /** Callback deliveries attempted. */
    public int callbacksAttempted() {
        return callbacksAttempted.get();
    }

    /** Callback deliveries the receiver answered 2xx. */
    public int callbacksDelivered() {
        return callbacksDelivered.get();
    }

    /** The label of a photo code (1 VIN ... 13 Rear_Left), or null when the code is unknown. */
    public static String label(int photoCode) {
        return LABELS.get(photoCode);
    }

    /** The API-Token PAVE expects: lowercase hex HMAC-SHA256 of "username:apiKey@timestamp" keyed with the secret. */
    public static String token(String username, String apiKey, String apiSecret, String timestamp) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(apiSecret.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
            return HexFormat.of().formatHex(mac.doFinal((username + ":" + apiKey + "@" + timestamp).getBytes(StandardCharsets.UTF_8)));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    // ------------------------------------------------------------------ state

    private Session create(JsonNode body) throws Refusal {
        if (body != null && !body.isObject()) {
            throw new Refusal(400, "The body must be a JSON object.");
        }
        String theme = text(body, "theme");
        theme = theme == null ? "PRO" : theme.toUpperCase(Locale.ROOT);
        if (!THEMES.contains(theme)) {
            throw new Refusal(400, "The theme must be one of LITE, PRO, CAPT.");
        }
        JsonNode vehicle = body == null ? null : body.get("vehicle");
        if (vehicle != null && !vehicle.isNull() && !vehicle.isObject()) {
            throw new Refusal(400, "The vehicle must be an object.");
        }
        JsonNode options = body == null ? null : body.get("options");
        Session session;
        synchronized (lock) {
            String key;
            do {
                key = newKey();
            } while (sessions.containsKey(key));
            session = new Session(key, theme, text(body, "redirect_url"),
                    vehicle == null || vehicle.isNull() ? null : vehicle.deepCopy(),
                    options == null || options.isNull() ? null : options.deepCopy(), now());
            sessions.put(key, session);
            persist();
        }
        return session;
    }

    private Capture addCapture(String key, int code, boolean approved, String reason, byte[] jpeg) throws Refusal {
        String label = LABELS.get(code);
        if (label == null) {
            throw new Refusal(400, "The photo_code must be between 1 and 13.");
        }
        byte[] bytes = jpeg == null ? generateJpeg(key, code) : jpeg.clone();
        String message = approved ? "ACCEPTED" : "REJECTED: " + (reason == null || reason.isBlank() ? "Wrong View" : reason);
        Capture capture;
        boolean started;
        synchronized (lock) {
            Session session = requireSession(key);
            Instant created = later(session.lastStamp);
            capture = new Capture(session.captures.size() + 1, code, approved, message, created, created);
            session.lastStamp = created;
            writePhoto(key, capture.n(), bytes);
            session.captures.add(capture);
            session.updatedAt = created;
            if (session.startedAt == null) {
                session.startedAt = created;
            }
            started = session.status.equals("IDLE");
            if (started) {
                session.status = "STARTED";
            }
            persist();
        }
        ObjectNode stage = SandboxHttp.object().put("photo_code", code).put("photo_label", label)
                .put("approved", approved).put("approved_message", message);
        fire("SESSION:STAGE_CHANGE", key, stage);
        if (started) {
            fire("SESSION:STATUS_CHANGE", key, SandboxHttp.object().put("status", "STARTED"));
        }
        return capture;
    }

    private Session changeStatus(String key, String status) throws Refusal {
        String normalized = status == null ? "" : status.trim().toUpperCase(Locale.ROOT);
        if (!STATUSES.contains(normalized)) {
            throw new Refusal(400, "The status must be one of " + String.join(", ", STATUSES) + ".");
        }
        boolean changed;
        Session session;
        synchronized (lock) {
            session = requireSession(key);
            changed = !session.status.equals(normalized);
            if (changed) {
                session.status = normalized;
                session.updatedAt = later(session.lastStamp);
                session.lastStamp = session.updatedAt;
                if (normalized.equals("COMPLETE")) {
                    session.endedAt = session.updatedAt;
                }
                persist();
            }
        }
        if (changed) {
            fire("SESSION:STATUS_CHANGE", key, SandboxHttp.object().put("status", normalized));
            if (normalized.equals("COMPLETE")) {
                fire("SESSION:COMPLETE", key, SandboxHttp.object().put("status", normalized));
            }
        }
        return session;
    }

    private Session requireSession(String key) throws Refusal {
        Session session = key == null ? null : sessions.get(key);
        if (session == null) {
            throw new Refusal(404, notFound(key));
        }
        return session;
    }

    private static String notFound(String key) {
        return "Session " + key + " cannot be found.";
    }

    private int sessionCount() {
        synchronized (lock) {
            return sessions.size();
        }
    }

    private String newKey() {
        StringBuilder key = new StringBuilder("SBX-");
        for (int i = 0; i < 10; i++) {
            key.append(KEY_ALPHABET.charAt(random.nextInt(KEY_ALPHABET.length())));
        }
        return key.toString();
    }

    private static Instant now() {
        return Instant.now().truncatedTo(ChronoUnit.SECONDS);
    }

    /** Now, or one second after {@code previous} when now is not later (keeps updated_at strictly increasing in a session). */
    private static Instant later(Instant previous) {
        Instant now = now();
        return now.isAfter(previous) ? now : previous.plusSeconds(1);
    }

    /** A small JPEG whose pixels spell out the session, code and a random stamp, so that every capture's bytes differ. */
    private byte[] generateJpeg(String key, int code) {
        BufferedImage image = new BufferedImage(64, 48, BufferedImage.TYPE_INT_RGB);
        long stamp = random.nextLong() ^ key.hashCode();
        int base = LABELS.get(code).hashCode() & 0x7F7F7F;
        for (int y = 0; y < image.getHeight(); y++) {
            for (int x = 0; x < image.getWidth(); x++) {
                int block = (y / 8) * 8 + x / 8;
                boolean bit = (stamp >>> (block & 63) & 1) == 1;
                image.setRGB(x, y, bit ? 0xFFFFFF - base : base + (x << 1) + (y << 9));
            }
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try {
            if (!ImageIO.write(image, "jpg", out)) {
                throw new IllegalStateException("No JPEG writer available");
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toByteArray();
    }

    // ------------------------------------------------------------------ persistence

    private Path photoFile(Path dir, String key, int n) {
        return dir.resolve("photos").resolve(key).resolve(n + ".jpg");
    }

    private void writePhoto(String key, int n, byte[] bytes) {
        Path dir = requireRoot();
        try {
            Path file = photoFile(dir, key, n);
            Files.createDirectories(file.getParent());
            Path temp = file.resolveSibling(n + ".jpg.tmp");
            Files.write(temp, bytes);
            Files.move(temp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Writes every session and callback to state.json; called under the lock. */
    private void persist() {
        Path dir = requireRoot();
        ObjectNode state = SandboxHttp.object();
        state.put("next_callback_id", nextCallbackId);
        ArrayNode list = state.putArray("sessions");
        for (Session session : sessions.values()) {
            ObjectNode json = sessionJson(session, null);
            json.set("options", session.options);
            json.put("last_stamp", TIME.format(session.lastStamp));
            ArrayNode captures = json.putArray("captures");
            for (Capture capture : session.captures) {
                captures.addObject().put("n", capture.n()).put("photo_code", capture.code()).put("approved", capture.approved())
                        .put("approved_message", capture.message()).put("created_at", TIME.format(capture.createdAt()))
                        .put("updated_at", TIME.format(capture.updatedAt()));
            }
            list.add(json);
        }
        ArrayNode hooks = state.putArray("callbacks");
        callbacks.values().forEach(callback -> hooks.add(callbackJson(callback)));
        try {
            Path temp = dir.resolve("state.json.tmp");
            Files.write(temp, SandboxHttp.MAPPER.writerWithDefaultPrettyPrinter().writeValueAsBytes(state));
            Files.move(temp, dir.resolve("state.json"), StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private void load(Path dir) throws IOException {
        synchronized (lock) {
            sessions.clear();
            callbacks.clear();
            nextCallbackId = 1;
            Path file = dir.resolve("state.json");
            if (!Files.exists(file)) {
                return;
            }
            JsonNode state = SandboxHttp.MAPPER.readTree(file.toFile());
            nextCallbackId = Math.max(1, state.path("next_callback_id").asLong(1));
            for (JsonNode json : state.path("sessions")) {
                Session session = new Session(json.path("session_key").asText(), json.path("theme").asText("PRO"),
                        text(json, "redirect_url"), json.hasNonNull("vehicle") ? json.get("vehicle") : null,
                        json.hasNonNull("options") ? json.get("options") : null, instant(json, "created_at"));
                session.status = json.path("status").asText("IDLE");
                session.updatedAt = instant(json, "updated_at");
                session.lastStamp = instant(json, "last_stamp");
                session.startedAt = json.hasNonNull("inspect_started_at") ? instant(json, "inspect_started_at") : null;
                session.endedAt = json.hasNonNull("inspect_ended_at") ? instant(json, "inspect_ended_at") : null;
                for (JsonNode capture : json.path("captures")) {
                    session.captures.add(new Capture(capture.path("n").asInt(), capture.path("photo_code").asInt(),
                            capture.path("approved").asBoolean(), capture.path("approved_message").asText(),
                            instant(capture, "created_at"), instant(capture, "updated_at")));
                }
                sessions.put(session.key, session);
            }
            for (JsonNode json : state.path("callbacks")) {
                Map<String, String> headers = new LinkedHashMap<>();
                json.path("headers").fields().forEachRemaining(e -> headers.put(e.getKey(), e.getValue().asText()));
                Callback callback = new Callback(json.path("id").asLong(), json.path("event").asText(), json.path("url").asText(),
                        json.path("method").asText("POST"), headers, json.hasNonNull("payload") ? json.get("payload") : null);
                callbacks.put(callback.id(), callback);
                nextCallbackId = Math.max(nextCallbackId, callback.id() + 1);
            }
        }
    }

    private static Instant instant(JsonNode json, String field) {
        return TIME.parse(json.path(field).asText(), Instant::from);
    }

    private Path requireRoot() {
        Path dir = root;
        if (dir == null) {
            throw new IllegalStateException("The PAVE sandbox is not started");
        }
        return dir;
    }

    private void cleanUp() {
        for (ExecutorService pool : new ExecutorService[] {executor, callbackExecutor}) {
            if (pool != null) {
                pool.shutdownNow();
                try {
                    if (!pool.awaitTermination(5, TimeUnit.SECONDS)) {
                        LOG.warn("PAVE sandbox threads still busy after stop");
                    }
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
        }
        executor = null;
        callbackExecutor = null;
        http = null;
        baseUrl = null;
        root = null;
        if (tempRoot != null) {
            SandboxHttp.deleteRecursively(tempRoot);
            tempRoot = null;
            synchronized (lock) {
                sessions.clear();
                callbacks.clear();
            }
        }
    }

    // ------------------------------------------------------------------ JSON shapes

    /** The session data of GET /v1/sessions/{key}; with baseUrl, also capture_url. Called under the lock. */
    private ObjectNode sessionJson(Session session, String base) {
        ObjectNode json = SandboxHttp.object();
        json.put("session_key", session.key);
        json.put("theme", session.theme);
        json.put("status", session.status);
        json.put("redirect_url", session.redirectUrl);
        if (base != null) {
            json.put("capture_url", base + "/capture/" + SandboxHttp.encodePathSegment(session.key));
        }
        json.set("vehicle", session.vehicle);
        json.put("inspect_started_at", session.startedAt == null ? null : TIME.format(session.startedAt));
        json.put("inspect_ended_at", session.endedAt == null ? null : TIME.format(session.endedAt));
        json.put("created_at", TIME.format(session.createdAt));
        json.put("updated_at", TIME.format(session.updatedAt));
        return json;
    }

    private ArrayNode photosJson(Session session, String base) {
        ArrayNode list = SandboxHttp.MAPPER.createArrayNode();
        for (Capture capture : session.captures) {
            list.addObject()
                    .put("photo_code", capture.code())
                    .put("photo_label", LABELS.get(capture.code()))
                    .put("url", base + "/sandbox/photos/" + SandboxHttp.encodePathSegment(session.key) + "/" + capture.n() + ".jpg")
                    .put("approved", capture.approved())
                    .put("approved_message", capture.message())
                    .put("created_at", TIME.format(capture.createdAt()))
                    .put("updated_at", TIME.format(capture.updatedAt()));
        }
        return list;
    }

    /** The result of a COMPLETE session: the latest verdict per photo code, no damages. */
    private ObjectNode resultsJson(Session session) {
        ObjectNode json = SandboxHttp.object();
        json.put("session_key", session.key);
        json.put("status", session.status);
        json.put("theme", session.theme);
        json.set("vehicle", session.vehicle);
        json.put("inspect_started_at", session.startedAt == null ? null : TIME.format(session.startedAt));
        json.put("inspect_ended_at", session.endedAt == null ? null : TIME.format(session.endedAt));
        Map<Integer, Capture> latest = new LinkedHashMap<>();
        session.captures.forEach(capture -> latest.put(capture.code(), capture));
        ObjectNode photos = json.putObject("photos");
        photos.put("captured", session.captures.size());
        photos.put("approved", latest.values().stream().filter(Capture::approved).count());
        photos.put("rejected", latest.values().stream().filter(capture -> !capture.approved()).count());
        json.putArray("damages");
        return json;
    }

    private static ObjectNode callbackJson(Callback callback) {
        ObjectNode json = SandboxHttp.object();
        json.put("id", callback.id());
        json.put("event", callback.event());
        json.put("url", callback.url());
        json.put("method", callback.method());
        ObjectNode headers = json.putObject("headers");
        callback.headers().forEach(headers::put);
        json.set("payload", callback.payload());
        return json;
    }

    // ------------------------------------------------------------------ callbacks

    /** Sends the event to every callback registered for it, asynchronously, one attempt each. */
    private void fire(String event, String key, ObjectNode details) {
        List<Callback> targets = new ArrayList<>();
        synchronized (lock) {
            callbacks.values().stream().filter(callback -> callback.event().equals(event)).forEach(targets::add);
        }
        ExecutorService pool = callbackExecutor;
        if (targets.isEmpty() || pool == null) {
            return;
        }
        for (Callback callback : targets) {
            ObjectNode body = SandboxHttp.object().put("event", event).put("session_key", key);
            body.setAll(details);
            if (callback.payload() != null) {
                body.set("payload", callback.payload());
            }
            try {
                pool.execute(() -> deliver(callback, body));
            } catch (RejectedExecutionException e) {
                return;
            }
        }
    }

    private void deliver(Callback callback, ObjectNode body) {
        HttpClient client = http;
        int status = -1;
        if (client != null) {
            try {
                HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(callback.url())).timeout(CALLBACK_TIMEOUT)
                        .header("Content-Type", "application/json")
                        .method(callback.method(), HttpRequest.BodyPublishers.ofByteArray(SandboxHttp.MAPPER.writeValueAsBytes(body)));
                callback.headers().forEach(request::header);
                status = client.send(request.build(), HttpResponse.BodyHandlers.discarding()).statusCode();
            } catch (IOException | RuntimeException e) {
                LOG.debug("PAVE sandbox callback {} ({}) failed: {}", callback.id(), callback.event(), e.getClass().getSimpleName());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        callbacksAttempted.incrementAndGet();
        if (status >= 200 && status <= 299) {
            callbacksDelivered.incrementAndGet();
        }
        LOG.debug("PAVE sandbox callback {} ({}) -> {}", callback.id(), callback.event(), status);
    }

    private Callback register(JsonNode body) throws Refusal {
        if (body == null || !body.isObject()) {
            throw new Refusal(400, "The body must be a JSON object with event and url.");
        }
        String event = text(body, "event");
        if (event == null || !EVENTS.contains(event)) {
            throw new Refusal(400, "The event must be one of " + String.join(", ", EVENTS) + ".");
        }
        String url = text(body, "url");
        if (url == null || !(url.startsWith("http://") || url.startsWith("https://"))) {
            throw new Refusal(400, "The url must be an http(s) URL.");
        }
        try {
            URI.create(url);
        } catch (IllegalArgumentException e) {
            throw new Refusal(400, "The url must be an http(s) URL.");
        }
        String method = text(body, "method");
        method = method == null ? "POST" : method.toUpperCase(Locale.ROOT);
        if (!Set.of("POST", "PUT", "PATCH").contains(method)) {
            throw new Refusal(400, "The method must be POST, PUT or PATCH.");
        }
        Map<String, String> headers = new LinkedHashMap<>();
        JsonNode given = body.get("headers");
        if (given != null && !given.isNull()) {
            if (!given.isObject()) {
                throw new Refusal(400, "The headers must be an object of strings.");
            }
            given.fields().forEachRemaining(e -> headers.put(e.getKey(), e.getValue().asText()));
        }
        JsonNode payload = body.get("payload");
        synchronized (lock) {
            Callback callback = new Callback(nextCallbackId++, event, url, method, Map.copyOf(headers),
                    payload == null || payload.isNull() ? null : payload.deepCopy());
            callbacks.put(callback.id(), callback);
            persist();
            return callback;
        }
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
        } catch (Refusal e) {
            answerIfPossible(exchange, e.status, e.getMessage());
        } catch (BodyTooLargeException e) {
            answerIfPossible(exchange, 413, "The request body is larger than " + SMALL_BODY_LIMIT + " bytes.");
        } catch (IOException e) {
            note = " (" + e + ")";
            answerIfPossible(exchange, 500, "Server Error");
        } catch (RuntimeException e) {
            LOG.warn("PAVE sandbox failed on {} {}", method, path, e);
            answerIfPossible(exchange, 500, "Server Error");
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
            SandboxHttp.drain(exchange, SMALL_BODY_LIMIT);
            SandboxHttp.sendMessage(exchange, status, message);
        } catch (IOException e) {
            // the client is gone
        }
    }

    private void handleApi(HttpExchange exchange, String method, String path) throws IOException, Refusal {
        if (!(path.equals("/v1") || path.startsWith("/v1/"))) {
            throw new Refusal(404, "Not Found");
        }
        if (!authorized(exchange)) {
            authFailures.incrementAndGet();
            throw new Refusal(401, UNAUTHORIZED);
        }
        if (path.equals("/v1/sessions") || path.equals("/v1/sessions/")) {
            allow(method, "POST");
            Session session = create(SandboxHttp.readSmallJson(exchange, SMALL_BODY_LIMIT));
            sendSession(exchange, 200, session);
            return;
        }
        if (path.equals("/v1/callbacks") || path.equals("/v1/callbacks/")) {
            allow(method, "GET", "POST");
            if (method.equals("POST")) {
                SandboxHttp.sendJson(exchange, 200, callbackJson(register(SandboxHttp.readSmallJson(exchange, SMALL_BODY_LIMIT))));
            } else {
                ArrayNode list = SandboxHttp.MAPPER.createArrayNode();
                synchronized (lock) {
                    callbacks.values().forEach(callback -> list.add(callbackJson(callback)));
                }
                SandboxHttp.sendJson(exchange, 200, list);
            }
            return;
        }
        Matcher m = CALLBACK.matcher(path);
        if (m.matches()) {
            allow(method, "GET", "DELETE");
            long id = Long.parseLong(m.group(1));
            synchronized (lock) {
                Callback callback = callbacks.get(id);
                if (callback == null) {
                    throw new Refusal(404, "Callback " + id + " cannot be found.");
                }
                if (method.equals("DELETE")) {
                    callbacks.remove(id);
                    persist();
                }
                SandboxHttp.sendJson(exchange, 200, callbackJson(callback));
            }
            return;
        }
        m = SESSION.matcher(path);
        if (!m.matches()) {
            throw new Refusal(404, "Not Found");
        }
        allow(method, "GET");
        String key = SandboxHttp.decodePathSegment(m.group(1));
        String part = m.group(2) == null ? "" : m.group(2);
        if (part.equals("/photos")) {
            photoRequests.incrementAndGet();
        }
        String base = baseUrl();
        JsonNode answer;
        int status = 200;
        synchronized (lock) {
            Session session = requireSession(key);
            switch (part) {
                case "/photos":
                    answer = photosJson(session, base);
                    break;
                case "/notes":
                    answer = SandboxHttp.MAPPER.createArrayNode();
                    break;
                case "/results":
                    if (session.status.equals("COMPLETE")) {
                        answer = resultsJson(session);
                    } else {
                        answer = SandboxHttp.message(NOT_COMPLETED);
                        status = NOT_COMPLETED_STATUS;
                    }
                    break;
                default:
                    answer = sessionJson(session, base);
            }
        }
        SandboxHttp.sendJson(exchange, status, answer);
    }

    private void sendSession(HttpExchange exchange, int status, Session session) throws IOException {
        ObjectNode json;
        synchronized (lock) {
            json = sessionJson(session, baseUrl());
        }
        SandboxHttp.sendJson(exchange, status, json);
    }

    private static void allow(String method, String... methods) throws Refusal {
        for (String allowed : methods) {
            if (allowed.equals(method)) {
                return;
            }
        }
        throw new Refusal(405, "Method Not Allowed");
    }

    /** Checks API-Key, API-Timestamp (parseable, within maxClockSkew) and API-Token (constant-time); never logs them. */
    private boolean authorized(HttpExchange exchange) {
        String key = exchange.getRequestHeaders().getFirst("API-Key");
        String token = exchange.getRequestHeaders().getFirst("API-Token");
        String timestamp = exchange.getRequestHeaders().getFirst("API-Timestamp");
        if (key == null || token == null || timestamp == null) {
            return false;
        }
        boolean keyOk = MessageDigest.isEqual(key.getBytes(StandardCharsets.UTF_8), settings.apiKey().getBytes(StandardCharsets.UTF_8));
        String expected = token(settings.username(), settings.apiKey(), settings.apiSecret(), timestamp);
        boolean tokenOk = MessageDigest.isEqual(expected.getBytes(StandardCharsets.UTF_8), token.getBytes(StandardCharsets.UTF_8));
        if (!(keyOk && tokenOk)) {
            return false;
        }
        try {
            Instant at = Instant.parse(timestamp);
            return Duration.between(at, Instant.now()).abs().compareTo(settings.maxClockSkew()) <= 0;
        } catch (DateTimeParseException e) {
            return false;
        }
    }

    // ------------------------------------------------------------------ admin

    private void handleSandbox(HttpExchange exchange, String method, String path) throws IOException, Refusal {
        if (!exchange.getRemoteAddress().getAddress().isLoopbackAddress()) {
            throw new Refusal(403, "The sandbox admin API answers on loopback only.");
        }
        Matcher m = PHOTO.matcher(path);
        if (m.matches()) {
            allow(method, "GET");
            photo(exchange, SandboxHttp.decodePathSegment(m.group(1)), m.group(2));
            return;
        }
        m = ADMIN_SESSION.matcher(path);
        if (m.matches()) {
            allow(method, "POST");
            String key = SandboxHttp.decodePathSegment(m.group(1));
            JsonNode body = SandboxHttp.readSmallJson(exchange, SMALL_BODY_LIMIT);
            if (m.group(2).equals("captures")) {
                adminCapture(exchange, key, body);
            } else {
                changeStatus(key, text(body, "status"));
                synchronized (lock) {
                    SandboxHttp.sendJson(exchange, 200, sessionJson(requireSession(key), baseUrl()));
                }
            }
            return;
        }
        switch (path) {
            case "/sandbox/health":
                allow(method, "GET");
                SandboxHttp.sendJson(exchange, 200, SandboxHttp.object().put("status", "UP"));
                break;
            case "/sandbox/sessions":
                allow(method, "POST");
                sendSession(exchange, 201, create(SandboxHttp.readSmallJson(exchange, SMALL_BODY_LIMIT)));
                break;
            case "/sandbox/faults":
                allow(method, "POST", "DELETE");
                if (method.equals("DELETE")) {
                    SandboxHttp.drain(exchange, SMALL_BODY_LIMIT);
                    faults.clear();
                } else {
                    try {
                        faults.configure(SandboxHttp.readSmallJson(exchange, SMALL_BODY_LIMIT));
                    } catch (IllegalArgumentException e) {
                        throw new Refusal(400, e.getMessage());
                    }
                }
                SandboxHttp.sendNoContent(exchange);
                break;
            default:
                throw new Refusal(404, "No sandbox route " + path);
        }
    }

    /** {"photo_code":2,"approved":false,"reason":"Wrong View"} -> 201 with the new /photos entry. */
    private void adminCapture(HttpExchange exchange, String key, JsonNode body) throws IOException, Refusal {
        JsonNode code = body == null ? null : body.get("photo_code");
        JsonNode approved = body == null ? null : body.get("approved");
        if (code == null || !code.canConvertToInt() || !code.isIntegralNumber()) {
            throw new Refusal(400, "The photo_code field is required and must be an integer.");
        }
        if (approved != null && !approved.isBoolean()) {
            throw new Refusal(400, "The approved field must be a boolean.");
        }
        Capture capture = addCapture(key, code.intValue(), approved == null || approved.booleanValue(), text(body, "reason"), null);
        ArrayNode photos;
        synchronized (lock) {
            photos = photosJson(requireSession(key), baseUrl());
        }
        SandboxHttp.sendJson(exchange, 201, photos.get(capture.n() - 1));
    }

    private void photo(HttpExchange exchange, String key, String n) throws IOException, Refusal {
        Path file = null;
        synchronized (lock) {
            Session session = key == null ? null : sessions.get(key);
            if (session != null) {
                try {
                    int index = Integer.parseInt(n);
                    if (index >= 1 && index <= session.captures.size()) {
                        file = photoFile(requireRoot(), key, index);
                    }
                } catch (NumberFormatException e) {
                    file = null;
                }
            }
        }
        if (file == null || !Files.exists(file)) {
            throw new Refusal(404, "Photo not found.");
        }
        SandboxHttp.sendBytes(exchange, 200, "image/jpeg", Files.readAllBytes(file));
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
}
