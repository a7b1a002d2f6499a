package io.photobridge.sandbox;

import java.io.ByteArrayOutputStream;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.atomic.AtomicInteger;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpHandler;
import com.sun.net.httpserver.HttpServer;
import org.slf4j.LoggerFactory;

/**
 * HTTP helpers shared by the sandboxes.
 */
final class SandboxHttp {

    static final ObjectMapper MAPPER = new ObjectMapper();

    private SandboxHttp() {
    }

    /**
     * Asks the JDK's HTTP server for TCP_NODELAY unless configured otherwise: it writes headers and body separately, so with
     * Nagle's algorithm every answer waits for the client's delayed ACK (about 40 ms a request). Only effective when called
     * before the first JDK HttpServer of the JVM is created.
     */
    static void preferNoDelay() {
        if (System.getProperty("sun.net.httpserver.nodelay") == null) {
            System.setProperty("sun.net.httpserver.nodelay", "true");
        }
    }

    static ObjectNode object() {
        return MAPPER.createObjectNode();
    }

    static ObjectNode message(String message) {
        return object().put("message", message);
    }

    /** Laravel's validation answer: the first message (plus "(and N more errors)") and every message by field. */
    static ObjectNode validationErrors(Map<String, List<String>> errors) {
        ObjectNode body = object();
        int total = errors.values().stream().mapToInt(List::size).sum();
        String first = errors.values().iterator().next().get(0);
        int more = total - 1;
        if (more > 0) {
            first = first + " (and " + more + " more error" + (more == 1 ? "" : "s") + ")";
        }
        body.put("message", first);
        ObjectNode byField = body.putObject("errors");
        errors.forEach((field, messages) -> {
            ArrayNode list = byField.putArray(field);
            messages.forEach(list::add);
        });
        return body;
    }

    static void sendJson(HttpExchange exchange, int status, JsonNode body) throws IOException {
        sendBytes(exchange, status, "application/json", MAPPER.writeValueAsBytes(body));
    }

    static void sendMessage(HttpExchange exchange, int status, String message) throws IOException {
        sendJson(exchange, status, message(message));
    }

    static void sendBytes(HttpExchange exchange, int status, String contentType, byte[] bytes) throws IOException {
        if (FaultInjector.answerLost(exchange)) {
            exchange.close();
            return;
        }
        exchange.getResponseHeaders().set("Content-Type", contentType);
        if (bytes.length == 0) {
            exchange.sendResponseHeaders(status, -1);
            return;
        }
        exchange.sendResponseHeaders(status, bytes.length);
        try (OutputStream out = exchange.getResponseBody()) {
            out.write(bytes);
        }
    }

    static void sendNoContent(HttpExchange exchange) throws IOException {
        if (FaultInjector.answerLost(exchange)) {
            exchange.close();
            return;
        }
        exchange.sendResponseHeaders(204, -1);
    }

    /** Reads and discards the rest of the request body, so that the client can read the answer. */
    static void drain(HttpExchange exchange) throws IOException {
        exchange.getRequestBody().transferTo(OutputStream.nullOutputStream());
    }

    /** Reads and discards at most {@code max} bytes of the request body; true when the body was read to its end. */
    static boolean drain(HttpExchange exchange, long max) {
        try {
            InputStream in = exchange.getRequestBody();
            byte[] buffer = new byte[8192];
            long left = max;
            while (left > 0) {
                int n = in.read(buffer, 0, (int) Math.min(buffer.length, left));
                if (n < 0) {
                    return true;
                }
                left -= n;
            }
            return in.read() < 0;
        } catch (IOException e) {
            return false;
        }
    }

    /** The declared Content-Length, or -1. */
    static long contentLength(HttpExchange exchange) {
        String value = exchange.getRequestHeaders().getFirst("Content-Length");
        if (value == null) {
            return -1;
        }
        try {
            return Long.parseLong(value.trim());
        } catch (NumberFormatException e) {
            return -1;
        }
    }

    /** Reads a small JSON body; null when it is empty or not JSON. */
    static JsonNode readSmallJson(HttpExchange exchange, long limit) throws IOException {
        if (contentLength(exchange) > limit) {
            throw new BodyTooLargeException(limit);
        }
        ByteArrayOutputStream buffer = new ByteArrayOutputStream();
        try (InputStream in = new LimitedInputStream(exchange.getRequestBody(), limit)) {
            in.transferTo(buffer);
        }
        if (buffer.size() == 0) {
            return null;
        }
        try {
            return MAPPER.readTree(buffer.toByteArray());
        } catch (IOException e) {
            return null;
        }
    }

