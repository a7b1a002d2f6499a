package io.photobridge.reliability;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.photobridge.bench.JarProcess;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The archive {@code mvn package} builds, unpacked into an empty folder and started with its launcher from elsewhere
 * ({@code bin/photobridge demo}): healthy, a dropped photo delivered and a broken one kept, one outcome line each in the
 * text log, every metric the Grafana dashboard queries served, a clean stop on SIGTERM that leaves the launcher's class-data
 * archive; then a start with that archive, with JSON log lines on request.
 */
class DistributionIT {

    private static final Path PROJECT = Path.of("").toAbsolutePath();
    private static final long ORDER = 57076501L;
    private static final Duration WAIT = Duration.ofSeconds(90);
    /** An ISO-8601 date-time with milliseconds and offset, the level, the full thread name and the full logger name. */
    private static final Pattern TEXT_LINE = Pattern.compile(
            "^\\d{4}-\\d{2}-\\d{2}T\\d{2}:\\d{2}:\\d{2}\\.\\d{3}(Z|[+-]\\d{2}:\\d{2}) (INFO |WARN |ERROR|DEBUG|TRACE) \\[[^\\]]+\\] \\S+ : .*");
    private static final Set<String> PROMQL_WORDS = Set.of("histogram_quantile", "label_values", "label_replace", "label_join");

    @TempDir
    Path work;

    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

    @Test
    void theUnpackedArchiveRunsDeliversAPhotoServesTheDashboardsMetricsAndStops() throws Exception {
        Path root = unpack();
        Path inbox = root.resolve("data/inbox");
        int port = JarProcess.freePort();
        int managementPort = JarProcess.freePort();
        Path log = work.resolve("text.log");
        Process app = start(root, port, managementPort, log, Map.of());
        try {
            awaitHealthy(app, managementPort, log);

            drop(inbox, "front.jpg", Files.readAllBytes(PROJECT.resolve("src/test/resources/media/offset-exif.jpg")));
            drop(inbox, "broken.jpg", "not an image".getBytes());
            await("front.jpg delivered").atMost(WAIT).until(() -> Files.exists(inbox.resolve(".done/" + ORDER + "/front.jpg")));
            await("broken.jpg kept").atMost(WAIT).until(() -> Files.exists(inbox.resolve(".error/" + ORDER + "/broken.jpg.error.txt")));
            await("both outcome lines").atMost(WAIT).until(() -> Files.readString(log).contains("Failed " + ORDER + "/broken.jpg"));

            List<String> lines = Files.readAllLines(log);
            assertThat(lines).filteredOn(l -> l.contains("front.jpg")).singleElement().asString()
                    .matches(TEXT_LINE)
                    .contains("INFO  [Camel (camel-1) thread #")
                    .contains("Delivered front.jpg -> order " + ORDER + ", attachment ");
            assertThat(lines).filteredOn(l -> l.contains("broken.jpg")).singleElement().asString()
                    .matches(TEXT_LINE)
                    .contains("WARN  [")
                    .contains(" io.photobridge.ingest.IngestOutcomes : Failed " + ORDER + "/broken.jpg: broken.jpg: content type text/plain");
            assertThat(lines).noneMatch(l -> l.contains("Rollback file strategy"));
            assertThat(lines).filteredOn(l -> !l.startsWith("\t") && !l.startsWith(" ") && !l.isBlank()).allMatch(l -> TEXT_LINE.matcher(l).matches());

            Set<String> served = servedMetrics(managementPort);
            Set<String> queried = dashboardMetrics(PROJECT.resolve("ops/grafana/photobridge.json"));
            assertThat(queried).contains("photobridge_vendor_calls_seconds_count", "photobridge_damage_jobs", "photobridge_pave_sessions",
                    "photobridge_routes_reloads_total", "jvm_memory_used_bytes", "process_cpu_usage");
            assertThat(served).as("metrics of /observe/metrics").containsAll(queried);
        } finally {
            stop(app);
        }
        assertThat(app.exitValue()).as("exit code after SIGTERM").isIn(0, 143);
        assertThat(Files.readString(log)).contains("(photobridge) shutdown");
        // the launcher's first run leaves its class-data archive, complete, for the next start (which maps it)
        try (Stream<Path> archives = Files.list(root.resolve("data/cds"))) {
            assertThat(archives.map(p -> p.getFileName().toString())).singleElement().asString().matches("photobridge-\\d+\\.jsa");
        }

        Path jsonLog = work.resolve("json.log");
        Process json = start(root, port, managementPort, jsonLog, Map.of("PHOTOBRIDGE_LOG_FORMAT", "json"));
        try {
            awaitHealthy(json, managementPort, jsonLog);
        } finally {
            stop(json);
        }
        ObjectMapper mapper = new ObjectMapper();
        List<JsonNode> events = new ArrayList<>();
        for (String line : Files.readAllLines(jsonLog)) {
            events.add(mapper.readTree(line));
        }
        assertThat(events).isNotEmpty().allSatisfy(e -> assertThat(e.path("@timestamp").asText()).matches("\\d{4}-.*T.*"));
        assertThat(events).anySatisfy(e -> {
            assertThat(e.path("log.level").asText()).isEqualTo("WARN");
            assertThat(e.path("log.logger").asText()).isEqualTo("io.photobridge.PhotoBridge");
            assertThat(e.path("message").asText()).contains("DEMO MODE");
        });
    }

