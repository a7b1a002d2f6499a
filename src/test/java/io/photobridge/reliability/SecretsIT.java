package io.photobridge.reliability;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import io.photobridge.InProcessS3;
import io.photobridge.bench.Fixtures;
import io.photobridge.bench.JarProcess;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.S3Client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The shipped jar run with known secret values (vendor password, tokens, API keys, webhook secrets, database password, S3 secret)
 * through good and bad uploads, webhooks, API calls and vendor faults: none of the values appears in the log, an error note,
 * the ledger, any other file PhotoBridge wrote, or any HTTP answer.
 */
class SecretsIT {

    private static final long ORDER = 57076502L;
    private static final Path PROJECT = Path.of("").toAbsolutePath();
    private static final Path MEDIA = PROJECT.resolve("src/test/resources/media");

    @TempDir
    Path home;

    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private final List<String> answers = new ArrayList<>();

    @Test
    void noSecretValueReachesLogsErrorNotesTheLedgerOrHttpAnswers() throws Exception {
        Map<String, String> secrets = new LinkedHashMap<>();
        secrets.put("PHOTOBRIDGE_RC_PASSWORD", "rc-password-Q7v2ZpX9");
        secrets.put("PHOTOBRIDGE_SANDBOX_RECOVERYCONNECT_PASSWORD", "rc-password-Q7v2ZpX9");
        secrets.put("PHOTOBRIDGE_SANDBOX_RECOVERYCONNECT_STATIC_TOKEN", "rc-static-token-M3k8Lw");
        secrets.put("PHOTOBRIDGE_INSPEKTLABS_API_KEY", "inspekt-apikey-R4t6Yh2");
        secrets.put("PHOTOBRIDGE_SANDBOX_INSPEKTLABS_API_KEY", "inspekt-apikey-R4t6Yh2");
        secrets.put("PHOTOBRIDGE_INSPEKTLABS_WEBHOOK_SECRET", "inspekt-hook-secret-B8n1Vc");
        secrets.put("PHOTOBRIDGE_PAVE_API_KEY", "pave-apikey-T5g7Jm0");
        secrets.put("PHOTOBRIDGE_SANDBOX_PAVE_API_KEY", "pave-apikey-T5g7Jm0");
        secrets.put("PHOTOBRIDGE_PAVE_API_SECRET", "pave-api-secret-K2s9Df4");
        secrets.put("PHOTOBRIDGE_SANDBOX_PAVE_API_SECRET", "pave-api-secret-K2s9Df4");
        secrets.put("PHOTOBRIDGE_PAVE_WEBHOOK_SECRET", "pave-hook-secret-W6e3Qa");
        secrets.put("PHOTOBRIDGE_API_TOKEN", "records-api-token-H1u4Ro");
        secrets.put("PHOTOBRIDGE_RECORDS_PASSWORD", "ledger-db-password-N9x2Pe");
        secrets.put("PHOTOBRIDGE_S3_SECRET_KEY", InProcessS3.SECRET_KEY);

        int s3Port = JarProcess.freePort();
        try (InProcessS3 s3 = InProcessS3.start(s3Port)) {
            S3Client client = s3.client();
            client.createBucket(b -> b.bucket("secrets"));
            JarProcess app = new JarProcess(PROJECT, home.resolve("app"))
                    .property("photobridge.inbox.poll-ms", "200")
                    .property("photobridge.inspektlabs.quiet-period-ms", "500")
                    .property("photobridge.sandbox.inspektlabs.callback-delay-ms", "200")
                    .property("photobridge.retry.initial-delay-ms", "100")
                    .property("photobridge.retry.max-delay-ms", "500")
                    .property("photobridge.s3.bucket", "secrets")
                    .property("photobridge.s3.endpoint", s3.endpoint())
                    .property("photobridge.s3.path-style", "true")
                    .property("photobridge.s3.access-key", InProcessS3.ACCESS_KEY)
                    .property("photobridge.s3.poll-ms", "300");
            secrets.forEach(app::env);
            try {
                app.start().awaitReady(Duration.ofSeconds(90));
                exercise(app, client, secrets);
            } finally {
                app.stop();
                Files.createDirectories(SuiteSize.RESULTS);
                Files.copy(app.log(), SuiteSize.RESULTS.resolve("secrets-photobridge.log"), StandardCopyOption.REPLACE_EXISTING);
            }
        }

        Map<String, List<String>> leaks = new LinkedHashMap<>();
        String log = Files.readString(home.resolve("app/photobridge.log"), StandardCharsets.ISO_8859_1);
        check(leaks, "log", log, secrets);
        try (Stream<Path> files = Files.walk(home.resolve("app"))) {
            for (Path file : files.filter(Files::isRegularFile).toList()) {
                // the sandboxes' own data is the vendors' side, not PhotoBridge's
                if (!file.startsWith(home.resolve("app/sandbox"))) {
                    check(leaks, home.relativize(file).toString(), Files.readString(file, StandardCharsets.ISO_8859_1), secrets);
                }
            }
        }
        String ledger = dumpLedger(secrets.get("PHOTOBRIDGE_RECORDS_PASSWORD"));
        check(leaks, "ledger (SCRIPT dump)", ledger, secrets);
        for (String answer : answers) {
            check(leaks, "HTTP answer " + answer.lines().findFirst().orElse(""), answer, secrets);
        }

        long errorNotes;
        try (Stream<Path> walk = Files.walk(home.resolve("app/inbox/.error"))) {
            errorNotes = walk.filter(p -> p.toString().endsWith(".error.txt")).count();
        }
        SuiteSize.current().writeResult("secrets", String.format("""
                %d secret values passed as environment variables (RecoveryConnect password and static token, Inspektlabs API key \
                and webhook secret, PAVE API key, API secret and webhook secret, records API token, ledger database password, \
                S3 secret key) to the shipped jar, exercised with good and bad files, an S3 object, a video for damage analysis \
                (report by webhook), authenticated, wrong-secret and replayed webhooks, records and PAVE link API calls with \
                right and wrong tokens, health, metrics, and injected vendor faults (500, 401 and dropped connections).

                | searched | size | secret values found |
                |---|---|---|
                | log (%d lines) | %d KB | %d |
                | error notes | %d files | %d |
                | ledger (H2 SCRIPT dump) | %d KB | %d |
                | HTTP answers | %d | %d |
                """, new LinkedHashSet<>(secrets.values()).size(), log.lines().count(), log.length() / 1024, count(leaks, "log"),
                errorNotes, countPrefix(leaks, "app/inbox/.error"), ledger.length() / 1024, count(leaks, "ledger (SCRIPT dump)"),
                answers.size(), countPrefix(leaks, "HTTP answer")));
        assertThat(errorNotes).as("the bad file produced an error note to search").isPositive();
        assertThat(leaks).as("secret values found").isEmpty();
    }

