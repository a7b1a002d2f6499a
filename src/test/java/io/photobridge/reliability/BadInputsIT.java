package io.photobridge.reliability;

import java.awt.Color;
import java.awt.Graphics2D;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import javax.imageio.ImageIO;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.photobridge.InProcessS3;
import io.photobridge.RunningPhotoBridge;
import io.photobridge.ingest.DropFolderNames;
import io.photobridge.records.DamageJob;
import io.photobridge.records.DamageJobState;
import io.photobridge.records.DamageReport;
import io.photobridge.records.PaveCapture;
import io.photobridge.records.PaveRecords;
import io.photobridge.records.PhotoEvent;
import io.photobridge.records.PhotoRecord;
import io.photobridge.records.PhotoState;
import io.photobridge.sandbox.StoredPhoto;
import io.photobridge.TestHttp;
import org.apache.camel.ServiceStatus;
import org.apache.camel.component.seda.SedaEndpoint;
import org.apache.logging.log4j.Level;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.core.LogEvent;
import org.apache.logging.log4j.core.LoggerContext;
import org.apache.logging.log4j.core.appender.AbstractAppender;
import org.apache.logging.log4j.core.config.Property;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.EncodingType;
import software.amazon.awssdk.services.s3.model.NoSuchKeyException;
import software.amazon.awssdk.services.s3.model.S3Object;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Bad inputs, through the real Main, YAML routes and vendor sandboxes, with an in-process S3 bucket as second source:
 * drop-folder files (manifests, the name pattern and PAVE link files included), S3 objects, the Inspektlabs and PAVE
 * webhooks and PhotoBridge's own API. For every case: (1) a clear error naming the input and the rule it broke (the
 * error note, the error object, or the HTTP answer); (2) nothing lost: the input kept byte for byte beside its note, or
 * nothing changed for a refused request, a replay not stored twice, and the order records saying what happened;
 * (3) after all of them PhotoBridge still delivers a good photo from both sources and /observe/health answers 200.
 * Writes target/reliability/bad-inputs.md, one row per case.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class BadInputsIT {

    private static final String BUCKET = "bad-inputs";
    private static final String PREFIX = "incoming/";
    /** Files and objects broken by content or name rules. */
    private static final long BAD = 57076505L;
    /** Manifest and replayed-file cases whose good photos are delivered. */
    private static final long DUMP = 57076503L;
    /** The PAVE session linked for the webhook cases. */
    private static final long PAVE_ORDER = 57076502L;
    /** Bad calls of the PAVE link API name this order. */
    private static final long LINK_ORDER = 57076504L;
    /** The good photos sent after every bad case. */
    private static final long GOOD = 57076501L;
    /** Orders RecoveryConnect does not know (the sandbox knows 57076501 to 57076505). */
    private static final long UNKNOWN_FILE = 99999999L;
    private static final long UNKNOWN_S3 = 99999998L;
    private static final long UNKNOWN_MANIFEST = 99999997L;
    private static final int MAX_IMAGE_BYTES = 100_000;
    private static final int WEBHOOK_MAX_BYTES = 65_536;
    private static final String NAME_PATTERN = "(?<order>\\d+)_(?<type>[a-z]+)_.*";
    private static final String IL_SECRET = "sandbox-webhook-secret";
    private static final String SECRET_HEADER = "X-PhotoBridge-Webhook-Secret";
    private static final String PAVE_SECRET = "sandbox-pave-webhook-secret";
    private static final String BEARER = "Bearer " + RunningPhotoBridge.API_TOKEN;
    private static final Duration WAIT = Duration.ofSeconds(60);
    private static final Path MEDIA = Path.of("src/test/resources/media");
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    static Path home;

    private InProcessS3 s3Server;
    private S3Client s3;
    private RunningPhotoBridge app;
    private LogCapture log;
    private String paveKey;
    private final HttpClient http = TestHttp.client();
    private final List<Case> cases = new ArrayList<>();
    private final Map<String, String[]> results = new LinkedHashMap<>();
    private final List<String> finalChecks = new ArrayList<>();
    private boolean keptRunning;
    /** Per order, the bad inputs that must be FAILED rows of its records. */
    private final Map<Long, Integer> failedRows = new LinkedHashMap<>();

    /** One bad input: its channel, the input as shown, the rule its error must quote, how it is sent, how it is checked. */
    private record Case(String id, String channel, String input, String rule, Step send, Outcome outcome) {
    }

    @FunctionalInterface
    private interface Step {
        void run() throws Exception;
    }

    /** Checks a case's outcome and says where its input is kept (or what stayed unchanged). */
    @FunctionalInterface
    private interface Outcome {
        String check() throws Exception;
    }

    // ------------------------------------------------------------------ set-up: one PhotoBridge, every input sent at once

    @BeforeAll
    void startAndSendEverything() throws Exception {
        s3Server = InProcessS3.start(freePort());
        s3 = s3Server.client();
        s3.createBucket(b -> b.bucket(BUCKET));
        log = LogCapture.install();
        Map<String, String> settings = new HashMap<>(s3Server.settings(BUCKET));
        settings.put("photobridge.ingest.max-image-bytes", String.valueOf(MAX_IMAGE_BYTES));
        settings.put("photobridge.inspektlabs.webhook-max-bytes", String.valueOf(WEBHOOK_MAX_BYTES));
        settings.put("photobridge.ingest.name-pattern", NAME_PATTERN);
        app = RunningPhotoBridge.start(home, settings);

        paveKey = app.pave().createSession();
        HttpResponse<String> linked = send("POST", "/api/orders/" + PAVE_ORDER + "/pave-sessions", "application/json",
                json("{'session_key':'" + paveKey + "'}"), "Authorization", BEARER);
        assertThat(linked.statusCode()).as(linked.body()).isEqualTo(201);

        fileCases();
        s3Cases();
        inspektlabsWebhookCases();
        paveWebhookCases();
        apiCases();
        for (Case c : cases) {
            c.send().run();
        }
    }

    @AfterAll
    void writeResultsAndStop() throws Exception {
        try {
            StringBuilder md = new StringBuilder("Every bad input sent to one running PhotoBridge (drop folder, S3 bucket, webhooks, API);"
                    + " each row is asserted on its own (BadInputsIT).\n\n"
                    + "| # | channel | input | expected rule (quote of the error) | where the input is kept | result |\n"
                    + "|---|---|---|---|---|---|\n");
            for (Case c : cases) {
                String[] r = results.getOrDefault(c.id(), new String[] {"-", "not run"});
                md.append("| ").append(c.id()).append(" | ").append(c.channel()).append(" | ").append(cell(c.input()))
                        .append(" | ").append(cell(c.rule())).append(" | ").append(cell(r[0])).append(" | ").append(cell(r[1]))
                        .append(" |\n");
            }
            md.append("\nAfter all ").append(cases.size()).append(" cases (").append(keptRunning ? "pass" : "FAIL, see the test report")
                    .append("): ").append(String.join("; ", finalChecks)).append('\n');
            SuiteSize.current().writeResult("bad-inputs", md.toString());
        } finally {
            if (log != null) {
                log.remove();
            }
            if (app != null) {
                app.close();
            }
            if (s3 != null) {
                s3.close();
            }
            if (s3Server != null) {
                s3Server.close();
            }
        }
    }

    // ------------------------------------------------------------------ the cases, each a test of its own

    @TestFactory
    @Order(1)
    Stream<DynamicTest> everyBadInputGetsAClearErrorAndNothingIsLost() {
        return cases.stream().map(c -> DynamicTest.dynamicTest(c.id() + " " + c.channel() + ": " + shorten(c.input()) + " -> "
                + shorten(c.rule()), () -> {
            String kept;
            try {
                kept = c.outcome().check();
            } catch (Throwable t) {
                results.put(c.id(), new String[] {"-", "FAIL: " + String.valueOf(t.getMessage()).lines().findFirst().orElse("")});
                // the report lists dynamic tests by index: the failure itself names the case
                throw new AssertionError(c.id() + " " + c.channel() + " " + shorten(c.input()) + ": " + t.getMessage(), t);
            }
            results.put(c.id(), new String[] {kept, "pass"});
        }));
    }

    @Test
    @Order(2)
    void photoBridgeKeepsRunningAfterEveryBadInput() throws Exception {
        assertThat(cases).hasSizeGreaterThanOrEqualTo(30);
        // nothing stuck: outside .done/ and .error/ only the manifests (never consumed) are left in the inbox
        try (Stream<Path> left = Files.walk(app.inbox())) {
            assertThat(left.filter(Files::isRegularFile).map(p -> app.inbox().relativize(p).toString())
                    .filter(p -> !p.startsWith(".done/") && !p.startsWith(".error/")))
                    .allMatch(p -> p.endsWith("/manifest.csv"));
        }
        assertThat(keys(PREFIX)).isEmpty();

        byte[] viaFolder = jpeg(new Color(20, 200, 90));
        byte[] viaS3 = jpeg(new Color(200, 20, 90));
        write(app.inbox().resolve(GOOD + "/key/after-bad-inputs.jpg"), viaFolder);
        put(PREFIX + GOOD + "/general/after-bad-inputs.jpg", viaS3);
        await("good photos after the bad inputs").atMost(WAIT).until(() -> app.sandbox().photos(GOOD).size() == 2
                && Files.exists(app.inbox().resolve(".done/" + GOOD + "/key/after-bad-inputs.jpg"))
                && exists("done/" + PREFIX + GOOD + "/general/after-bad-inputs.jpg"));
        assertThat(app.sandbox().photos(GOOD)).extracting(StoredPhoto::sha256).containsExactlyInAnyOrder(sha256(viaFolder), sha256(viaS3));
        assertThat(app.ledger().photos(GOOD)).hasSize(2).allSatisfy(p -> assertThat(p.state()).isEqualTo(PhotoState.UPLOADED));
        finalChecks.add("a good photo from the drop folder and one from S3 delivered to RecoveryConnect");

        await("damage report of the good photos").atMost(WAIT).until(() -> app.damage().jobs(GOOD).stream()
                .anyMatch(j -> j.state() == DamageJobState.REPORTED));
        finalChecks.add("their damage report received by webhook");

        for (String route : List.of("ingest-drop-folder", "ingest-s3", "ingest-pipeline", "recoveryconnect-upload",
                "inspektlabs-webhook", "inspektlabs-webhook-header", "pave-webhook", "pave-link-api", "pave-link-folder",
                "records-api")) {
            assertThat(app.context().getRouteController().getRouteStatus(route)).as(route).isEqualTo(ServiceStatus.Started);
        }
        // the order records, as the records API shows them, hold every refused input of a known order as FAILED, with why
        for (Map.Entry<Long, Integer> order : failedRows.entrySet()) {
            HttpResponse<String> records = send("GET", "/api/orders/" + order.getKey() + "/records", null, null, "Authorization", BEARER);
            assertThat(records.statusCode()).isEqualTo(200);
            List<String> errors = new ArrayList<>();
            JSON.readTree(records.body()).path("photos").forEach(p -> {
                if (p.path("state").asText().equals("FAILED")) {
                    errors.add(p.path("lastError").asText());
                }
            });
            assertThat(errors).as("FAILED rows of order " + order.getKey()).hasSize(order.getValue()).allMatch(e -> !e.isBlank());
        }
        finalChecks.add("the records API lists " + failedRows.values().stream().mapToInt(Integer::intValue).sum()
                + " FAILED rows with their reason across orders " + failedRows.keySet());

        HttpResponse<String> health = send("GET", "/observe/health", null, null);
        assertThat(health.statusCode()).isEqualTo(200);
        assertThat(health.body()).contains("UP");
        finalChecks.add("every route started, /observe/health 200 " + health.body());
        keptRunning = true;
    }

    // ------------------------------------------------------------------ drop-folder files

    private void fileCases() throws Exception {
        byte[] jpeg = Files.readAllBytes(MEDIA.resolve("key-exif.jpg"));
        byte[] png = Files.readAllBytes(MEDIA.resolve("no-exif.png"));
        byte[] shortVideo = Files.readAllBytes(MEDIA.resolve("short.mp4"));

        rejectedFile("F01", BAD + "/empty.jpg", new byte[0], "file is empty (0 bytes)", BAD);
        rejectedFile("F02", BAD + "/cut-off.jpg", Arrays.copyOf(jpeg, jpeg.length / 2),
                "JPEG is truncated: no end-of-image marker (FF D9) at the end of the file", BAD);
        rejectedFile("F03", BAD + "/really-a-png.jpg", png, "content is image/png but the name says .jpg", BAD);
        rejectedFile("F04", BAD + "/polyglot-jpeg-zip.jpg", concat(jpeg, emptyZip()),
                "JPEG has a zip archive after its end-of-image marker", BAD);
        rejectedFile("F05", BAD + "/drivers-notes.jpg", "a driver's notes, not a photo\n".repeat(40).getBytes(StandardCharsets.UTF_8),
                "is not an accepted image or video (accepted: jpg, jpeg, png, jfif, heic, mp4, webm, mov, mkv, avi)", BAD);
        byte[] oversized = oversizedJpeg(jpeg);
        rejectedFile("F06", BAD + "/oversized.jpg", oversized, "image is " + oversized.length + " bytes; the limit is "
                + MAX_IMAGE_BYTES + " bytes (photobridge.ingest.max-image-bytes)", BAD);
        rejectedFile("F07", BAD + "/too-short.mp4", shortVideo, "video is " + shortVideo.length
                + " bytes; Inspektlabs needs videos larger than 1 MB (1048576 bytes)", BAD);
        rejectedFile("F08", UNKNOWN_FILE + "/unknown-order.jpg", jpeg(new Color(10, 10, 200)),
                "HTTP 404 Order " + UNKNOWN_FILE + " not found.", UNKNOWN_FILE);
        rejectedFile("F09", BAD + "/bumper/unknown-type.jpg", jpeg, "unknown type folder 'bumper'", null);
        rejectedFile("F10", "loose-photos/no-order.jpg", jpeg, "maps to no order: not under an <order_id>/ folder (folder"
                + " 'loose-photos' is not an order id), not listed in loose-photos/manifest.csv, and the name does not match"
                + " photobridge.ingest.name-pattern (" + NAME_PATTERN + ")", null);
        movedOutName("F11", String.valueOf(BAD), "x\\..\\..\\escape.jpg", jpeg,
                "path segment '..' is not allowed (no empty, '.' or '..' segments)", null);
        movedOutName("F12", "", "\\photos\\absolute.jpg", jpeg,
                "/photos/absolute.jpg: absolute paths are not allowed: a path must be relative to the source root", null);
        movedOutName("F13", "", "C:\\DCIM\\100CANON\\IMG_0001.jpg", jpeg,
                "C:/DCIM/100CANON/IMG_0001.jpg: absolute paths are not allowed", null);
        movedOutName("F14", String.valueOf(BAD), "bad\uFFFDname.jpg", jpeg,
                "name 'bad\\uFFFDname.jpg' is not valid UTF-8", "bad%FFname.jpg");
        String longName = "L".repeat(246) + ".jpg";
        movedOutName("F15", String.valueOf(BAD), longName, jpeg,
                "is 250 bytes long in UTF-8; at most 245 bytes are allowed in the drop folder", null);
        rejectedFile("F16", BAD + "/bell\u0007.jpg", jpeg,
                "name 'bell\\u0007.jpg' contains the control character U+0007; control characters are not allowed in names", null);
        rejectedFile("F17", BAD + "_bumper_0001.jpg", jpeg, "group 'type' of photobridge.ingest.name-pattern ("
                + NAME_PATTERN + ") captured unknown type 'bumper'", null);

        // flat camera dumps: manifests written before their photos, as a camera tablet would
        manifestFile("F18", "dump-order", "DSC_0001.JPG,5707650X,key\n".getBytes(StandardCharsets.UTF_8), "DSC_0001.JPG", jpeg,
                "dump-order/manifest.csv line 1: order_id '5707650X' is not an order id (digits expected; manifest rows are file,order_id[,type])");
        manifestFile("F19", "dump-type", "file,order_id,type\nDSC_0001.JPG,57076505,kye\n".getBytes(StandardCharsets.UTF_8),
                "DSC_0001.JPG", jpeg, "dump-type/manifest.csv line 2: unknown type 'kye'");
        manifestFile("F20", "dump-latin1", "file,order_id\nDSC_0001.JPG,57076505\n# Caf\u00e9 du Nord lot\n"
                        .getBytes(StandardCharsets.ISO_8859_1), "DSC_0001.JPG", jpeg,
                "dump-latin1/manifest.csv cannot be read: it is not valid UTF-8 (line 3");
        manifestMissingFile("F21");
        manifestFile("F22", "dump-unknown", ("file,order_id\nDSC_0001.JPG," + UNKNOWN_MANIFEST + "\n").getBytes(StandardCharsets.UTF_8),
                "DSC_0001.JPG", jpeg(new Color(10, 200, 200)), "HTTP 404 Order " + UNKNOWN_MANIFEST + " not found.", UNKNOWN_MANIFEST);
        replayedFile("F23");

        linkFile("F24", "bad-row.csv", "order_id,session_key\n" + LINK_ORDER + ",\n",
                "bad-row.csv line 2: expected order_id,session_key (digits, then a PAVE session key), got '" + LINK_ORDER + ",'");
        linkFile("F25", "unknown-session.csv", LINK_ORDER + ",SBX-NOSUCHSESSION\n",
                "PAVE get session SBX-NOSUCHSESSION: HTTP 404 Session SBX-NOSUCHSESSION cannot be found.");
    }

    /** A file the ingest pipeline refuses: moved to .error/ byte for byte with its note; a FAILED row, or a REJECTED event. */
    private void rejectedFile(String id, String relative, byte[] bytes, String rule, Long order) {
        cases.add(rejectedFileCase(id, "drop folder", relative, bytes, rule, order));
    }

    private Case rejectedFileCase(String id, String channel, String relative, byte[] bytes, String rule, Long order) {
        Path file = app.inbox().resolve(relative);
        if (order != null) {
            failedRows.merge(order, 1, Integer::sum);
        }
        return new Case(id, channel, relative, rule, () -> write(file, bytes), () -> {
            Path kept = app.inbox().resolve(".error").resolve(relative);
            Path note = app.inbox().resolve(".error").resolve(relative + ".error.txt");
            await(id + " error note of " + relative).atMost(WAIT).until(() -> Files.exists(note) && Files.exists(kept));
            assertThat(file).doesNotExist();
            assertThat(Files.readAllBytes(kept)).isEqualTo(bytes);
            assertThat(Files.readString(note)).contains("PhotoBridge could not deliver " + relative).contains(rule);
            assertRecorded(order, file.toAbsolutePath().normalize().toUri().toString(), rule);
            return ".error/" + relative + " (+ .error.txt)";
        });
    }

    /**
     * A name Camel's file consumer cannot take (not UTF-8, a backslash, too long for its lock file): moved out of the inbox to
     * .error/ with its name's bytes unchanged and a note. rawUri: how the kept name looks as a URI, when it is not UTF-8.
     */
    private void movedOutName(String id, String folder, String name, byte[] bytes, String rule, String rawUri) {
        Path dir = folder.isEmpty() ? app.inbox() : app.inbox().resolve(folder);
        Path errorDir = folder.isEmpty() ? app.inbox().resolve(".error") : app.inbox().resolve(".error").resolve(folder);
        String shown = folder.isEmpty() ? name : folder + "/" + name;
        cases.add(new Case(id, "drop folder", printable(shown), rule, () -> {
            if (rawUri != null) {
                writeNonUtf8Name(dir, bytes); // Java cannot spell the name: a shell writes it
            } else {
                write(dir.resolve(name), bytes);
            }
        }, () -> {
            Path note = errorDir.resolve(DropFolderNames.noteName(name));
            await(id + " error note of " + printable(shown)).atMost(WAIT).until(() -> Files.exists(note));
            List<Path> kept = entriesNamed(errorDir, name);
            assertThat(kept).as("kept under .error/").hasSize(1);
            assertThat(Files.readAllBytes(kept.get(0))).isEqualTo(bytes);
            assertThat(entriesNamed(dir, name)).as("left in the inbox").isEmpty();
            if (rawUri != null) {
                assertThat(kept.get(0).toUri().toString()).endsWith("/" + rawUri); // the name's bytes, unchanged
            }
            assertThat(Files.readString(note)).contains("PhotoBridge could not deliver " + printable(shown)).contains(rule);
            String uri = rawUri != null ? dir.toAbsolutePath().toUri() + rawUri : dir.resolve(name).toAbsolutePath().toUri().toString();
            assertThat(app.ledger().rejections()).as("REJECTED event of " + uri).filteredOn(e -> uri.equals(e.sourceUri()))
                    .singleElement().satisfies(e -> assertThat(e.detail()).contains(rule));
            return ".error/" + printable(shown) + " (+ " + printable(DropFolderNames.noteName(name)) + ")";
        }));
    }

    /** A photo of a flat dump whose manifest row is unusable: kept under .error/ with a note naming manifest and line. */
    private void manifestFile(String id, String folder, byte[] manifest, String name, byte[] bytes, String rule) {
        manifestFile(id, folder, manifest, name, bytes, rule, null);
    }

    /** As above; order: the order the row names, when the photo is recorded for it (and then refused by RecoveryConnect). */
    private void manifestFile(String id, String folder, byte[] manifest, String name, byte[] bytes, String rule, Long order) {
        String relative = folder + "/" + name;
        Case c = rejectedFileCase(id, "drop folder (manifest)", relative, bytes, rule, order);
        cases.add(new Case(id, c.channel(), relative, rule, () -> {
            write(app.inbox().resolve(folder + "/manifest.csv"), manifest);
            c.send().run();
        }, () -> {
            String kept = c.outcome().check();
            assertThat(app.inbox().resolve(folder + "/manifest.csv")).as("manifest left in place").hasBinaryContent(manifest);
            return kept;
        }));
    }

    /** A manifest row naming a file that is not there: a WARN naming the manifest and the file; the listed photo still delivered. */
    private void manifestMissingFile(String id) {
        byte[] present = jpeg(new Color(240, 120, 10));
        String rule = "dump-missing/manifest.csv (2 rows) lists 1 file not found in dump-missing/: DSC_0404.JPG";
        byte[] manifest = ("file,order_id,type\nDSC_0001.JPG," + DUMP + ",key\nDSC_0404.JPG," + DUMP + ",vin\n").getBytes(StandardCharsets.UTF_8);
        cases.add(new Case(id, "drop folder (manifest)", "dump-missing/manifest.csv row DSC_0404.JPG (no such file)", rule, () -> {
            write(app.inbox().resolve("dump-missing/manifest.csv"), manifest);
            write(app.inbox().resolve("dump-missing/DSC_0001.JPG"), present);
        }, () -> {
            await(id + " WARN naming the manifest's missing file").atMost(WAIT).until(() -> log.contains("WARN", rule));
            await(id + " the listed photo delivered").atMost(WAIT).until(() ->
                    Files.exists(app.inbox().resolve(".done/dump-missing/DSC_0001.JPG")));
            assertThat(app.sandbox().photos(DUMP)).filteredOn(p -> p.sha256().equals(sha256(present))).singleElement()
                    .satisfies(p -> assertThat(p.typeId()).isEqualTo(27));
            assertThat(app.inbox().resolve("dump-missing/manifest.csv")).hasBinaryContent(manifest);
            assertThat(app.ledger().photos(DUMP)).noneMatch(p -> p.originalName().equals("DSC_0404.JPG"));
            return "manifest.csv left in dump-missing/ (a WARN, nothing recorded for the missing file)";
        }));
    }

    /** The same photo dropped again under another name after delivery: recognised by its bytes, not sent twice. */
    private void replayedFile(String id) {
        byte[] bytes = jpeg(new Color(120, 40, 160));
        Path first = app.inbox().resolve(DUMP + "/key/replay-first.jpg");
        Path again = app.inbox().resolve(DUMP + "/key/replay-again.jpg");
        String rule = "replay-again.jpg has the same bytes as photo";
        cases.add(new Case(id, "drop folder (replay)", DUMP + "/key/replay-again.jpg (same bytes as replay-first.jpg)", rule,
                () -> write(first, bytes), () -> {
            await(id + " first copy delivered").atMost(WAIT).until(() -> Files.exists(app.inbox().resolve(".done/" + DUMP + "/key/replay-first.jpg")));
            write(again, bytes);
            await(id + " replayed copy done").atMost(WAIT).until(() -> Files.exists(app.inbox().resolve(".done/" + DUMP + "/key/replay-again.jpg")));
            assertThat(app.sandbox().photos(DUMP)).filteredOn(p -> p.sha256().equals(sha256(bytes))).hasSize(1);
            List<PhotoRecord> rows = app.ledger().photos(DUMP).stream().filter(p -> sha256(bytes).equals(p.sha256())).toList();
            assertThat(rows).singleElement().satisfies(p -> assertThat(p.state()).isEqualTo(PhotoState.UPLOADED));
            assertThat(app.ledger().timeline(DUMP)).filteredOn(e -> e.kind().equals("SEEN_AGAIN"))
                    .anySatisfy(e -> assertThat(e.detail()).contains(rule + " " + rows.get(0).id()));
            assertThat(Files.readAllBytes(app.inbox().resolve(".done/" + DUMP + "/key/replay-again.jpg"))).isEqualTo(bytes);
            return ".done/" + DUMP + "/key/replay-again.jpg (one photo in RecoveryConnect, one ledger row)";
        }));
    }

    /** A PAVE link file (order_id,session_key rows) that cannot be used: kept in the link folder's .error/ with a note. */
    private void linkFile(String id, String name, String csv, String rule) {
        Path links = home.resolve("pave-links");
        cases.add(new Case(id, "drop folder (PAVE links)", "pave-links/" + name, rule, () -> write(links.resolve(name),
                csv.getBytes(StandardCharsets.UTF_8)), () -> {
            Path kept = links.resolve(".error/" + name);
            Path note = links.resolve(".error/" + name + ".error.txt");
            await(id + " error note of " + name).atMost(WAIT).until(() -> Files.exists(note) && Files.exists(kept));
            assertThat(kept).hasContent(csv);
            assertThat(links.resolve(name)).doesNotExist();
            assertThat(Files.readString(note)).contains("could not link the PAVE sessions of " + name).contains(rule);
            assertThat(app.paveRecords().sessionsOf(LINK_ORDER)).as("no session linked").isEmpty();
            return "pave-links/.error/" + name + " (+ .error.txt)";
        }));
    }

    // ------------------------------------------------------------------ S3 objects

    private void s3Cases() throws Exception {
        byte[] jpeg = Files.readAllBytes(MEDIA.resolve("key-exif.jpg"));
        byte[] png = Files.readAllBytes(MEDIA.resolve("no-exif.png"));
        byte[] clip = Files.readAllBytes(MEDIA.resolve("clip.mp4"));
        byte[] shortVideo = Files.readAllBytes(MEDIA.resolve("short.mp4"));

        rejectedObject("S01", BAD + "/empty.jpg", new byte[0], "file is empty (0 bytes)", BAD);
        rejectedObject("S02", BAD + "/cut-off.jpg", Arrays.copyOf(jpeg, jpeg.length - 700),
                "JPEG is truncated: no end-of-image marker (FF D9) at the end of the file", BAD);
        rejectedObject("S03", BAD + "/clip.jpg", clip, "content is video/mp4 but the name says .jpg", BAD);
        rejectedObject("S04", BAD + "/polyglot-png-zip.png", concat(png, emptyZip()), "PNG has a zip archive after its IEND chunk", BAD);
        byte[] oversized = oversizedJpeg(Files.readAllBytes(MEDIA.resolve("offset-exif.jpg")));
        rejectedObject("S05", BAD + "/oversized.jpg", oversized, "image is " + oversized.length + " bytes; the limit is "
                + MAX_IMAGE_BYTES + " bytes (photobridge.ingest.max-image-bytes)", BAD);
        rejectedObject("S06", BAD + "/too-short.mp4", shortVideo, "video is " + shortVideo.length
                + " bytes; Inspektlabs needs videos larger than 1 MB (1048576 bytes)", BAD);
        rejectedObject("S07", UNKNOWN_S3 + "/unknown-order.jpg", jpeg(new Color(200, 200, 10)), "HTTP 404 Order " + UNKNOWN_S3 + " not found.", UNKNOWN_S3);
        rejectedObject("S08", BAD + "/..\\..\\escape.jpg", jpeg, "path segment '..' is not allowed (no empty, '.' or '..' segments)", null);
        rejectedObject("S09", "\\etc\\absolute.jpg", jpeg, "/etc/absolute.jpg: absolute paths are not allowed: a path must be relative to the source root", null);
        rejectedObject("S10", BAD + "/bad\uFFFDname.jpg", jpeg, "name 'bad\\uFFFDname.jpg' is not valid UTF-8 (it was decoded with"
                + " replacement characters U+FFFD); rename the file using UTF-8", null);
        rejectedObject("S11", BAD + "/" + "L".repeat(300) + ".jpg", jpeg, "is 304 bytes long in UTF-8; at most 255 bytes per name are allowed", null);
        rejectedObject("S12", BAD + "/ctl\u0001.jpg", jpeg, "name 'ctl\\u0001.jpg' contains the control character U+0001", null);
        rejectedObject("S13", "misc/no-order.jpg", jpeg, "maps to no order: not under an <order_id>/ folder (folder 'misc' is not an order id)", null);
        rejectedObject("S14", BAD + "/bumper/unknown-type.jpg", jpeg, "unknown type folder 'bumper'", null);
    }

    /** An object the ingest pipeline refuses: copied under error/ byte for byte with its note object, then removed. */
    private void rejectedObject(String id, String path, byte[] bytes, String rule, Long order) {
        String key = PREFIX + path;
        if (order != null) {
            failedRows.merge(order, 1, Integer::sum);
        }
        cases.add(new Case(id, "S3", printable(key), rule, () -> put(key, bytes), () -> {
            String kept = "error/" + key;
            await(id + " error object of " + printable(key)).atMost(WAIT).until(() -> exists(kept + ".error.txt") && !exists(key));
            assertThat(s3.getObjectAsBytes(b -> b.bucket(BUCKET).key(kept)).asByteArray()).isEqualTo(bytes);
            String note = s3.getObjectAsBytes(b -> b.bucket(BUCKET).key(kept + ".error.txt")).asUtf8String();
            assertThat(note).contains("PhotoBridge could not deliver " + path).contains(rule).contains("s3://" + BUCKET + "/" + key);
            assertRecorded(order, "s3://" + BUCKET + "/" + key, rule);
            return "s3://" + BUCKET + "/" + printable(kept) + " (+ .error.txt)";
        }));
    }

    // ------------------------------------------------------------------ Inspektlabs webhook

    private void inspektlabsWebhookCases() {
        String path = "/webhooks/inspektlabs/" + IL_SECRET;
        refusedReport("W01", "wrong secret in the path", "/webhooks/inspektlabs/not-the-secret", "application/json", report("W01"),
                new String[0], 401, "missing or wrong webhook secret");
        refusedReport("W02", "no secret at all", "/webhooks/inspektlabs", "application/json", report("W02"),
                new String[0], 401, "missing or wrong webhook secret");
        refusedReport("W03", "wrong secret header", "/webhooks/inspektlabs", "application/json", report("W03"),
                new String[] {SECRET_HEADER, "sandbox-webhook-secreT"}, 401, "missing or wrong webhook secret");
        refusedReport("W04", "form body", path, "application/x-www-form-urlencoded",
                "inspectionId=W04&status=Available".getBytes(StandardCharsets.UTF_8), new String[0], 415, "a damage report must be application/json");
        refusedReport("W05", "malformed JSON", path, "application/json", "{\"inspectionId\":\"W05\",\"status\":".getBytes(StandardCharsets.UTF_8),
                new String[0], 400, "the body is not valid JSON");
        refusedReport("W06", "JSON without inspectionId", path, "application/json", json("{'status':'Available','caseId':'W06'}"),
                new String[0], 400, "a damage report needs a JSON object with an inspectionId");
        refusedReport("W07", "report over webhook-max-bytes", path, "application/json",
                json("{'inspectionId':'W07','pad':'" + "x".repeat(WEBHOOK_MAX_BYTES) + "'}"), new String[0], 413,
                "a damage report may be at most " + WEBHOOK_MAX_BYTES + " bytes");
        refusedReport("W08", "body over camel.server.max-body-size (6 MB)", path, "application/json",
                json("{'inspectionId':'W08','pad':'" + "x".repeat(6 * 1024 * 1024) + "'}"), new String[0], 413, "Request Entity Too Large");

        String rule = "{\"status\":\"duplicate\",\"inspectionId\":";
        cases.add(new Case("W09", "Inspektlabs webhook", "a delivered damage report posted again (path secret, then header secret)",
                rule, () -> { }, () -> {
            await("W09 a damage report of order " + UNKNOWN_FILE).atMost(WAIT).until(() -> app.damage().jobs(UNKNOWN_FILE).stream()
                    .anyMatch(j -> j.state() == DamageJobState.REPORTED));
            DamageJob job = app.damage().jobs(UNKNOWN_FILE).stream().filter(j -> j.state() == DamageJobState.REPORTED).findFirst().orElseThrow();
            DamageReport delivered = reportsOf(job.session()).get(0);
            HttpResponse<String> viaPath = send("POST", path, "application/json", delivered.body().getBytes(StandardCharsets.UTF_8));
            HttpResponse<String> viaHeader = send("POST", "/webhooks/inspektlabs", "application/json",
                    delivered.body().getBytes(StandardCharsets.UTF_8), SECRET_HEADER, IL_SECRET);
            for (HttpResponse<String> replay : List.of(viaPath, viaHeader)) {
                assertThat(replay.statusCode()).isEqualTo(200);
                assertThat(replay.body()).isEqualTo(rule + "\"" + job.session() + "\"}");
            }
            assertThat(reportsOf(job.session())).singleElement().satisfies(r -> assertThat(r.id()).isEqualTo(delivered.id()));
            assertThat(app.damage().get(job.id()).orElseThrow()).satisfies(j -> {
                assertThat(j.state()).isEqualTo(DamageJobState.REPORTED);
                assertThat(j.reportedAt()).isEqualTo(job.reportedAt());
            });
            return "damage_report: still one row for inspection " + job.session() + ", its job unchanged";
        }));
    }

    /** A report the webhook refuses: the status and message, and no report stored for it (every body carries its case id). */
    private void refusedReport(String id, String what, String path, String contentType, byte[] body, String[] headers, int status,
                               String rule) {
        cases.add(new Case(id, "Inspektlabs webhook", "POST " + path.replace(IL_SECRET, "<secret>") + ": " + what,
                status + " " + rule, () -> { }, () -> {
            HttpResponse<String> answer = send("POST", path, contentType, body, headers);
            assertThat(answer.statusCode()).isEqualTo(status);
            assertThat(answer.body()).contains(rule);
            if (status != 413 || !rule.equals("Request Entity Too Large")) { // the HTTP server's own plain-text answer
                assertThat(JSON.readTree(answer.body()).path("message").asText()).as("a valid JSON answer").isNotBlank();
            }
            assertThat(answer.headers().map().toString()).doesNotContain(IL_SECRET);
            // the case id as a value ("W04" in JSON, =W04& in a form): a random plate or VIN of a real report may hold the same
            // letters (4FZW046 holds W04)
            assertThat(app.damage().reports()).noneMatch(r -> id.equals(r.inspectionId())
                    || r.body().matches("(?s).*[\"=]" + id + "[\"&].*"));
            return "nothing stored (no damage_report)";
        }));
    }

    // ------------------------------------------------------------------ PAVE webhook

    private void paveWebhookCases() {
        String event = "{\"event\":\"SESSION:STAGE_CHANGE\",\"session_key\":\"%s\"}";
        refusedPaveEvent("W10", "no secret header", "application/json", String.format(event, "<linked>"), new String[0], 401,
                "missing or wrong X-PhotoBridge-Webhook-Secret");
        refusedPaveEvent("W11", "wrong secret header", "application/json", String.format(event, "<linked>"),
                new String[] {SECRET_HEADER, "not-the-pave-secret"}, 401, "missing or wrong X-PhotoBridge-Webhook-Secret");
        refusedPaveEvent("W12", "form body", "application/x-www-form-urlencoded", "event=SESSION:COMPLETE",
                new String[] {SECRET_HEADER, PAVE_SECRET}, 415, "a PAVE event must be application/json");
        refusedPaveEvent("W13", "malformed JSON", "application/json", "{\"event\":\"SESSION:COMPLETE\",",
                new String[] {SECRET_HEADER, PAVE_SECRET}, 400, "the body must be a JSON PAVE event");
        refusedPaveEvent("W14", "empty body", "application/json", "", new String[] {SECRET_HEADER, PAVE_SECRET}, 400,
                "the body must be a JSON PAVE event: an object with \\\"event\\\" and \\\"session_key\\\"");
        refusedPaveEvent("W15", "session linked to no order", "application/json", String.format(event, "SBX-NOTLINKED"),
                new String[] {SECRET_HEADER, PAVE_SECRET}, 200, "ignored: session 'SBX-NOTLINKED' is not linked to an order");

        String rule = "202 poll queued; the approved capture relayed once (RELAYED)";
        cases.add(new Case("W16", "PAVE webhook", "SESSION:STAGE_CHANGE of a linked session, delivered twice", rule, () -> { }, () -> {
            app.pave().capture(paveKey, 5, true, null, null);
            HttpResponse<String> first = send("POST", "/webhooks/pave", "application/json",
                    String.format(event, paveKey).getBytes(StandardCharsets.UTF_8), SECRET_HEADER, PAVE_SECRET);
            assertThat(first.statusCode()).isEqualTo(202);
            assertThat(first.body()).contains("poll queued for session '" + paveKey + "'");
            await("W16 the capture relayed").atMost(WAIT).until(() -> app.sandbox().photos(PAVE_ORDER).size() == 1
                    && app.paveRecords().capturesOf(PAVE_ORDER).stream().allMatch(c -> PaveCapture.RELAYED.equals(c.relayState()))
                    && session().lastPolledAt() != null);
            Instant polled = session().lastPolledAt();
            HttpResponse<String> replay = send("POST", "/webhooks/pave", "application/json",
                    String.format(event, paveKey).getBytes(StandardCharsets.UTF_8), SECRET_HEADER, PAVE_SECRET);
            assertThat(replay.statusCode()).isEqualTo(202);
            await("W16 the replay's poll done").atMost(WAIT).until(() -> session().lastPolledAt().isAfter(polled));
            assertThat(app.sandbox().photos(PAVE_ORDER)).hasSize(1);
            assertThat(app.paveRecords().capturesOf(PAVE_ORDER)).singleElement()
                    .satisfies(c -> assertThat(c.relayState()).isEqualTo(PaveCapture.RELAYED));
            assertThat(app.ledger().photos(PAVE_ORDER)).singleElement().satisfies(p -> assertThat(p.state()).isEqualTo(PhotoState.UPLOADED));
            return "one pave_capture row, one photo in RecoveryConnect";
        }));
    }

    /** A PAVE event the webhook refuses or ignores: the status and message; no poll, nothing relayed. */
    private void refusedPaveEvent(String id, String what, String contentType, String body, String[] headers, int status, String rule) {
        cases.add(new Case(id, "PAVE webhook", "POST /webhooks/pave: " + what, status + " " + rule, () -> { }, () -> {
            Instant polled = session().lastPolledAt();
            HttpResponse<String> answer = send("POST", "/webhooks/pave", contentType,
                    body.replace("<linked>", paveKey).getBytes(StandardCharsets.UTF_8), headers);
            assertThat(answer.statusCode()).isEqualTo(status);
            assertThat(answer.body()).contains(rule);
            assertThat(JSON.readTree(answer.body()).path("message").asText()).as("a valid JSON answer").isNotBlank();
            assertThat(answer.headers().map().toString()).doesNotContain(PAVE_SECRET);
            // no poll followed: the webhook queues a poll before it answers, so a wrongly queued one is now in the queue or
            // running; once both are empty, look
            await().atMost(WAIT).until(() -> app.context().getEndpoint("seda:pave-poll", SedaEndpoint.class).getCurrentQueueSize() == 0
                    && app.context().getInflightRepository().size("pave-poll-session") == 0);
            assertThat(session().lastPolledAt()).isEqualTo(polled);
            assertThat(app.sandbox().photos(PAVE_ORDER)).isEmpty();
            assertThat(app.paveRecords().session("SBX-NOTLINKED")).isEmpty();
            return "nothing polled or stored";
        }));
    }

    // ------------------------------------------------------------------ PhotoBridge's API

    private void apiCases() {
        String link = "/api/orders/" + LINK_ORDER + "/pave-sessions";
        refusedApiCall("A01", "POST " + link + " without the bearer token", "POST", link, json("{'session_key':'SBX-ANY'}"),
                new String[0], 401, "a valid bearer token is required (photobridge.api.token)");
        refusedApiCall("A02", "POST /api/orders/57O76504/pave-sessions (letter O)", "POST", "/api/orders/57O76504/pave-sessions",
                json("{}"), new String[] {"Authorization", BEARER}, 400, "order id '57O76504' is not a number");
        refusedApiCall("A03", "POST " + link + " with the body [] (not an object)", "POST", link, "[]".getBytes(StandardCharsets.UTF_8),
                new String[] {"Authorization", BEARER}, 400, "the body must be a JSON object");
        refusedApiCall("A04", "POST " + link + " with a session PAVE does not know", "POST", link, json("{'session_key':'SBX-NOSUCHSESSION'}"),
                new String[] {"Authorization", BEARER}, 404, "PAVE does not know session SBX-NOSUCHSESSION");
        refusedApiCall("A05", "POST " + link + " with the session linked to order " + PAVE_ORDER, "POST", link,
                json("{'session_key':'<linked>'}"), new String[] {"Authorization", BEARER}, 409, "is already linked to order " + PAVE_ORDER);
        refusedApiCall("A06", "GET /api/orders/" + BAD + "/records without the bearer token", "GET", "/api/orders/" + BAD + "/records",
                null, new String[0], 401, "a valid bearer token is required (photobridge.api.token)");
        refusedApiCall("A07", "GET /api/orders/5707650%0A5/records (a line break in the id)", "GET", "/api/orders/5707650%0A5/records", null,
                new String[] {"Authorization", BEARER}, 400, "order id '5707650\\n5' is not a number");
        refusedApiCall("A08", "POST /api/orders/5707650%0A4/pave-sessions (a line break in the id)", "POST",
                "/api/orders/5707650%0A4/pave-sessions", json("{}"), new String[] {"Authorization", BEARER}, 400,
                "order id '5707650\\n4' is not a number");
    }

    /** A call of PhotoBridge's API it refuses: the status and message; no PAVE session linked or created. */
    private void refusedApiCall(String id, String what, String method, String path, byte[] body, String[] headers, int status,
                                String rule) {
        cases.add(new Case(id, "API", what, status + " " + rule, () -> { }, () -> {
            byte[] sent = body == null ? null : new String(body, StandardCharsets.UTF_8).replace("<linked>", paveKey)
                    .getBytes(StandardCharsets.UTF_8);
            HttpResponse<String> answer = send(method, path, body == null ? null : "application/json", sent, headers);
            assertThat(answer.statusCode()).isEqualTo(status);
            assertThat(answer.body()).startsWith("{\"message\":").contains(rule);
            assertThat(JSON.readTree(answer.body()).path("message").asText()).as("a valid JSON answer").isNotBlank();
            assertThat(app.paveRecords().sessionsOf(LINK_ORDER)).isEmpty();
            assertThat(session().orderId()).isEqualTo(PAVE_ORDER);
            return "nothing changed (no PAVE session linked or created)";
        }));
    }

    // ------------------------------------------------------------------ checks and helpers

    /** The order records say why: a FAILED row of the order (order known), else a REJECTED event; both name the input's URI. */
    private void assertRecorded(Long order, String uri, String rule) {
        if (order != null) {
            assertThat(app.ledger().photos(order)).as("ledger rows of " + uri).filteredOn(p -> uri.equals(p.sourceUri()))
                    .singleElement().satisfies(p -> {
                        assertThat(p.state()).isEqualTo(PhotoState.FAILED);
                        assertThat(p.lastError()).contains(rule);
                    });
            assertThat(app.ledger().timeline(order)).filteredOn(e -> uri.equals(e.sourceUri()))
                    .extracting(PhotoEvent::kind).containsAnyOf("FAILED", "REJECTED");
        } else {
            assertThat(app.ledger().rejections()).as("REJECTED events of " + uri).filteredOn(e -> uri.equals(e.sourceUri()))
                    .singleElement().satisfies(e -> {
                        assertThat(e.detail()).contains(rule);
                        assertThat(e.orderId()).isNull();
                    });
        }
    }

    private PaveRecords.Session session() {
        return app.paveRecords().session(paveKey).orElseThrow();
    }

    private List<DamageReport> reportsOf(String inspectionId) {
        return app.damage().reports().stream().filter(r -> inspectionId.equals(r.inspectionId())).toList();
    }

    private HttpResponse<String> send(String method, String path, String contentType, byte[] body, String... headers)
            throws IOException, InterruptedException {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(app.httpBase() + path)).timeout(Duration.ofSeconds(30))
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofByteArray(body));
        if (contentType != null) {
            request.header("Content-Type", contentType);
        }
        for (int i = 0; i < headers.length; i += 2) {
            request.header(headers[i], headers[i + 1]);
        }
        return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    private static byte[] report(String id) {
        return json("{'inspectionId':'" + id + "','caseId':'" + id + "','status':'Available','uploadStatus':'complete upload',"
                + "'vehicleType':'Car','damages':[]}");
    }

    /** JSON written with single quotes for readability. */
    private static byte[] json(String text) {
        return text.replace('\'', '"').getBytes(StandardCharsets.UTF_8);
    }

    private void put(String key, byte[] bytes) {
        s3.putObject(b -> b.bucket(BUCKET).key(key), RequestBody.fromBytes(bytes));
    }

    private boolean exists(String key) {
        try {
            s3.headObject(b -> b.bucket(BUCKET).key(key));
            return true;
        } catch (NoSuchKeyException e) {
            return false;
        }
    }

    private List<String> keys(String prefix) {
        return s3.listObjectsV2Paginator(b -> b.bucket(BUCKET).prefix(prefix).encodingType(EncodingType.URL)).contents().stream()
                .map(S3Object::key).toList();
    }

    private static void write(Path file, byte[] bytes) throws IOException {
        Files.createDirectories(file.getParent());
        Files.write(file, bytes);
    }

    /** Writes bad\xFFname.jpg (a Latin-1 ÿ: not UTF-8) into dir; Java's file names are UTF-8 here, so a shell names it. */
    private void writeNonUtf8Name(Path dir, byte[] bytes) throws Exception {
        Files.createDirectories(dir);
        Path staged = Files.createTempFile(home, "staged", ".jpg");
        Files.write(staged, bytes);
        Process mv = new ProcessBuilder("sh", "-c", "mv \"$1\" \"$2/$(printf 'bad\\377name.jpg')\"", "sh",
                staged.toString(), dir.toString()).redirectErrorStream(true).start();
        assertThat(mv.waitFor(30, TimeUnit.SECONDS)).isTrue();
        assertThat(mv.exitValue()).as(new String(mv.getInputStream().readAllBytes(), StandardCharsets.UTF_8)).isZero();
    }

    /** The entries of a folder that Java shows under this name (a name that is not UTF-8 shows with U+FFFD). */
    private static List<Path> entriesNamed(Path dir, String name) throws IOException {
        List<Path> found = new ArrayList<>();
        if (!Files.isDirectory(dir)) {
            return found;
        }
        try (DirectoryStream<Path> entries = Files.newDirectoryStream(dir)) {
            for (Path entry : entries) {
                if (entry.getFileName().toString().equals(name)) {
                    found.add(entry);
                }
            }
        }
        return found;
    }

    /** A small JPEG of one colour: each colour gives a photo of its own. */
    private static byte[] jpeg(Color color) {
        BufferedImage image = new BufferedImage(64, 48, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = image.createGraphics();
        g.setColor(color);
        g.fillRect(0, 0, 64, 48);
        g.dispose();
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try {
            assertThat(ImageIO.write(image, "jpg", out)).isTrue();
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
        return out.toByteArray();
    }

    /** A valid JPEG over the image limit: three 60 000-byte COM segments right after the start-of-image marker. */
    private static byte[] oversizedJpeg(byte[] jpeg) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.write(jpeg, 0, 2);
        for (int i = 0; i < 3; i++) {
            int length = 60_000 + 2;
            out.write(0xFF);
            out.write(0xFE);
            out.write(length >> 8);
            out.write(length & 0xFF);
            byte[] comment = new byte[60_000];
            Arrays.fill(comment, (byte) ('a' + i));
            out.write(comment, 0, comment.length);
        }
        out.write(jpeg, 2, jpeg.length - 2);
        byte[] bytes = out.toByteArray();
        assertThat(bytes.length).isGreaterThan(MAX_IMAGE_BYTES);
        return bytes;
    }

    /** The end-of-central-directory record of an empty ZIP: appended to an image it makes a JPEG/ZIP or PNG/ZIP polyglot. */
    private static byte[] emptyZip() {
        return HexFormat.of().parseHex("504b0506000000000000000000000000000000000000");
    }

    private static byte[] concat(byte[] a, byte[] b) {
        byte[] joined = Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, joined, a.length, b.length);
        return joined;
    }

    private static String sha256(byte[] bytes) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    /** Control characters and U+FFFD as \\uXXXX, as PhotoBridge shows names. */
    private static String printable(String text) {
        StringBuilder out = new StringBuilder();
        for (char c : text.toCharArray()) {
            if (Character.isISOControl(c) || c == '\uFFFD') {
                out.append(String.format("\\u%04X", (int) c));
            } else {
                out.append(c);
            }
        }
        return out.toString();
    }

    private static String shorten(String text) {
        String p = printable(text);
        return p.length() <= 90 ? p : p.substring(0, 60) + "..." + p.substring(p.length() - 20);
    }

    /** A Markdown table cell: long runs shortened, pipes escaped. */
    private static String cell(String text) {
        String p = printable(Objects.toString(text, "")).replaceAll("(.)\\1{20,}", "$1$1$1...$1");
        return p.replace("|", "\\|");
    }

    private static int freePort() throws IOException {
        try (java.net.ServerSocket socket = new java.net.ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }

    /** Keeps PhotoBridge's log lines (level, message) for the checks that only a log line can show. */
    private static final class LogCapture extends AbstractAppender {

        private final List<String> lines = new CopyOnWriteArrayList<>();

        private LogCapture() {
            super("bad-inputs-capture", null, null, true, Property.EMPTY_ARRAY);
        }

        static LogCapture install() {
            LogCapture capture = new LogCapture();
            capture.start();
            LoggerContext context = (LoggerContext) LogManager.getContext(false);
            context.getConfiguration().getRootLogger().addAppender(capture, Level.INFO, null);
            context.updateLoggers();
            return capture;
        }

        void remove() {
            LoggerContext context = (LoggerContext) LogManager.getContext(false);
            context.getConfiguration().getRootLogger().removeAppender(getName());
            context.updateLoggers();
            stop();
        }

        @Override
        public void append(LogEvent event) {
            lines.add(event.getLevel() + " " + event.getMessage().getFormattedMessage());
        }

        boolean contains(String level, String text) {
            return lines.stream().anyMatch(l -> l.startsWith(level + " ") && l.contains(text));
        }
    }
}
