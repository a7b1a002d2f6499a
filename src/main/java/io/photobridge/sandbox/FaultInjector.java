package io.photobridge.sandbox;

import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Iterator;
import java.util.LinkedList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Random;
import java.util.Set;
import java.util.WeakHashMap;
import java.util.concurrent.atomic.AtomicInteger;

import com.fasterxml.jackson.databind.JsonNode;
import com.sun.net.httpserver.HttpExchange;

/**
 * Switchable fault injection shared by the sandboxes: scripted or seeded-random 429, 5xx, slow answers, dropped connections, and
 * lost answers (the request is handled, then the connection is closed instead of answering).
 */
public final class FaultInjector {

    /** A fault to inject in place of (or before) the normal answer. */
    public sealed interface Fault permits Status, Slow, Drop, LostAnswer {
    }

    /** Answer with this status and {"message": message}; Retry-After header (seconds) when retryAfterSeconds != null. */
    public record Status(int code, String message, Integer retryAfterSeconds) implements Fault {
        public Status {
            if (code < 400 || code > 599) {
                throw new IllegalArgumentException("A fault status must be 4xx or 5xx, not " + code);
            }
            if (retryAfterSeconds != null && retryAfterSeconds < 0) {
                throw new IllegalArgumentException("retryAfterSeconds must not be negative");
            }
            if (message == null || message.isBlank()) {
                message = defaultMessage(code);
            }
        }

        /** This status with its usual message and no Retry-After. */
        public Status(int code) {
            this(code, null, null);
        }

        private static String defaultMessage(int code) {
            switch (code) {
                case 429: return "Too Many Attempts.";
                case 500: return "Server Error";
                case 502: return "Bad Gateway";
                case 503: return "Service Unavailable";
                case 504: return "Gateway Timeout";
                default: return code < 500 ? "Client Error" : "Server Error";
            }
        }
    }

    /** Wait this long, then answer normally. */
    public record Slow(Duration delay) implements Fault {
        public Slow {
            Objects.requireNonNull(delay, "delay");
            if (delay.isNegative()) {
                throw new IllegalArgumentException("delay must not be negative");
            }
        }
    }

    /** Close the connection without any answer. */
    public record Drop() implements Fault {
    }

    /** Handle the request as usual (an upload is accepted and stored), then close the connection instead of answering. */
    public record LostAnswer() implements Fault {
    }

    /** Exchanges whose answer is to be lost (not an exchange attribute: the JDK server keeps those per context, not per exchange). */
    private static final Set<HttpExchange> ANSWER_LOST = Collections.synchronizedSet(Collections.newSetFromMap(new WeakHashMap<>()));
    /** Slowed exchanges not finished yet, and the injector that slowed each. */
    private static final Map<HttpExchange, FaultInjector> SLOWED = Collections.synchronizedMap(new WeakHashMap<>());

    private final Object lock = new Object();
    private final LinkedList<Scripted> scripted = new LinkedList<>();
    private final List<RandomRule> randomRules = new ArrayList<>();
    private final AtomicInteger injected = new AtomicInteger();
    private final AtomicInteger slowInFlight = new AtomicInteger();

    /** The mix used by {@code {"kind":"random"}}: 429 (Retry-After 1), 503, 500, a 35 s slow answer and a dropped connection. */
    public static List<Fault> randomMix() {
        return List.of(new Status(429, null, 1), new Status(503), new Status(500),
                new Slow(Duration.ofSeconds(35)), new Drop());
    }

    /** Queues a fault for the next {@code times} requests whose path contains {@code pathContains} (null or empty: any path). */
    public void failNext(int times, String pathContains, Fault fault) {
        Objects.requireNonNull(fault, "fault");
        if (times < 1) {
            throw new IllegalArgumentException("times must be at least 1");
        }
        synchronized (lock) {
            scripted.addLast(new Scripted(normalize(pathContains), fault, times));
        }
    }

    /** Injects one of {@code faults}, picked by a seeded random, into each matching request with this probability. */
    public void randomly(double probability, long seed, String pathContains, List<Fault> faults) {
        if (!(probability >= 0.0 && probability <= 1.0)) {
            throw new IllegalArgumentException("probability must be between 0 and 1");
        }
        if (faults == null || faults.isEmpty()) {
            throw new IllegalArgumentException("faults must not be empty");
        }
        synchronized (lock) {
            randomRules.add(new RandomRule(probability, new Random(seed), normalize(pathContains), List.copyOf(faults)));
        }
    }

    /** Removes every scripted and random fault. */
    public void clear() {
        synchronized (lock) {
            scripted.clear();
            randomRules.clear();
        }
    }

    /** Number of faults injected so far. */
    public int injected() {
        return injected.get();
    }

    /** Requests slowed by a {@link Slow} fault whose handling has not finished: 0 once every late answer has landed. */
    public int slowInFlight() {
        return slowInFlight.get();
    }

