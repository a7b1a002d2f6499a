package io.photobridge.inspektlabs;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.photobridge.ingest.FileMediaSource;
import io.photobridge.ingest.MediaSource;
import io.photobridge.vendor.RetryableVendorException;
import io.photobridge.vendor.VendorException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The client's requests byte for byte, against a JDK HTTP server that records the raw bodies. */
class InspektlabsClientWireTest {

    private static final Path JPEG = Path.of("src/test/resources/media/key-exif.jpg");
    private static final Path PNG = Path.of("src/test/resources/media/no-exif.png");
    private static final Path MP4 = Path.of("src/test/resources/media/clip.mp4");
    private static final String KEY = "wire-secret-key-123";

    private CaptureServer server;

    @BeforeEach
    void start() throws IOException {
        server = new CaptureServer();
    }

    @AfterEach
    void stop() {
        server.close();
    }

    private InspektlabsClient client(String bearer) {
        return new InspektlabsClient(new InspektlabsSettings(server.baseUrl(), KEY, "client-7", bearer,
                Duration.ofSeconds(2), Duration.ofSeconds(5), Duration.ofSeconds(30)));
    }

    private InspektlabsClient client() {
        return client(null);
    }

    private static InspektlabsSession session() {
        return new InspektlabsSession("in123abc", "jwt-token");
    }

    @Test
    void multipartBodyIsByteExactWithFieldsFirstThenOneFilesPartPerSource() throws Exception {
        byte[] jpeg = Files.readAllBytes(JPEG);
        byte[] png = Files.readAllBytes(PNG);
        byte[] heic = Files.readAllBytes(Path.of("src/test/resources/media/exif.heic"));
        MediaSource quoted = new CountingSource("front \"left\"\r\nside.JPG", png, true, new CountingSource.Counters());
        MediaSource typed = new TypedMediaSource(new CountingSource("rear", heic, true, new CountingSource.Counters()), "image/heic");

        UploadAccepted accepted = client().uploadFiles(session(), "case_001",
                List.of(new FileMediaSource(JPEG), quoted, typed),
                new UploadOptions("https://hooks.example.com/inspektlabs", "ops@example.com", "agent-9", "Zoë Agent"));

        assertThat(accepted).isEqualTo(new UploadAccepted("success", "s", "", "c"));
        CaptureServer.Captured request = server.last();
        assertThat(request.method()).isEqualTo("POST");
        assertThat(request.path()).isEqualTo("/api/upload");
        assertThat(request.header("Authorization")).isEqualTo("Bearer jwt-token");
        String contentType = request.header("Content-Type");
        assertThat(contentType).startsWith("multipart/form-data; boundary=");
        String boundary = contentType.substring("multipart/form-data; boundary=".length());
        assertThat(boundary).matches("[A-Za-z0-9-]{20,70}");
        assertThat(request.header("Transfer-Encoding")).isNull();
        assertThat(Long.parseLong(request.header("Content-Length"))).isEqualTo(request.body().length);

        ByteArrayOutputStream expected = new ByteArrayOutputStream();
        for (String[] field : new String[][] {{"type", "file"}, {"session", "in123abc"}, {"case_id", "case_001"},
                {"email_id", "ops@example.com"}, {"callback_url", "https://hooks.example.com/inspektlabs"},
                {"agent_id", "agent-9"}, {"agent_name", "Zoë Agent"}}) {
            expected.writeBytes(("--" + boundary + "\r\nContent-Disposition: form-data; name=\"" + field[0] + "\"\r\n\r\n"
                    + field[1] + "\r\n").getBytes(StandardCharsets.UTF_8));
        }
        filePart(expected, boundary, "key-exif.jpg", "image/jpeg", jpeg);
        filePart(expected, boundary, "front %22left%22%0D%0Aside.JPG", "image/jpeg", png);
        filePart(expected, boundary, "rear", "image/heic", heic);
        expected.writeBytes(("--" + boundary + "--\r\n").getBytes(StandardCharsets.US_ASCII));
        assertThat(request.body()).isEqualTo(expected.toByteArray());

        List<Part> parts = parse(request.body(), boundary);
        assertThat(parts).extracting(Part::name).containsExactly("type", "session", "case_id", "email_id", "callback_url",
                "agent_id", "agent_name", "files", "files", "files");
        List<Part> files = parts.subList(7, 10);
        assertThat(files).extracting(Part::filename)
                .containsExactly("key-exif.jpg", "front %22left%22%0D%0Aside.JPG", "rear");
        assertThat(files).extracting(p -> sha256(p.content())).containsExactly(sha256(jpeg), sha256(png), sha256(heic));
    }