    /** Percent-encodes one URL path segment (RFC 3986 unreserved characters stay). */
    static String encodePathSegment(String segment) {
        StringBuilder out = new StringBuilder();
        for (byte b : segment.getBytes(StandardCharsets.UTF_8)) {
            int c = b & 0xFF;
            if (c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9'
                    || c == '-' || c == '.' || c == '_' || c == '~') {
                out.append((char) c);
            } else {
                out.append('%').append(Character.toUpperCase(Character.forDigit(c >> 4, 16)))
                        .append(Character.toUpperCase(Character.forDigit(c & 0xF, 16)));
            }
        }
        return out.toString();
    }

    /** Decodes a percent-encoded URL path segment; null when malformed. */
    static String decodePathSegment(String raw) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (int i = 0; i < raw.length(); i++) {
            char c = raw.charAt(i);
            if (c == '%') {
                if (i + 2 >= raw.length()) {
                    return null;
                }
                int hi = Character.digit(raw.charAt(i + 1), 16);
                int lo = Character.digit(raw.charAt(i + 2), 16);
                if (hi < 0 || lo < 0) {
                    return null;
                }
                out.write(hi << 4 | lo);
                i += 2;
            } else {
                byte[] bytes = String.valueOf(c).getBytes(StandardCharsets.UTF_8);
                out.write(bytes, 0, bytes.length);
            }
        }
        return out.toString(StandardCharsets.UTF_8);
    }

    /** A request body is larger than allowed. */
    /** A sandbox's started HTTP server, the threads answering it, and its root URL. */
    record Listening(HttpServer server, ExecutorService executor, String baseUrl) {
    }

    /** Binds and starts a sandbox's HTTP server on host:port (0 = any free port), answered by a pool of daemon threads. */
    static Listening listen(String host, int port, HttpHandler handler, int threads, String threadPrefix) throws IOException {
        InetAddress address = InetAddress.getByName(host);
        HttpServer server = HttpServer.create(new InetSocketAddress(address, port), 128);
        server.createContext("/", exchange -> {
            try {
                handler.handle(exchange);
            } finally {
                FaultInjector.finished(exchange);
            }
        });
        ExecutorService executor = Executors.newFixedThreadPool(threads, threadFactory(threadPrefix));
        server.setExecutor(executor);
        server.start();
        String shown = address.isAnyLocalAddress() ? "127.0.0.1" : host.contains(":") ? "[" + host + "]" : host;
        return new Listening(server, executor, "http://" + shown + ":" + server.getAddress().getPort());
    }

    /** Daemon threads named prefix + n, for a sandbox's server and timers. */
    static ThreadFactory threadFactory(String prefix) {
        AtomicInteger count = new AtomicInteger();
        return runnable -> {
            Thread thread = new Thread(runnable, prefix + count.incrementAndGet());
            thread.setDaemon(true);
            return thread;
        };
    }

    /** Deletes a sandbox's temporary folder and everything in it; a failure is logged, not thrown. */
    static void deleteRecursively(Path root) {
        try {
            Files.walkFileTree(root, new SimpleFileVisitor<>() {
                @Override
                public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) throws IOException {
                    Files.deleteIfExists(file);
                    return FileVisitResult.CONTINUE;
                }

                @Override
                public FileVisitResult postVisitDirectory(Path dir, IOException e) throws IOException {
                    Files.deleteIfExists(dir);
                    return FileVisitResult.CONTINUE;
                }
            });
        } catch (IOException e) {
            LoggerFactory.getLogger(SandboxHttp.class).warn("Cannot delete the sandbox's temporary directory {}: {}", root, e.toString());
        }
    }

    static final class BodyTooLargeException extends IOException {
        private static final long serialVersionUID = 1L;

        BodyTooLargeException(long limit) {
            super("request body larger than " + limit + " bytes");
        }
    }

    /** Fails with {@link BodyTooLargeException} once more than {@code limit} bytes were read. */
    static final class LimitedInputStream extends FilterInputStream {
        private final long limit;
        private long count;

        LimitedInputStream(InputStream in, long limit) {
            super(in);
            this.limit = limit;
        }

        @Override
        public int read() throws IOException {
            int b = super.read();
            if (b >= 0) {
                count(1);
            }
            return b;
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            int n = super.read(b, off, len);
            if (n > 0) {
                count(n);
            }
            return n;
        }

        @Override
        public long skip(long n) throws IOException {
            long skipped = super.skip(n);
            count(skipped);
            return skipped;
        }

        private void count(long n) throws BodyTooLargeException {
            count += n;
            if (count > limit) {
                throw new BodyTooLargeException(limit);
            }
        }
    }
}
