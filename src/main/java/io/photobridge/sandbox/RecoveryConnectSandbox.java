package io.photobridge.sandbox;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.time.format.ResolverStyle;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.LongStream;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.photobridge.sandbox.PhotoStore.Entry;
import io.photobridge.sandbox.SandboxHttp.BodyTooLargeException;
import io.photobridge.sandbox.SandboxHttp.LimitedInputStream;
import org.apache.camel.Service;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** In-process simulator of MBSI RecoveryConnect's photo API, for the embedded default, tests and benchmarks. */
public final class RecoveryConnectSandbox implements Service, AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(RecoveryConnectSandbox.class);

    /** The first photo id a fresh sandbox hands out. */
    public static final long FIRST_PHOTO_ID = 180461380L;
    /** The employee every photo is "uploaded_by". */
    public static final long UPLOADER_ID = 900001L;
    /** Lifetime of photo_url links, as X-Amz-Expires. */
    public static final int PHOTO_URL_EXPIRES_SECONDS = 1800;

    private static final long COMPANY_ID = 10004L;
    private static final int THREADS = 16;
    private static final long SMALL_BODY_LIMIT = 1024 * 1024;
    private static final Pattern VERSIONED = Pattern.compile("^/api/v\\d+(/.*)?$");
    private static final Pattern ORDER_PHOTOS = Pattern.compile("^/orders/([^/]+)/photos/?$");
    private static final Pattern ORDER_PHOTO = Pattern.compile("^/orders/([^/]+)/photos/([^/]+)/?$");
    private static final Pattern FILE = Pattern.compile("^/sandbox/files/([^/]+)/([^/]+)$");
    private static final Pattern ADMIN_ORDER_PHOTO = Pattern.compile("^/sandbox/orders/([^/]+)/photos/([^/]+)$");
    private static final Pattern EXTENSION = Pattern.compile(".+\\.[A-Za-z0-9]{1,5}$");
    private static final DateTimeFormatter SQL_TIME =
            DateTimeFormatter.ofPattern("uuuu-MM-dd HH:mm:ss").withResolverStyle(ResolverStyle.STRICT);
    private static final DateTimeFormatter ISO_MICROS =
            DateTimeFormatter.ofPattern("uuuu-MM-dd'T'HH:mm:ss'.000000Z'").withZone(ZoneOffset.UTC);
    private static final DateTimeFormatter AMZ_DATE =
            DateTimeFormatter.ofPattern("uuuuMMdd'T'HHmmss'Z'").withZone(ZoneOffset.UTC);

    static {
        SandboxHttp.preferNoDelay();
    }

    /**
     * host: bind address (127.0.0.1); port: 0 = any free port; dataDir: where photos and their metadata persist (null = a temp dir deleted on stop);
     * username/password: accepted by POST /api/{version}/auth; staticToken: a bearer always accepted (null = none); tokenTtl: lifetime of tokens issued by /auth;
     * orders: the order ids that exist; maxBodyBytes: larger request bodies answer 413.
     */
    public record Settings(String host, int port, Path dataDir, String username, String password, String staticToken,
                           Duration tokenTtl, List<Long> orders, long maxBodyBytes) {

        public Settings {
            Objects.requireNonNull(host, "host");
            Objects.requireNonNull(username, "username");
            Objects.requireNonNull(password, "password");
            Objects.requireNonNull(tokenTtl, "tokenTtl");
            Objects.requireNonNull(orders, "orders");
            if (port < 0 || port > 65535) {
                throw new IllegalArgumentException("port must be between 0 and 65535");
            }
            if (tokenTtl.isNegative() || tokenTtl.isZero()) {
                throw new IllegalArgumentException("tokenTtl must be positive");
            }
            if (maxBodyBytes < 1) {
                throw new IllegalArgumentException("maxBodyBytes must be positive");
            }
            if (staticToken != null && staticToken.isBlank()) {
                staticToken = null;
            }
            orders = List.copyOf(orders);
        }

        /** Loopback, any free port, temp dir, user "sandbox@example.com" / "sandbox", static token "sandbox-demo-token", 1 h tokens, orders 57076501..57076505, 200 MB. */
        public static Settings defaults() {
            return new Settings("127.0.0.1", 0, null, "sandbox@example.com", "sandbox", "sandbox-demo-token",
                    Duration.ofHours(1), LongStream.rangeClosed(57076501L, 57076505L).boxed().collect(Collectors.toList()),
                    200L * 1024 * 1024);
        }

        public Settings withHost(String host) {
            return new Settings(host, port, dataDir, username, password, staticToken, tokenTtl, orders, maxBodyBytes);
        }

        public Settings withPort(int port) {
            return new Settings(host, port, dataDir, username, password, staticToken, tokenTtl, orders, maxBodyBytes);
        }

        public Settings withDataDir(Path dataDir) {
            return new Settings(host, port, dataDir, username, password, staticToken, tokenTtl, orders, maxBodyBytes);
        }

        public Settings withCredentials(String username, String password) {
            return new Settings(host, port, dataDir, username, password, staticToken, tokenTtl, orders, maxBodyBytes);
        }

        public Settings withStaticToken(String staticToken) {
            return new Settings(host, port, dataDir, username, password, staticToken, tokenTtl, orders, maxBodyBytes);
        }

        public Settings withTokenTtl(Duration tokenTtl) {
            return new Settings(host, port, dataDir, username, password, staticToken, tokenTtl, orders, maxBodyBytes);
        }

        public Settings withOrders(List<Long> orders) {
            return new Settings(host, port, dataDir, username, password, staticToken, tokenTtl, orders, maxBodyBytes);
        }

        public Settings withMaxBodyBytes(long maxBodyBytes) {
            return new Settings(host, port, dataDir, username, password, staticToken, tokenTtl, orders, maxBodyBytes);
        }

        @Override
        public String toString() {
            return "Settings[host=" + host + ", port=" + port + ", dataDir=" + dataDir + ", username=" + username
                    + ", password=***, staticToken=" + (staticToken == null ? "none" : "***") + ", tokenTtl=" + tokenTtl
                    + ", orders=" + orders + ", maxBodyBytes=" + maxBodyBytes + "]";
        }
    }

    private final Settings settings;
    private final FaultInjector faults = new FaultInjector();
    private final SecureRandom random = new SecureRandom();
    private final byte[] urlKey = new byte[32];
    private final Set<Long> orders = ConcurrentHashMap.newKeySet();
    private final Set<Long> addedOrders = ConcurrentHashMap.newKeySet();
    private final Map<Long, Entry> photosById = new ConcurrentHashMap<>();
    private final Map<Long, ConcurrentSkipListMap<Long, Entry>> photosByOrder = new ConcurrentHashMap<>();
    private final Map<String, Instant> tokens = new ConcurrentHashMap<>();
    private final AtomicLong nextId = new AtomicLong(FIRST_PHOTO_ID);
    private final AtomicInteger createRequests = new AtomicInteger();
    private final AtomicInteger createdPhotos = new AtomicInteger();

    private HttpServer server;
    private ExecutorService executor;
    private Path tempRoot;
    private volatile PhotoStore store;
    private volatile String baseUrl;

    /** A stopped sandbox with these settings: nothing listens until {@link #start()}. */
    public RecoveryConnectSandbox(Settings settings) {
        this.settings = Objects.requireNonNull(settings, "settings");
        this.orders.addAll(settings.orders());
        this.random.nextBytes(urlKey);
    }

    /** Loads the photos kept in the data directory and starts answering on the configured address; does nothing when already started. */
    @Override
    public synchronized void start() {
        if (server != null) {
            return;
        }
        try {
            Path root;
            if (settings.dataDir() == null) {
                tempRoot = Files.createTempDirectory("recoveryconnect-sandbox-");
                root = tempRoot;
            } else {
                root = settings.dataDir();
            }
            PhotoStore opened = new PhotoStore(root.resolve("recoveryconnect"));
            load(opened);
            SandboxHttp.Listening listening = SandboxHttp.listen(settings.host(), settings.port(), this::handle, THREADS,
                    "recoveryconnect-sandbox-");
            HttpServer created = listening.server();
            executor = listening.executor();
            baseUrl = listening.baseUrl();
            store = opened;
            server = created;
            LOG.info("RecoveryConnect sandbox listening on {} with {} photos", baseUrl, photosById.size());
        } catch (IOException e) {
            cleanUp();
            throw new UncheckedIOException("Cannot start the RecoveryConnect sandbox on " + settings.host() + ":" + settings.port(), e);
        }
    }

    /** Stops answering and frees the port; with no data directory, deletes the temporary one; does nothing when stopped. */
    @Override
    public synchronized void stop() {
        if (server == null) {
            return;
        }
        server.stop(0);
        server = null;
        cleanUp();
        LOG.debug("RecoveryConnect sandbox stopped");
    }

    @Override
    public void close() {
        stop();
    }

    /** The sandbox's root URL, e.g. {@code http://127.0.0.1:41234}; only while started. */
    public String baseUrl() {
        String url = baseUrl;
        if (url == null) {
            throw new IllegalStateException("The RecoveryConnect sandbox is not started");
        }
        return url;
    }

    public FaultInjector faults() {
        return faults;
    }

    /** The current photos of an order, oldest first. */
    public List<StoredPhoto> photos(long orderId) {
        ConcurrentSkipListMap<Long, Entry> photos = photosByOrder.get(orderId);
        if (photos == null) {
            return List.of();
        }
        return photos.values().stream().map(Entry::photo).collect(Collectors.toUnmodifiableList());
    }

    public Optional<StoredPhoto> photo(long attachmentId) {
        return Optional.ofNullable(photosById.get(attachmentId)).map(Entry::photo);
    }

    /** The file holding the stored (decoded) bytes of a photo. */
    public Path file(long attachmentId) {
        PhotoStore current = requireStore();
        if (!photosById.containsKey(attachmentId)) {
            throw new NoSuchElementException("No photo " + attachmentId);
        }
        return current.bin(attachmentId);
    }

    /** Number of POST .../orders/{id}/photos requests that reached the create handler (after auth), whatever their outcome. */
    public int createRequests() {
        return createRequests.get();
    }

    /** Number of photos successfully created by POST (not by seedPhoto, not by transfer). */
    public int createdPhotos() {
        return createdPhotos.get();
    }

    /** Stores a photo as if it had been uploaded earlier (after start); the order must exist, the bytes must be an image. */
    public StoredPhoto seedPhoto(long orderId, String fileName, int typeId, byte[] bytes, String pictureTime) {
        PhotoStore current = requireStore();
        if (!orders.contains(orderId)) {
            throw new IllegalArgumentException("Order " + orderId + " does not exist: addOrder it first");
        }
        if (!PhotoTypes.exists(typeId)) {
            throw new IllegalArgumentException("Unknown photo type " + typeId);
        }
        if (fileName == null || fileName.isBlank()) {
            throw new IllegalArgumentException("fileName is required");
        }
        if (pictureTime == null || CreatePhotoRequest.parsePictureTime(pictureTime) == null) {
            throw new IllegalArgumentException("pictureTime must be yyyy-MM-dd HH:mm:ss or dd-MM-yyyy HH:mm");
        }
        try {
            Path upload = current.newTempFile();
            try {
                DigestingOutputStream out = new DigestingOutputStream(Files.newOutputStream(upload));
                try (out) {
                    out.write(bytes);
                }
                if (out.format() == null) {
                    throw new IllegalArgumentException("The bytes are not a JPEG, PNG, HEIC/HEIF or GIF image");
                }
                Entry entry = newEntry(orderId, typeId, fileName, fileName, pictureTime, out, null);
                current.commit(upload, entry);
                index(entry);
                return entry.photo();
            } finally {
                Files.deleteIfExists(upload);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Deletes a photo of an order, as a user deleting it in RecoveryConnect would; false when the order has no such photo. */
    public boolean deletePhoto(long orderId, long photoId) {
        PhotoStore current = requireStore();
        Entry entry = photosById.get(photoId);
        if (entry == null || entry.photo().orderId() != orderId) {
            return false;
        }
        try {
            current.delete(photoId);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        photosById.remove(photoId);
        ConcurrentSkipListMap<Long, Entry> ofOrder = photosByOrder.get(orderId);
        if (ofOrder != null) {
            ofOrder.remove(photoId);
        }
        return true;
    }

    /** Makes every token issued so far by /auth answer 401 from now on; the static token keeps working. */
    public void expireTokens() {
        tokens.clear();
    }

    /** Makes an order exist (kept in the data directory). */
    public synchronized void addOrder(long orderId) {
        orders.add(orderId);
        if (!settings.orders().contains(orderId) && addedOrders.add(orderId) && store != null) {
            saveAddedOrders(store);
        }
    }

    /** A photo_url for this photo as if signed at {@code signedAt}: e.g. 31 minutes ago gives an expired link. */
    public String photoUrl(long attachmentId, Instant signedAt) {
        Entry entry = photosById.get(attachmentId);
        if (entry == null) {
            throw new NoSuchElementException("No photo " + attachmentId);
        }
        String date = AMZ_DATE.format(signedAt);
        String expires = String.valueOf(PHOTO_URL_EXPIRES_SECONDS);
        return baseUrl() + "/sandbox/files/" + attachmentId + "/" + SandboxHttp.encodePathSegment(entry.photo().fileName())
                + "?X-Amz-Date=" + date + "&X-Amz-Expires=" + expires
                + "&X-Amz-Signature=" + sign(attachmentId, date, expires);
    }

    // ------------------------------------------------------------------ lifecycle helpers

    private void load(PhotoStore opened) throws IOException {
        PhotoStore.Loaded loaded = opened.load();
        photosById.clear();
        photosByOrder.clear();
        loaded.entries().forEach(this::index);
        loaded.entries().forEach(entry -> orders.add(entry.photo().orderId()));
        orders.addAll(loaded.addedOrders());
        addedOrders.addAll(loaded.addedOrders());
        orders.addAll(addedOrders);
        nextId.set(Math.max(FIRST_PHOTO_ID, loaded.highestId() + 1));
        if (!addedOrders.isEmpty()) {
            saveAddedOrders(opened);
        }
    }

    private void saveAddedOrders(PhotoStore target) {
        try {
            target.saveAddedOrders(addedOrders);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private void cleanUp() {
        if (executor != null) {
            executor.shutdownNow();
            try {
                if (!executor.awaitTermination(5, TimeUnit.SECONDS)) {
                    LOG.warn("RecoveryConnect sandbox threads still busy after stop");
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            executor = null;
        }
        baseUrl = null;
        if (tempRoot != null) {
            store = null;
            SandboxHttp.deleteRecursively(tempRoot);
            tempRoot = null;
            photosById.clear();
            photosByOrder.clear();
        }
    }

    private PhotoStore requireStore() {
        PhotoStore current = store;
        if (current == null) {
            throw new IllegalStateException("The RecoveryConnect sandbox is not started");
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
            answerIfPossible(exchange, 500, "Server Error");
        } catch (RuntimeException e) {
            LOG.warn("RecoveryConnect sandbox failed on {} {}", method, path, e);
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
            exchange.getResponseHeaders().set("Connection", "close");
            SandboxHttp.sendMessage(exchange, status, message);
        } catch (IOException e) {
            // the client is gone
        }
    }

    private void handleApi(HttpExchange exchange, String method, String path) throws IOException {
        Matcher versioned = VERSIONED.matcher(path);
        String rest = versioned.matches() && versioned.group(1) != null ? versioned.group(1) : null;
        if (rest == null) {
            routeNotFound(exchange, path);
            return;
        }
        if (rest.equals("/auth")) {
            if (allowed(exchange, method, path, "POST")) {
                authenticate(exchange);
            }
            return;
        }
        if (rest.equals("/photo-types")) {
            if (allowed(exchange, method, path, "GET") && authorized(exchange)) {
                photoTypes(exchange);
            }
            return;
        }
        Matcher m = ORDER_PHOTOS.matcher(rest);
        if (m.matches()) {
            if (allowed(exchange, method, path, "GET", "POST") && authorized(exchange)) {
                if (method.equals("GET")) {
                    listPhotos(exchange, m.group(1));
                } else {
                    createPhoto(exchange, m.group(1));
                }
            }
            return;
        }
        m = ORDER_PHOTO.matcher(rest);
        if (m.matches()) {
            if (allowed(exchange, method, path, "GET", "PUT") && authorized(exchange)) {
                if (method.equals("GET")) {
                    showPhoto(exchange, m.group(1), m.group(2));
                } else if (m.group(2).equals("transfer")) {
                    transferAll(exchange, m.group(1));
                } else {
                    transferOne(exchange, m.group(1), m.group(2));
                }
            }
            return;
        }
        routeNotFound(exchange, path);
    }

    private static void routeNotFound(HttpExchange exchange, String path) throws IOException {
        SandboxHttp.sendMessage(exchange, 404, "The route " + path.replaceFirst("^/", "") + " could not be found.");
    }

    private static boolean allowed(HttpExchange exchange, String method, String path, String... methods) throws IOException {
        for (String allowed : methods) {
            if (allowed.equals(method)) {
                return true;
            }
        }
        SandboxHttp.sendMessage(exchange, 405, "The " + method + " method is not supported for route "
                + path.replaceFirst("^/", "") + ". Supported methods: " + String.join(", ", methods) + ".");
        return false;
    }

    // ------------------------------------------------------------------ auth

    private void authenticate(HttpExchange exchange) throws IOException {
        JsonNode body = SandboxHttp.readSmallJson(exchange, Math.min(SMALL_BODY_LIMIT, settings.maxBodyBytes()));
        String username = stringField(body, "username");
        String password = stringField(body, "password");
        Map<String, List<String>> errors = new LinkedHashMap<>();
        if (username == null) {
            errors.put("username", List.of("The username field is required."));
        }
        if (password == null) {
            errors.put("password", List.of("The password field is required."));
        }
        if (!errors.isEmpty()) {
            SandboxHttp.sendJson(exchange, 400, SandboxHttp.validationErrors(errors));
            return;
        }
        boolean userOk = MessageDigest.isEqual(username.getBytes(StandardCharsets.UTF_8), settings.username().getBytes(StandardCharsets.UTF_8));
        boolean passwordOk = MessageDigest.isEqual(password.getBytes(StandardCharsets.UTF_8), settings.password().getBytes(StandardCharsets.UTF_8));
        if (!(userOk && passwordOk)) {
            SandboxHttp.sendMessage(exchange, 401, "Invalid credentials.");
            return;
        }
        Instant now = Instant.now();
        if (tokens.size() > 10_000) {
            tokens.values().removeIf(expiry -> !expiry.isAfter(now));
        }
        String accessToken = randomToken();
        tokens.put(accessToken, now.plus(settings.tokenTtl()));
        ObjectNode answer = SandboxHttp.object();
        answer.put("token_type", "Bearer");
        answer.put("expires_in", settings.tokenTtl().toSeconds());
        answer.put("access_token", accessToken);
        answer.put("refresh_token", randomToken());
        SandboxHttp.sendJson(exchange, 200, answer);
    }

    private static String stringField(JsonNode body, String field) {
        if (body == null || !body.isObject()) {
            return null;
        }
        JsonNode value = body.get(field);
        if (value == null || value.isNull() || value.isContainerNode() || value.asText().isBlank()) {
            return null;
        }
        return value.asText();
    }

    private String randomToken() {
        byte[] bytes = new byte[48];
        random.nextBytes(bytes);
        return Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
    }

    private boolean authorized(HttpExchange exchange) throws IOException {
        String header = exchange.getRequestHeaders().getFirst("Authorization");
        if (header != null && header.regionMatches(true, 0, "Bearer ", 0, 7)) {
            String token = header.substring(7).trim();
            String staticToken = settings.staticToken();
            if (staticToken != null && MessageDigest.isEqual(token.getBytes(StandardCharsets.UTF_8), staticToken.getBytes(StandardCharsets.UTF_8))) {
                return true;
            }
            Instant expiry = tokens.get(token);
            if (expiry != null) {
                if (Instant.now().isBefore(expiry)) {
                    return true;
                }
                tokens.remove(token);
            }
        }
        SandboxHttp.drain(exchange, settings.maxBodyBytes());
        SandboxHttp.sendMessage(exchange, 401, "Unauthenticated.");
        return false;
    }

    // ------------------------------------------------------------------ photo endpoints

    private void photoTypes(HttpExchange exchange) throws IOException {
        ObjectNode answer = SandboxHttp.object();
        ArrayNode data = answer.putArray("data");
        PhotoTypes.ids().forEach(id -> data.add(PhotoTypes.json(id)));
        SandboxHttp.sendJson(exchange, 200, answer);
    }

    private void listPhotos(HttpExchange exchange, String rawOrderId) throws IOException {
        Long orderId = existingOrder(rawOrderId);
        if (orderId == null) {
            orderNotFound(exchange, rawOrderId);
            return;
        }
        ObjectNode answer = SandboxHttp.object();
        ArrayNode data = answer.putArray("data");
        ConcurrentSkipListMap<Long, Entry> photos = photosByOrder.get(orderId);
        if (photos != null) {
            photos.values().forEach(entry -> data.add(photoJson(entry)));
        }
        answer.putObject("meta").put("total", data.size());
        SandboxHttp.sendJson(exchange, 200, answer);
    }

    private void showPhoto(HttpExchange exchange, String rawOrderId, String rawPhotoId) throws IOException {
        Long orderId = existingOrder(rawOrderId);
        if (orderId == null) {
            orderNotFound(exchange, rawOrderId);
            return;
        }
        Entry entry = photoOfOrder(orderId, rawPhotoId);
        if (entry == null) {
            photoNotFound(exchange, rawPhotoId);
            return;
        }
        ObjectNode answer = SandboxHttp.object();
        answer.set("data", photoJson(entry));
        SandboxHttp.sendJson(exchange, 200, answer);
    }

    private void createPhoto(HttpExchange exchange, String rawOrderId) throws IOException {
        createRequests.incrementAndGet();
        Long orderId = existingOrder(rawOrderId);
        if (orderId == null) {
            SandboxHttp.drain(exchange, settings.maxBodyBytes());
            orderNotFound(exchange, rawOrderId);
            return;
        }
        if (SandboxHttp.contentLength(exchange) > settings.maxBodyBytes()) {
            throw new BodyTooLargeException(settings.maxBodyBytes());
        }
        PhotoStore current = requireStore();
        InputStream body = new LimitedInputStream(exchange.getRequestBody(), settings.maxBodyBytes());
        Path upload = current.newTempFile();
        try {
            CreatePhotoRequest request = CreatePhotoRequest.parse(body, upload);
            Map<String, List<String>> errors = request.errors();
            if (!errors.isEmpty()) {
                body.transferTo(OutputStream.nullOutputStream());
                SandboxHttp.sendJson(exchange, 400, SandboxHttp.validationErrors(errors));
                return;
            }
            Entry entry = newEntry(orderId, request.type(), request.fileName(), request.imageName(), request.pictureTime(),
                    request.data(), null);
            current.commit(upload, entry);
            index(entry);
            createdPhotos.incrementAndGet();
            ObjectNode answer = SandboxHttp.object();
            ObjectNode data = answer.putObject("data");
            data.put("order_id", String.valueOf(orderId));
            data.put("type", 0);
            data.put("case_attachment_type_id", entry.photo().typeId());
            data.putNull("recovery_has_damage_type_location_id");
            data.put("attachment_id", entry.photo().id());
            data.putNull("recovery_id");
            answer.put("status", "success");
            SandboxHttp.sendJson(exchange, 200, answer);
        } finally {
            Files.deleteIfExists(upload);
        }
    }

    private void transferOne(HttpExchange exchange, String rawOrderId, String rawPhotoId) throws IOException {
        Long orderId = existingOrder(rawOrderId);
        if (orderId == null) {
            SandboxHttp.drain(exchange, SMALL_BODY_LIMIT);
            orderNotFound(exchange, rawOrderId);
            return;
        }
        Entry entry = photoOfOrder(orderId, rawPhotoId);
        if (entry == null) {
            SandboxHttp.drain(exchange, SMALL_BODY_LIMIT);
            photoNotFound(exchange, rawPhotoId);
            return;
        }
        List<Long> destinations = transferDestinations(exchange);
        if (destinations == null) {
            return;
        }
        ObjectNode answer = SandboxHttp.object();
        ArrayNode ordersNode = answer.putArray("orders");
        for (long destination : destinations) {
            transferEntry(ordersNode, destination, entry);
        }
        SandboxHttp.sendJson(exchange, 200, answer);
    }

    private void transferAll(HttpExchange exchange, String rawOrderId) throws IOException {
        Long orderId = existingOrder(rawOrderId);
        if (orderId == null) {
            SandboxHttp.drain(exchange, SMALL_BODY_LIMIT);
            orderNotFound(exchange, rawOrderId);
            return;
        }
        List<Long> destinations = transferDestinations(exchange);
        if (destinations == null) {
            return;
        }
        ConcurrentSkipListMap<Long, Entry> photos = photosByOrder.get(orderId);
        List<Entry> snapshot = photos == null ? List.of() : List.copyOf(photos.values());
        ObjectNode answer = SandboxHttp.object();
        ArrayNode ordersNode = answer.putArray("orders");
        for (long destination : destinations) {
            for (Entry entry : snapshot) {
                transferEntry(ordersNode, destination, entry);
            }
        }
        SandboxHttp.sendJson(exchange, 200, answer);
    }

    private void transferEntry(ArrayNode ordersNode, long destination, Entry source) {
        boolean success = orders.contains(destination) && copyInto(destination, source);
        ObjectNode order = ordersNode.addObject();
        order.put("id", destination);
        order.putArray("attachments").addObject()
                .put("id", source.photo().id())
                .put("status", success ? "success" : "fail");
    }

    private boolean copyInto(long destination, Entry source) {
        StoredPhoto from = source.photo();
        long id = nextId.getAndIncrement();
        StoredPhoto copy = new StoredPhoto(id, destination, from.typeId(), from.typeName(), from.fileName(),
                from.requestedFileName(), from.imageName(), from.pictureTime(), from.sha256(), from.size(),
                from.orderId(), Instant.now().truncatedTo(ChronoUnit.SECONDS));
        Entry entry = new Entry(copy, source.format());
        try {
            requireStore().copy(from.id(), entry);
        } catch (IOException e) {
            LOG.warn("Sandbox transfer of photo {} to order {} failed: {}", from.id(), destination, e.toString());
            return false;
        }
        index(entry);
        return true;
    }

    /** The transfer_to ids, or null after answering 400. */
    private List<Long> transferDestinations(HttpExchange exchange) throws IOException {
        JsonNode body = SandboxHttp.readSmallJson(exchange, Math.min(SMALL_BODY_LIMIT, settings.maxBodyBytes()));
        JsonNode to = body != null && body.isObject() ? body.get("transfer_to") : null;
        Map<String, List<String>> errors = new LinkedHashMap<>();
        List<Long> destinations = new ArrayList<>();
        if (to == null || to.isNull() || to.isArray() && to.isEmpty() || to.isTextual() && to.asText().isBlank()) {
            errors.put("transfer_to", List.of("The transfer_to field is required."));
        } else if (!to.isArray()) {
            errors.put("transfer_to", List.of("The transfer_to field must be an array."));
        } else {
            for (int i = 0; i < to.size(); i++) {
                Long id = integer(to.get(i));
                if (id == null) {
                    errors.put("transfer_to." + i, List.of("The transfer_to." + i + " field must be an integer."));
                } else {
                    destinations.add(id);
                }
            }
        }
        if (!errors.isEmpty()) {
            SandboxHttp.sendJson(exchange, 400, SandboxHttp.validationErrors(errors));
            return null;
        }
        return destinations;
    }

    private static Long integer(JsonNode value) {
        if (value.isIntegralNumber() && value.canConvertToLong()) {
            return value.longValue();
        }
        if (value.isTextual() && value.asText().trim().matches("\\d{1,18}")) {
            return Long.parseLong(value.asText().trim());
        }
        return null;
    }

    private Long existingOrder(String raw) {
        try {
            long id = Long.parseLong(raw);
            return orders.contains(id) ? id : null;
        } catch (NumberFormatException e) {
            return null;
        }
    }

    private Entry photoOfOrder(long orderId, String rawPhotoId) {
        try {
            Entry entry = photosById.get(Long.parseLong(rawPhotoId));
            return entry != null && entry.photo().orderId() == orderId ? entry : null;
        } catch (NumberFormatException e) {
            return null;
        }
    }

    private static Long parseId(String raw) {
        try {
            return Long.parseLong(raw);
        } catch (NumberFormatException e) {
            return null;
        }
    }

    private static void orderNotFound(HttpExchange exchange, String rawOrderId) throws IOException {
        SandboxHttp.sendMessage(exchange, 404, "Order " + rawOrderId + " not found.");
    }

    private static void photoNotFound(HttpExchange exchange, String rawPhotoId) throws IOException {
        SandboxHttp.sendMessage(exchange, 404, "Photo " + rawPhotoId + " not found.");
    }

    // ------------------------------------------------------------------ photo records

    private Entry newEntry(long orderId, int typeId, String requestedFileName, String imageName, String pictureTime,
                           DigestingOutputStream data, Long parentOrderId) {
        ImageFormat format = data.format();
        String stored = UPLOADER_ID + "_" + requestedFileName
                + (EXTENSION.matcher(requestedFileName).matches() ? "" : "." + format.extension());
        StoredPhoto photo = new StoredPhoto(nextId.getAndIncrement(), orderId, typeId, PhotoTypes.name(typeId), stored,
                requestedFileName, imageName, pictureTime, data.sha256(), data.size(), parentOrderId,
                Instant.now().truncatedTo(ChronoUnit.SECONDS));
        return new Entry(photo, format);
    }

    private void index(Entry entry) {
        photosById.put(entry.photo().id(), entry);
        photosByOrder.computeIfAbsent(entry.photo().orderId(), id -> new ConcurrentSkipListMap<>()).put(entry.photo().id(), entry);
    }

    private ObjectNode photoJson(Entry entry) {
        StoredPhoto photo = entry.photo();
        ObjectNode item = SandboxHttp.object();
        item.put("id", photo.id());
        item.set("type", PhotoTypes.json(photo.typeId()));
        item.put("order_attachment_type_id", photo.typeId());
        item.putNull("recovery_has_damage_type_location_id");
        item.put("order_id", photo.orderId());
        item.put("name", PhotoTypes.attachmentName(photo.typeName()));
        item.put("photo_url", photoUrl(photo.id(), Instant.now()));
        item.put("filename", photo.fileName());
        item.set("uploaded_by", uploader());
        if (photo.parentAttachmentOrderId() == null) {
            item.putNull("parent_attachment_order_id");
        } else {
            item.put("parent_attachment_order_id", photo.parentAttachmentOrderId());
        }
        item.put("created_at", SQL_TIME.format(photo.createdAt().atOffset(ZoneOffset.UTC)));
        ObjectNode meta = item.putObject("meta");
        meta.put("lat", "0.00000000");
        meta.put("long", "0.00000000");
        LocalDateTime generated = CreatePhotoRequest.parsePictureTime(photo.pictureTime());
        meta.put("generated_at", generated == null ? photo.pictureTime() : SQL_TIME.format(generated));
        meta.put("created_at", ISO_MICROS.format(photo.createdAt()));
        return item;
    }

    private ObjectNode uploader() {
        ObjectNode employee = SandboxHttp.object();
        employee.put("id", UPLOADER_ID);
        employee.put("company_id", COMPANY_ID);
        employee.put("name", "Sandbox Forwarder");
        employee.put("firstname", "Sandbox");
        employee.put("lastname", "Forwarder");
        ObjectNode contact = employee.putObject("contact");
        contact.put("email", "forwarder@example.com");
        contact.putNull("mobile_phone");
        employee.putArray("roles").add("Administrator FWD").add("Field Agent");
        employee.put("self", baseUrl() + "/api/employees/" + UPLOADER_ID);
        employee.put("expand", "employee");
        return employee;
    }


    // ------------------------------------------------------------------ sandbox paths: files and admin

    private void handleSandbox(HttpExchange exchange, String method, String path) throws IOException {
        if (path.startsWith("/sandbox/files/")) {
            if (allowed(exchange, method, path, "GET")) {
                download(exchange, path);
            }
            return;
        }
        if (!exchange.getRemoteAddress().getAddress().isLoopbackAddress()) {
            SandboxHttp.sendMessage(exchange, 403, "The sandbox admin API answers on loopback only.");
            return;
        }
        Matcher orderPhoto = ADMIN_ORDER_PHOTO.matcher(path);
        if (orderPhoto.matches()) {
            if (allowed(exchange, method, path, "DELETE")) {
                Long orderId = parseId(orderPhoto.group(1));
                Long photoId = parseId(orderPhoto.group(2));
                if (orderId == null || photoId == null || !deletePhoto(orderId, photoId)) {
                    photoNotFound(exchange, orderPhoto.group(2));
                } else {
                    SandboxHttp.sendNoContent(exchange);
                }
            }
            return;
        }
        switch (path) {
            case "/sandbox/health":
                if (allowed(exchange, method, path, "GET")) {
                    SandboxHttp.sendJson(exchange, 200, SandboxHttp.object().put("status", "UP"));
                }
                break;
            case "/sandbox/faults":
                if (allowed(exchange, method, path, "POST", "DELETE")) {
                    if (method.equals("DELETE")) {
                        faults.clear();
                        SandboxHttp.sendNoContent(exchange);
                    } else {
                        configureFault(exchange);
                    }
                }
                break;
            case "/sandbox/orders":
                if (allowed(exchange, method, path, "POST")) {
                    JsonNode body = SandboxHttp.readSmallJson(exchange, SMALL_BODY_LIMIT);
                    Long id = body == null || !body.isObject() || !body.has("id") ? null : integer(body.get("id"));
                    if (id == null) {
                        SandboxHttp.sendMessage(exchange, 400, "The body must be {\"id\": <order id>}.");
                    } else {
                        addOrder(id);
                        SandboxHttp.sendNoContent(exchange);
                    }
                }
                break;
            case "/sandbox/tokens/expire":
                if (allowed(exchange, method, path, "POST")) {
                    expireTokens();
                    SandboxHttp.sendNoContent(exchange);
                }
                break;
            default:
                routeNotFound(exchange, path);
        }
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

    private void download(HttpExchange exchange, String path) throws IOException {
        Matcher m = FILE.matcher(path);
        long id;
        try {
            if (!m.matches()) {
                throw new NumberFormatException();
            }
            id = Long.parseLong(m.group(1));
        } catch (NumberFormatException e) {
            s3Error(exchange, 404, "NoSuchKey", "The specified key does not exist.");
            return;
        }
        Map<String, String> query = query(exchange.getRequestURI().getRawQuery());
        String date = query.get("X-Amz-Date");
        String expires = query.get("X-Amz-Expires");
        String signature = query.get("X-Amz-Signature");
        if (date == null || expires == null || signature == null) {
            s3Error(exchange, 403, "AccessDenied", "Query-string authentication requires the X-Amz-Date, X-Amz-Expires and X-Amz-Signature parameters");
            return;
        }
        if (!MessageDigest.isEqual(sign(id, date, expires).getBytes(StandardCharsets.US_ASCII), signature.getBytes(StandardCharsets.US_ASCII))) {
            s3Error(exchange, 403, "SignatureDoesNotMatch", "The request signature we calculated does not match the signature you provided.");
            return;
        }
        Instant signedAt;
        long seconds;
        try {
            signedAt = Instant.from(AMZ_DATE.parse(date));
            seconds = Long.parseLong(expires);
        } catch (DateTimeParseException | NumberFormatException e) {
            s3Error(exchange, 403, "AccessDenied", "X-Amz-Date or X-Amz-Expires is malformed");
            return;
        }
        if (Instant.now().isAfter(signedAt.plusSeconds(seconds))) {
            s3Error(exchange, 403, "AccessDenied", "Request has expired");
            return;
        }
        Entry entry = photosById.get(id);
        if (entry == null || !entry.photo().fileName().equals(SandboxHttp.decodePathSegment(m.group(2)))) {
            s3Error(exchange, 404, "NoSuchKey", "The specified key does not exist.");
            return;
        }
        Path file = requireStore().bin(id);
        exchange.getResponseHeaders().set("Content-Type", entry.format().contentType());
        exchange.getResponseHeaders().set("x-amz-meta-sha256", entry.photo().sha256());
        exchange.sendResponseHeaders(200, Files.size(file));
        try (OutputStream out = exchange.getResponseBody()) {
            Files.copy(file, out);
        }
    }

    private static Map<String, String> query(String rawQuery) {
        Map<String, String> params = new HashMap<>();
        if (rawQuery == null) {
            return params;
        }
        for (String pair : rawQuery.split("&")) {
            int eq = pair.indexOf('=');
            if (eq > 0) {
                String value = SandboxHttp.decodePathSegment(pair.substring(eq + 1));
                params.putIfAbsent(pair.substring(0, eq), value == null ? "" : value);
            }
        }
        return params;
    }

    private static void s3Error(HttpExchange exchange, int status, String code, String message) throws IOException {
        String xml = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<Error><Code>" + code + "</Code><Message>" + message
                + "</Message></Error>";
        SandboxHttp.sendBytes(exchange, status, "application/xml", xml.getBytes(StandardCharsets.UTF_8));
    }

    private String sign(long id, String date, String expires) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(urlKey, "HmacSHA256"));
            return HexFormat.of().formatHex(mac.doFinal((id + "\n" + date + "\n" + expires).getBytes(StandardCharsets.UTF_8)));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }
}