    private void exercise(JarProcess app, S3Client s3, Map<String, String> secrets) throws Exception {
        String base = app.httpBase();
        String apiToken = secrets.get("PHOTOBRIDGE_API_TOKEN");
        Path inbox = app.inbox().resolve(String.valueOf(ORDER));
        Files.createDirectories(inbox);

        // vendor faults first (the sandboxes' admin endpoint): errors are where secrets tend to leak
        String rcAdmin = sandboxBase(app, "RecoveryConnect") + "/sandbox/faults";
        post(rcAdmin, "{\"kind\":\"status\",\"status\":500,\"times\":1,\"path\":\"/photos\"}", Map.of());
        post(rcAdmin, "{\"kind\":\"status\",\"status\":401,\"times\":1,\"path\":\"/photos\"}", Map.of());
        post(rcAdmin, "{\"kind\":\"drop\",\"times\":1,\"path\":\"/photos\"}", Map.of());

        Files.copy(MEDIA.resolve("key-exif.jpg"), inbox.resolve("IMG_0001.jpg"));
        Files.write(inbox.resolve("empty.jpg"), new byte[0]);
        Files.copy(MEDIA.resolve("no-exif.png"), inbox.resolve("wrong-extension.jpg"));
        Fixtures.video(home.resolve("staging/walkaround.mp4"), 1_500_000);
        Fixtures.deliver(home.resolve("staging/walkaround.mp4"), inbox);
        s3.putObject(b -> b.bucket("secrets").key("incoming/" + ORDER + "/s3-photo.jpg"), RequestBody.fromFile(MEDIA.resolve("key-exif.jpg")));

        // records API and PAVE link API: right and wrong tokens
        get(base + "/api/orders/" + ORDER + "/records", Map.of("Authorization", "Bearer " + apiToken));
        get(base + "/api/orders/" + ORDER + "/records", Map.of("Authorization", "Bearer wrong-token"));
        get(base + "/api/orders/" + ORDER + "/records", Map.of());
        post(base + "/api/orders/" + ORDER + "/pave-sessions", "{\"vehicle\":{\"vin\":\"1HGCM82633A004352\",\"year\":2021,\"make\":\"Honda\","
                + "\"model\":\"Accord\"}}", Map.of("Authorization", "Bearer " + apiToken, "Content-Type", "application/json"));
        post(base + "/api/orders/" + ORDER + "/pave-sessions", "{\"session_key\":\"NOPE-000\"}",
                Map.of("Authorization", "Bearer " + apiToken, "Content-Type", "application/json"));
        post(base + "/api/orders/" + ORDER + "/pave-sessions", "{}", Map.of("Authorization", "Bearer nope"));

        // webhooks: wrong secret, no secret, malformed, right secret (PAVE), in path and header (Inspektlabs)
        post(base + "/webhooks/pave", "{\"event\":\"SESSION:COMPLETE\",\"session_key\":\"NOPE-000\"}",
                Map.of("X-PhotoBridge-Webhook-Secret", "wrong", "Content-Type", "application/json"));
        post(base + "/webhooks/pave", "{\"event\":\"SESSION:COMPLETE\",\"session_key\":\"NOPE-000\"}",
                Map.of("X-PhotoBridge-Webhook-Secret", secrets.get("PHOTOBRIDGE_PAVE_WEBHOOK_SECRET"), "Content-Type", "application/json"));
        post(base + "/webhooks/inspektlabs/wrong-secret", "{}", Map.of("Content-Type", "application/json"));
        post(base + "/webhooks/inspektlabs", "not json", Map.of("X-PhotoBridge-Webhook-Secret",
                secrets.get("PHOTOBRIDGE_INSPEKTLABS_WEBHOOK_SECRET"), "Content-Type", "application/json"));
        post(base + "/webhooks/inspektlabs/" + secrets.get("PHOTOBRIDGE_INSPEKTLABS_WEBHOOK_SECRET"), "{\"inspectionId\":\"x\"}",
                Map.of("Content-Type", "application/json"));

        // the photos delivered, the damage report of the video stored (its webhook carried the secret in the path)
        await().atMost(Duration.ofSeconds(90)).pollInterval(Duration.ofMillis(500)).until(() -> {
            String records = get(base + "/api/orders/" + ORDER + "/records", Map.of("Authorization", "Bearer " + apiToken));
            return records.contains("s3-photo.jpg") && records.contains("IMG_0001.jpg")
                    && records.matches("(?s).*\"damageReports\"\\s*:\\s*\\[\\s*\\{.*");
        });
        get(base + "/observe/health", Map.of());
        get(base + "/observe/metrics", Map.of());
        get(base + "/api/orders/" + ORDER + "/records", Map.of("Authorization", "Bearer " + apiToken));
        // the console's API: dashboard (vendors' states and messages), failed inputs with their notes' reasons, a retry
        get(base + "/api/console/dashboard", Map.of("Authorization", "Bearer " + apiToken));
        get(base + "/api/failures", Map.of("Authorization", "Bearer " + apiToken));
        get(base + "/api/failures", Map.of("Authorization", "Bearer wrong-token"));
        post(base + "/api/failures/retry", "{\"id\":\"folder:nothing.jpg\"}",
                Map.of("Authorization", "Bearer " + apiToken, "Content-Type", "application/json"));
        get(base + "/console/", Map.of());
    }