    @Test
    void optionalFieldsThatAreNotSetAreNotSent() throws Exception {
        client().uploadFiles(session(), "case_002", List.of(new FileMediaSource(MP4)), UploadOptions.none());

        CaptureServer.Captured request = server.last();
        String boundary = request.header("Content-Type").replaceAll(".*boundary=", "");
        List<Part> parts = parse(request.body(), boundary);
        assertThat(parts).extracting(Part::name).containsExactly("type", "session", "case_id", "files");
        assertThat(parts.get(3).contentType()).isEqualTo("video/mp4");
        assertThat(sha256(parts.get(3).content())).isEqualTo(sha256(Files.readAllBytes(MP4)));
        assertThat(Long.parseLong(request.header("Content-Length"))).isEqualTo(request.body().length);
    }

    @Test
    void ninetyNineSourcesAreOpenedOneAtATimeAndAllClosed() throws Exception {
        CountingSource.Counters counters = new CountingSource.Counters();
        List<MediaSource> files = new ArrayList<>();
        List<String> shas = new ArrayList<>();
        for (int i = 0; i < 99; i++) {
            byte[] bytes = ("photo " + i + " ").repeat(100 + i).getBytes(StandardCharsets.US_ASCII);
            files.add(new CountingSource("IMG_" + i + ".jpg", bytes, true, counters));
            shas.add(sha256(bytes));
        }

        client().uploadFiles(session(), "case_003", files, null);

        assertThat(counters.opened).hasValue(99);
        assertThat(counters.closed).hasValue(99);
        assertThat(counters.maxOpen).hasValue(1);
        CaptureServer.Captured request = server.last();
        assertThat(Long.parseLong(request.header("Content-Length"))).isEqualTo(request.body().length);
        List<Part> parts = parse(request.body(), request.header("Content-Type").replaceAll(".*boundary=", ""));
        assertThat(parts.stream().filter(p -> p.name().equals("files")).map(p -> sha256(p.content())).toList())
                .containsExactlyElementsOf(shas);
    }

    @Test
    void aSourceOfUnknownSizeIsSentChunkedWithTheSameBytes() throws Exception {
        byte[] jpeg = Files.readAllBytes(JPEG);
        CountingSource.Counters counters = new CountingSource.Counters();

        client().uploadFiles(session(), "case_004", List.of(new CountingSource("a.jpg", jpeg, true, counters),
                new CountingSource("b.jpg", jpeg, false, counters)), null);

        CaptureServer.Captured request = server.last();
        assertThat(request.header("Content-Length")).isNull();
        assertThat(request.header("Transfer-Encoding")).isEqualToIgnoringCase("chunked");
        List<Part> parts = parse(request.body(), request.header("Content-Type").replaceAll(".*boundary=", ""));
        assertThat(parts).extracting(Part::filename).containsExactly(null, null, null, "a.jpg", "b.jpg");
        assertThat(sha256(parts.get(4).content())).isEqualTo(sha256(jpeg));
        assertThat(counters.maxOpen).hasValue(1);
        assertThat(counters.closed).hasValue(2);
    }