    private Path unpack() throws Exception {
        Path archive;
        try (Stream<Path> files = Files.list(PROJECT.resolve("target"))) {
            archive = files.filter(f -> f.getFileName().toString().matches("photobridge-.+\\.tar\\.gz")).findFirst()
                    .orElseThrow(() -> new IllegalStateException("target/photobridge-<version>.tar.gz is missing: run mvn package"));
        }
        Path into = Files.createDirectories(work.resolve("opt"));
        Process tar = new ProcessBuilder("tar", "-xzf", archive.toString(), "-C", into.toString()).inheritIO().start();
        assertThat(tar.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(tar.exitValue()).as("tar -xzf").isZero();
        try (Stream<Path> roots = Files.list(into)) {
            List<Path> all = roots.collect(Collectors.toList());
            assertThat(all).as("one folder in the archive").hasSize(1);
            Path root = all.get(0);
            assertThat(root.resolve("bin/photobridge")).isExecutable();
            assertThat(root.resolve("photobridge.service")).isRegularFile();
            assertThat(root.resolve("config/production.env.sample")).isRegularFile();
            assertThat(root.resolve("routes/ingest-drop-folder.camel.yaml")).isRegularFile();
            assertThat(root.resolve("data")).doesNotExist();
            return root;
        }
    }

    /** Started from the work folder, not the archive's: the launcher moves to the archive root itself. */
    private Process start(Path root, int port, int managementPort, Path log, Map<String, String> env) throws IOException {
        ProcessBuilder builder = new ProcessBuilder(root.resolve("bin/photobridge").toString(), "demo").directory(work.toFile())
                .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()));
        builder.environment().put("JAVA_HOME", System.getProperty("java.home"));
        builder.environment().put("PHOTOBRIDGE_HEAP", "256m");
        builder.environment().put("JAVA_OPTS", String.join(" ", "-Dcamel.server.port=" + port,
                "-Dcamel.management.port=" + managementPort, "-Dphotobridge.inspektlabs.public-base-url=http://127.0.0.1:" + port,
                "-Dphotobridge.sandbox.recoveryconnect.port=0", "-Dphotobridge.sandbox.inspektlabs.port=0",
                "-Dphotobridge.sandbox.pave.port=0"));
        builder.environment().remove("PHOTOBRIDGE_LOG_FORMAT");
        builder.environment().putAll(env);
        return builder.start();
    }

    private void awaitHealthy(Process app, int managementPort, Path log) {
        HttpRequest health = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + managementPort + "/observe/health"))
                .timeout(Duration.ofSeconds(2)).build();
        await("health 200 (see " + log + ")").atMost(WAIT).ignoreExceptionsInstanceOf(IOException.class).until(() -> {
            assertThat(app.isAlive()).as("PhotoBridge running (see %s)", log).isTrue();
            return http.send(health, HttpResponse.BodyHandlers.discarding()).statusCode() == 200;
        });
    }

    private static void drop(Path inbox, String name, byte[] content) throws IOException {
        Path staged = Files.createDirectories(inbox.getParent().resolve("staging")).resolve(name);
        Files.write(staged, content);
        Files.move(staged, Files.createDirectories(inbox.resolve(String.valueOf(ORDER))).resolve(name));
    }

    private static void stop(Process app) throws InterruptedException {
        app.destroy();
        if (!app.waitFor(60, TimeUnit.SECONDS)) {
            app.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
        }
    }

    private Set<String> servedMetrics(int managementPort) throws Exception {
        String body = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + managementPort + "/observe/metrics"))
                .timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString()).body();
        return body.lines().filter(l -> !l.startsWith("#") && !l.isBlank()).map(l -> l.split("[{ ]", 2)[0])
                .collect(Collectors.toCollection(TreeSet::new));
    }

    /** Metric names in every {@code expr} of the dashboard: identifiers with an underscore, label matchers and functions left out. */
    static Set<String> dashboardMetrics(Path dashboard) throws IOException {
        Set<String> names = new TreeSet<>();
        for (JsonNode expr : new ObjectMapper().readTree(dashboard.toFile()).findValues("expr")) {
            String text = expr.asText().replaceAll("\\{[^}]*\\}", "").replaceAll("\\[[^\\]]*\\]", "")
                    .replaceAll("\\b(by|without|on|ignoring)\\s*\\([^)]*\\)", "");
            Matcher m = Pattern.compile("[a-zA-Z_:][a-zA-Z0-9_:]*").matcher(text);
            while (m.find()) {
                String word = m.group();
                if (word.contains("_") && !PROMQL_WORDS.contains(word) && !word.endsWith("_over_time")) {
                    names.add(word);
                }
            }
        }
        return names;
    }
}