    /** The sandbox's base URL, from the jar's own log line ("... sandbox listening on http://..."). */
    private static String sandboxBase(JarProcess app, String vendor) throws Exception {
        String log = Files.readString(app.log());
        Matcher m = Pattern.compile(vendor + " sandbox listening on (http://[0-9.:]+)").matcher(log);
        assertThat(m.find()).as(vendor + " sandbox address in the log").isTrue();
        return m.group(1);
    }

    private String get(String url, Map<String, String> headers) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(10)).GET();
        headers.forEach(request::header);
        return record(http.send(request.build(), HttpResponse.BodyHandlers.ofString()));
    }

    private String post(String url, String body, Map<String, String> headers) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(30))
                .POST(HttpRequest.BodyPublishers.ofString(body));
        headers.forEach(request::header);
        return record(http.send(request.build(), HttpResponse.BodyHandlers.ofString()));
    }

    private String record(HttpResponse<String> response) {
        String text = response.request().method() + " " + response.uri().getPath().replaceAll("/webhooks/inspektlabs/.+", "/webhooks/inspektlabs/<secret>")
                + " -> " + response.statusCode() + "\n" + response.headers().map() + "\n" + response.body();
        answers.add(text);
        return response.body();
    }

    private String dumpLedger(String password) throws Exception {
        StringBuilder dump = new StringBuilder();
        try (Connection c = DriverManager.getConnection("jdbc:h2:file:" + home.resolve("app/records/photobridge"), "sa", password);
             Statement st = c.createStatement(); ResultSet rs = st.executeQuery("SCRIPT")) {
            while (rs.next()) {
                dump.append(rs.getString(1)).append('\n');
            }
        }
        return dump.toString();
    }

    private static void check(Map<String, List<String>> leaks, String where, String text, Map<String, String> secrets) {
        secrets.forEach((name, value) -> {
            if (text.contains(value)) {
                leaks.computeIfAbsent(where, w -> new ArrayList<>()).add(name);
            }
        });
    }

    private static long count(Map<String, List<String>> leaks, String where) {
        return leaks.getOrDefault(where, List.of()).size();
    }

    private static long countPrefix(Map<String, List<String>> leaks, String prefix) {
        return leaks.entrySet().stream().filter(e -> e.getKey().startsWith(prefix)).mapToLong(e -> e.getValue().size()).sum();
    }
}