    @Test
    void aSessionIsRefusedLocallyForASecondUpload() {
        InspektlabsClient client = client();
        InspektlabsSession session = session();
        client.uploadFiles(session, "case_005", List.of(new FileMediaSource(JPEG)), null);
        assertThat(session.used()).isTrue();

        assertThatThrownBy(() -> client.uploadFiles(session, "case_005", List.of(new FileMediaSource(JPEG)), null))
                .isInstanceOf(IllegalStateException.class).hasMessageContaining("in123abc");
        assertThatThrownBy(() -> client.uploadUrls(session, "case_005", UrlUpload.of(List.of("http://x/1.jpg")), null))
                .isInstanceOf(IllegalStateException.class);
        assertThat(server.requests()).hasSize(1);
    }

    @Test
    void aSourceThatFailsWhileBeingReadIsALocalFailureNotAVendorOne() {
        MediaSource broken = new MediaSource() {
            @Override
            public String displayName() {
                return "broken.jpg";
            }

            @Override
            public String uri() {
                return "test:broken.jpg";
            }

            @Override
            public long size() {
                return 10_000;
            }

            @Override
            public InputStream open() throws IOException {
                throw new IOException("disk gone");
            }

            @Override
            public Optional<Instant> lastModified() {
                return Optional.empty();
            }
        };
        InspektlabsSession session = session();

        assertThatThrownBy(() -> client().uploadFiles(session, "case_006", List.of(broken), null))
                .isInstanceOf(UncheckedIOException.class).isNotInstanceOf(VendorException.class)
                .hasMessageContaining("test:broken.jpg").hasMessageContaining("disk gone");
        assertThat(session.used()).isTrue();
    }

    @Test
    void aSourceShorterThanItsSizeFailsInsteadOfSendingAWrongBody() {
        MediaSource declaredBigger = new MediaSource() {
            @Override
            public String displayName() {
                return "shrunk.jpg";
            }

            @Override
            public String uri() {
                return "test:shrunk.jpg";
            }

            @Override
            public long size() {
                return 200;
            }

            @Override
            public InputStream open() {
                return new java.io.ByteArrayInputStream(new byte[100]);
            }

            @Override
            public Optional<Instant> lastModified() {
                return Optional.empty();
            }
        };

        assertThatThrownBy(() -> client().uploadFiles(session(), "case_007", List.of(declaredBigger), null))
                .isInstanceOf(UncheckedIOException.class).hasMessageContaining("shrank");
    }

    @Test
    void urlUploadSendsTheVendorsFieldNames() throws Exception {
        server.answer(new CaptureServer.Answer(200, "{\"status\":\"success\",\"id\":\"in123abc\",\"message\":\"\",\"case_id\":\"case_008\"}"));
        UrlUpload upload = new UrlUpload(List.of("https://cdn.example.com/1.jpg", "https://cdn.example.com/2.jpg"),
                List.of(List.of("https://cdn.example.com/3.jpg", "https://cdn.example.com/4.jpg")),
                List.of("side", "front_back"), List.of("back"), "fetch-secret", Map.of("model", "Toyota Corolla"));

        UploadAccepted accepted = client().uploadUrls(session(), "case_008", upload, UploadOptions.callback("https://hooks/x"));

        assertThat(accepted.caseId()).isEqualTo("case_008");
        CaptureServer.Captured request = server.last();
        assertThat(request.header("Content-Type")).isEqualTo("application/json");
        assertThat(request.header("Authorization")).isEqualTo("Bearer jwt-token");
        JsonNode body = new ObjectMapper().readTree(request.body());
        List<String> names = new ArrayList<>();
        body.fieldNames().forEachRemaining(names::add);
        assertThat(names).containsExactly("session", "case_id", "type", "urls", "url_pairs", "original_Id", "original_pair_Id",
                "auth", "callback_url", "inputMetaData");
        assertThat(body.get("type").asText()).isEqualTo("urls");
        assertThat(body.get("url_pairs").get(0).size()).isEqualTo(2);
        assertThat(body.get("auth").asText()).isEqualTo("fetch-secret");
        assertThat(body.get("inputMetaData").get("model").asText()).isEqualTo("Toyota Corolla");
        assertThat(upload.toString()).doesNotContain("fetch-secret");
        assertThatThrownBy(() -> new UrlUpload(List.of(), List.of(List.of("a", "b", "c")), null, null, null, null))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("exactly 2");
    }