    /**
     * Configures faults from an admin command such as {@code {"kind":"status","status":503,"times":2,"path":"/photos","retry_after":1}},
     * {@code {"kind":"slow","millis":3000}}, {@code {"kind":"drop"}}, {@code {"kind":"lost-answer","path":"/api/upload"}} or
     * {@code {"kind":"random","probability":0.2,"seed":42}}.
     */
    public void configure(JsonNode command) {
        if (command == null || !command.isObject()) {
            throw new IllegalArgumentException("The body must be a JSON object with a \"kind\".");
        }
        String kind = command.path("kind").asText("");
        String path = command.hasNonNull("path") ? command.get("path").asText() : null;
        switch (kind) {
            case "status":
                Integer retryAfter = command.hasNonNull("retry_after") ? intField(command, "retry_after") : null;
                String message = command.hasNonNull("message") ? command.get("message").asText() : null;
                failNext(times(command), path, new Status(requiredInt(command, "status"), message, retryAfter));
                break;
            case "slow":
                failNext(times(command), path, new Slow(Duration.ofMillis(requiredInt(command, "millis"))));
                break;
            case "drop":
                failNext(times(command), path, new Drop());
                break;
            case "lost-answer":
                failNext(times(command), path, new LostAnswer());
                break;
            case "random":
                JsonNode probability = command.get("probability");
                if (probability == null || !probability.isNumber()) {
                    throw new IllegalArgumentException("The probability field is required.");
                }
                long seed = command.hasNonNull("seed") ? command.get("seed").asLong() : 0L;
                randomly(probability.asDouble(), seed, path, randomMix());
                break;
            default:
                throw new IllegalArgumentException("The kind must be one of status, slow, drop, lost-answer, random.");
        }
    }

    /** Called first by a sandbox handler: true when the fault answered or dropped the exchange (the handler must then return), false to go on. */
    public boolean apply(HttpExchange exchange) throws IOException {
        String path = exchange.getRequestURI().getPath();
        if (isAdminPath(path)) {
            return false;
        }
        Fault fault = next(path);
        if (fault == null) {
            return false;
        }
        injected.incrementAndGet();
        if (fault instanceof Status) {
            Status status = (Status) fault;
            SandboxHttp.drain(exchange);
            if (status.retryAfterSeconds() != null) {
                exchange.getResponseHeaders().set("Retry-After", String.valueOf(status.retryAfterSeconds()));
            }
            if (status.code() == 429) {
                exchange.getResponseHeaders().set("X-RateLimit-Limit", "60");
                exchange.getResponseHeaders().set("X-RateLimit-Remaining", "0");
            }
            SandboxHttp.sendMessage(exchange, status.code(), status.message());
            exchange.close();
            return true;
        }
        if (fault instanceof LostAnswer) {
            ANSWER_LOST.add(exchange);
            return false;
        }
        if (fault instanceof Slow) {
            slowInFlight.incrementAndGet();
            SLOWED.put(exchange, this);
            try {
                Thread.sleep(((Slow) fault).delay().toMillis());
                return false;
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                exchange.close();
                return true;
            }
        }
        // Drop: closing an exchange whose response has not started closes the connection without a byte.
        exchange.close();
        return true;
    }

    /** Called by the sandboxes' server once an exchange was handled, whatever became of it. */
    static void finished(HttpExchange exchange) {
        FaultInjector slowedBy = SLOWED.remove(exchange);
        if (slowedBy != null) {
            slowedBy.slowInFlight.decrementAndGet();
        }
        ANSWER_LOST.remove(exchange);
    }

    /** True when a {@link LostAnswer} fault hit this exchange: the handler's answer is replaced by a closed connection. */
    static boolean answerLost(HttpExchange exchange) {
        return ANSWER_LOST.remove(exchange);
    }

    private Fault next(String path) {
        synchronized (lock) {
            for (Iterator<Scripted> it = scripted.iterator(); it.hasNext(); ) {
                Scripted candidate = it.next();
                if (matches(candidate.pathContains, path)) {
                    if (--candidate.remaining == 0) {
                        it.remove();
                    }
                    return candidate.fault;
                }
            }
            for (RandomRule rule : randomRules) {
                if (matches(rule.pathContains, path) && rule.random.nextDouble() < rule.probability) {
                    return rule.faults.get(rule.random.nextInt(rule.faults.size()));
                }
            }
            return null;
        }
    }

    private static boolean isAdminPath(String path) {
        return path.equals("/sandbox") || path.startsWith("/sandbox/");
    }

    private static boolean matches(String pathContains, String path) {
        return pathContains == null || path.contains(pathContains);
    }

    private static String normalize(String pathContains) {
        return pathContains == null || pathContains.isEmpty() ? null : pathContains;
    }

    private static int times(JsonNode command) {
        return command.hasNonNull("times") ? intField(command, "times") : 1;
    }

    private static int requiredInt(JsonNode command, String field) {
        if (!command.hasNonNull(field)) {
            throw new IllegalArgumentException("The " + field + " field is required.");
        }
        return intField(command, field);
    }

    private static int intField(JsonNode command, String field) {
        JsonNode value = command.get(field);
        if (!value.canConvertToInt() || !value.isIntegralNumber()) {
            throw new IllegalArgumentException("The " + field + " field must be an integer.");
        }
        return value.intValue();
    }

    private static final class Scripted {
        final String pathContains;
        final Fault fault;
        int remaining;

        Scripted(String pathContains, Fault fault, int remaining) {
            this.pathContains = pathContains;
            this.fault = fault;
            this.remaining = remaining;
        }
    }

    private static final class RandomRule {
        final double probability;
        final Random random;
        final String pathContains;
        final List<Fault> faults;

        RandomRule(double probability, Random random, String pathContains, List<Fault> faults) {
            this.probability = probability;
            this.random = random;
            this.pathContains = pathContains;
            this.faults = faults;
        }
    }
}