    @Test
    void authenticateSendsKeyAndClientIdAndPicksTheConfiguredBearer() throws Exception {
        server.answer(new CaptureServer.Answer(200,
                "{\"session\":\"inAbc1700000000\",\"access_token\":\"acc\",\"refresh_token\":\"ref\"}"));

        InspektlabsSession byDefault = client().authenticate();
        JsonNode body = new ObjectMapper().readTree(server.last().body());
        InspektlabsSession byRefresh = client("refresh_token").authenticate();

        assertThat(server.last().path()).isEqualTo("/api/authenticate");
        assertThat(body.get("key").asText()).isEqualTo(KEY);
        assertThat(body.get("client_id").asText()).isEqualTo("client-7");
        assertThat(byDefault.session()).isEqualTo("inAbc1700000000");
        assertThat(byDefault.bearerToken()).isEqualTo("acc");
        assertThat(byRefresh.bearerToken()).isEqualTo("ref");
        assertThat(byDefault.toString()).doesNotContain("acc").contains("inAbc1700000000");
        assertThat(client().settings().toString()).doesNotContain(KEY);
        assertThatThrownBy(() -> client("id_token")).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void anAuthenticationRefusalNeverShowsTheKeyEvenWhenTheVendorEchoesIt() {
        server.answer(new CaptureServer.Answer(401, "{\"message\":\"API Key not valid: " + KEY + "\"}"));

        assertThatThrownBy(() -> client().authenticate())
                .isExactlyInstanceOf(VendorException.class)
                .hasMessageContaining("HTTP 401").hasMessageContaining("API Key not valid")
                .hasMessageNotContaining(KEY);
    }

    @Test
    void vendorAnswersBecomeTypedOutcomes() {
        server.answer(new CaptureServer.Answer(404, "{\"message\":\"Something Went Worng\"}"));
        assertThatThrownBy(() -> client().uploadFiles(session(), "c", List.of(new FileMediaSource(JPEG)), null))
                .isInstanceOfSatisfying(InspektlabsUnexpectedError.class, e -> assertThat(e.boundedRetry()).isTrue())
                .isInstanceOf(RetryableVendorException.class);

        server.answer(new CaptureServer.Answer(415, "{\"message\":\"unsupported file type only images or videos\"}"));
        assertThatThrownBy(() -> client().uploadFiles(session(), "c", List.of(new FileMediaSource(JPEG)), null))
                .isInstanceOfSatisfying(InspektlabsRejection.class,
                        e -> assertThat(e.reason()).isEqualTo(InspektlabsRejection.Reason.UNSUPPORTED_MEDIA_TYPE));

        server.answer(new CaptureServer.Answer(400, "{\"message\":\"please generate new token and session\"}"));
        assertThatThrownBy(() -> client().uploadUrls(session(), "c", UrlUpload.of(List.of("http://x/1.jpg")), null))
                .isInstanceOfSatisfying(InspektlabsRejection.class,
                        e -> assertThat(e.reason()).isEqualTo(InspektlabsRejection.Reason.SESSION_USED));

        server.answer(new CaptureServer.Answer(200, "{\"status\":\"failed\",\"message\":\"Invalid file type\"}"));
        assertThatThrownBy(() -> client().uploadFiles(session(), "c", List.of(new FileMediaSource(JPEG)), null))
                .isInstanceOfSatisfying(InspektlabsRejection.class,
                        e -> assertThat(e.reason()).isEqualTo(InspektlabsRejection.Reason.INVALID_FILE_TYPE));

        server.answer(new CaptureServer.Answer(429, "{\"message\":\"API call limit exceeded\"}", Map.of("Retry-After", "12")));
        assertThatThrownBy(() -> client().feedback(session(), "in123abc", "good"))
                .isInstanceOfSatisfying(RetryableVendorException.class,
                        e -> assertThat(e.retryAfter()).contains(Duration.ofSeconds(12)));
    }

    @Test
    void noAnswerIsRetryable() throws IOException {
        InspektlabsClient client = client();
        server.close();

        assertThatThrownBy(client::authenticate).isInstanceOf(RetryableVendorException.class).hasMessageContaining("no answer");
    }

    private static void filePart(ByteArrayOutputStream out, String boundary, String filename, String type, byte[] bytes) {
        out.writeBytes(("--" + boundary + "\r\nContent-Disposition: form-data; name=\"files\"; filename=\"" + filename
                + "\"\r\nContent-Type: " + type + "\r\n\r\n").getBytes(StandardCharsets.UTF_8));
        out.writeBytes(bytes);
        out.writeBytes("\r\n".getBytes(StandardCharsets.US_ASCII));
    }

    /** One part of a multipart body: its field name, file name (null for a field), Content-Type and content. */
    record Part(String name, String filename, String contentType, byte[] content) {
    }

    /** A strict multipart parser: the body must be exactly delimiter, parts, close delimiter. */
    static List<Part> parse(byte[] body, String boundary) {
        byte[] first = ("--" + boundary + "\r\n").getBytes(StandardCharsets.US_ASCII);
        byte[] delimiter = ("\r\n--" + boundary).getBytes(StandardCharsets.US_ASCII);
        assertThat(java.util.Arrays.copyOf(body, first.length)).isEqualTo(first);
        List<Part> parts = new ArrayList<>();
        int pos = first.length;
        while (true) {
            int headersEnd = indexOf(body, "\r\n\r\n".getBytes(StandardCharsets.US_ASCII), pos);
            String headers = new String(body, pos, headersEnd - pos, StandardCharsets.UTF_8);
            int end = indexOf(body, delimiter, headersEnd + 4);
            byte[] content = java.util.Arrays.copyOfRange(body, headersEnd + 4, end);
            String name = null;
            String filename = null;
            String type = null;
            for (String line : headers.split("\r\n")) {
                if (line.startsWith("Content-Disposition: form-data; name=\"")) {
                    name = line.replaceAll("^Content-Disposition: form-data; name=\"([^\"]*)\".*$", "$1");
                    if (line.contains("; filename=\"")) {
                        filename = line.replaceAll("^.*; filename=\"([^\"]*)\"$", "$1");
                    }
                } else if (line.startsWith("Content-Type: ")) {
                    type = line.substring("Content-Type: ".length());
                } else {
                    throw new AssertionError("unexpected part header: " + line);
                }
            }
            parts.add(new Part(name, filename, type, content));
            pos = end + delimiter.length;
            String after = new String(body, pos, Math.min(4, body.length - pos), StandardCharsets.US_ASCII);
            if (after.equals("--\r\n")) {
                assertThat(pos + 4).as("nothing after the close delimiter").isEqualTo(body.length);
                return parts;
            }
            assertThat(after).startsWith("\r\n");
            pos += 2;
        }
    }

    private static int indexOf(byte[] haystack, byte[] needle, int from) {
        outer:
        for (int i = from; i <= haystack.length - needle.length; i++) {
            for (int j = 0; j < needle.length; j++) {
                if (haystack[i + j] != needle[j]) {
                    continue outer;
                }
            }
            return i;
        }
        throw new AssertionError("not found from " + from);
    }

    static String sha256(byte[] bytes) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
