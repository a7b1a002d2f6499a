package io.photobridge.sandbox;

import static io.photobridge.sandbox.InspektlabsTestClient.JPEG;
import static io.photobridge.sandbox.InspektlabsTestClient.bytes;
import static io.photobridge.sandbox.InspektlabsTestClient.fileUpload;
import static io.photobridge.sandbox.InspektlabsTestClient.sha256;
import static io.photobridge.sandbox.InspektlabsTestClient.urlUpload;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.NoSuchElementException;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.photobridge.sandbox.InspektlabsTestClient.Auth;
import io.photobridge.sandbox.InspektlabsTestClient.MediaServer;
import io.photobridge.sandbox.InspektlabsTestClient.Multipart;
import io.photobridge.sandbox.InspektlabsTestClient.Receiver;
import io.photobridge.sandbox.InspektlabsTestClient.Response;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class InspektlabsSandboxTest {

    private static final Duration CALLBACK_DELAY = Duration.ofMillis(200);
    private static final byte[] VIDEO_1_5_MB = bytes(1_572_864, 15);

    @TempDir
    Path work;

    private InspektlabsSandbox sandbox;
    private InspektlabsTestClient client;
    private Receiver receiver;

    @BeforeEach
    void startSandbox() throws IOException {
        receiver = new Receiver();
        sandbox = start(InspektlabsSandbox.Settings.defaults().withCallbackDelay(CALLBACK_DELAY));
    }

    @AfterEach
    void stopSandbox() {
        sandbox.stop();
        receiver.close();
    }

    private InspektlabsSandbox start(InspektlabsSandbox.Settings settings) {
        InspektlabsSandbox started = new InspektlabsSandbox(settings);
        started.start();
        client = new InspektlabsTestClient(started.baseUrl());
        return started;
    }

    private void restartWith(InspektlabsSandbox.Settings settings) {
        sandbox.stop();
        sandbox = start(settings);
    }

    /** A valid one-image body for this session, sent to the test receiver. */
    private Multipart oneImage(Auth auth) {
        return fileUpload(auth, receiver.url()).file("front.jpg", "image/jpeg", JPEG);
    }

    private static void assertRefused(Response response, int status, String message) {
        assertThat(response.status()).as(response.body()).isEqualTo(status);
        assertThat(response.json().path("message").asText()).isEqualTo(message);
        assertThat(response.json().size()).as("error body is {\"message\": ...}").isEqualTo(1);
    }

    // ------------------------------------------------------------------ auth

    @Test
    void authenticateAnswersSessionAccessTokenAndRefreshToken() throws Exception {
        Response response = client.authenticate(InspektlabsSandbox.DEFAULT_API_KEY);

        assertThat(response.status()).isEqualTo(200);
        JsonNode json = response.json();
        assertThat(json.path("session").asText()).matches("in[a-z0-9]{10}\\d{13}");
        assertThat(json.path("access_token").asText()).matches("[A-Za-z0-9_-]+\\.[A-Za-z0-9_-]+\\.[A-Za-z0-9_-]+");
        assertThat(json.path("refresh_token").asText()).isNotBlank().isNotEqualTo(json.path("access_token").asText());
        assertThat(sandbox.authRequests()).isEqualTo(1);
        assertThat(client.auth().session()).isNotEqualTo(json.path("session").asText());
    }

    @Test
    void authenticateWithoutKeyAnswers400InvalidApiKey() throws Exception {
        assertRefused(client.authenticate(null), 400, "Invalid API key");
        assertRefused(client.postJson("/api/authenticate", "not json", null), 400, "Invalid API key");
    }

    @Test
    void authenticateWithWrongKeyAnswers401ApiKeyNotValid() throws Exception {
        assertRefused(client.authenticate("not-the-key"), 401, "API Key not valid");
    }

    @Test
    void configuredApiKeyIsTheOneAccepted() throws Exception {
        restartWith(InspektlabsSandbox.Settings.defaults().withApiKey("other-key"));

        assertRefused(client.authenticate(InspektlabsSandbox.DEFAULT_API_KEY), 401, "API Key not valid");
        assertThat(client.authenticate("other-key").status()).isEqualTo(200);
    }

    @Test
    void uploadWithoutValidBearerAnswers401() throws Exception {
        Auth auth = client.auth();

        assertRefused(client.upload(oneImage(auth), null), 401, InspektlabsSandbox.UNAUTHORIZED);
        assertRefused(client.upload(oneImage(auth), "made-up-token"), 401, InspektlabsSandbox.UNAUTHORIZED);
        assertThat(sandbox.uploadRequests()).isZero();
        assertThat(sandbox.uploads()).isEmpty();
    }

    @Test
    void bothAccessTokenAndRefreshTokenWorkAsBearer() throws Exception {
        Auth first = client.auth();
        Auth second = client.auth();

        assertThat(client.upload(oneImage(first), first.accessToken()).status()).isEqualTo(200);
        assertThat(client.upload(oneImage(second), second.refreshToken()).status()).isEqualTo(200);
        assertThat(sandbox.uploads()).extracting(InspektlabsUpload::session).containsExactly(first.session(), second.session());
    }

    @Test
    void sessionIsBoundToTheTokensIssuedWithIt() throws Exception {
        Auth mine = client.auth();
        Auth other = client.auth();

        assertRefused(client.upload(oneImage(mine), other.accessToken()), 400, "please generate new token and session");
        assertThat(client.upload(oneImage(mine), mine.accessToken()).status()).isEqualTo(200);
    }

    @Test
    void newSessionIssuesTokensWithoutHttp() throws Exception {
        InspektlabsSandbox.Session issued = sandbox.newSession();
        Auth auth = new Auth(issued.session(), issued.accessToken(), issued.refreshToken());

        assertThat(client.upload(oneImage(auth), issued.accessToken()).status()).isEqualTo(200);
        assertThat(issued.toString()).doesNotContain(issued.accessToken()).doesNotContain(issued.refreshToken());
        assertThat(sandbox.authRequests()).isZero();
    }

    // ------------------------------------------------------------------ file uploads

    @Test
    void acceptedFileUploadAnswersSuccessAndRecordsEveryFile() throws Exception {
        Auth auth = client.auth();
        byte[] back = bytes(5000, 2);
        Multipart body = fileUpload(auth, receiver.url())
                .field("email_id", "adjuster@example.com")
                .field("agent_id", "A-17")
                .field("agent_name", "Sandbox Agent")
                .file("front.jpg", "image/jpeg", JPEG)
                .file("back.PNG", "image/png", back)
                .file("side.heic", "application/octet-stream", JPEG);

        Response response = client.upload(body, auth.accessToken());

        assertThat(response.status()).as(response.body()).isEqualTo(200);
        JsonNode json = response.json();
        assertThat(json.path("status").asText()).isEqualTo("success");
        assertThat(json.path("id").asText()).isEqualTo(auth.session());
        assertThat(json.path("message").asText()).isEmpty();
        assertThat(json.path("case_id").asText()).isEqualTo("case-" + auth.session().substring(2, 8));
        InspektlabsUpload upload = sandbox.uploads().get(0);
        assertThat(upload.mode()).isEqualTo("file");
        assertThat(upload.session()).isEqualTo(auth.session());
        assertThat(upload.callbackUrl()).isEqualTo(receiver.url());
        assertThat(upload.emailId()).isEqualTo("adjuster@example.com");
        assertThat(upload.agentId()).isEqualTo("A-17");
        assertThat(upload.agentName()).isEqualTo("Sandbox Agent");
        assertThat(upload.urls()).isEmpty();
        assertThat(upload.files()).containsExactly(
                new InspektlabsUpload.UploadedFile("front.jpg", JPEG.length, sha256(JPEG), "image/jpeg"),
                new InspektlabsUpload.UploadedFile("back.PNG", back.length, sha256(back), "image/png"),
                new InspektlabsUpload.UploadedFile("side.heic", JPEG.length, sha256(JPEG), "application/octet-stream"));
        assertThat(sandbox.uploadRequests()).isEqualTo(1);
    }

    @Test
    void sessionIsSingleUse() throws Exception {
        Auth auth = client.auth();
        assertThat(client.upload(oneImage(auth), auth.accessToken()).status()).isEqualTo(200);

        assertRefused(client.upload(oneImage(auth), auth.accessToken()), 400, "please generate new token and session");
        assertRefused(client.upload(oneImage(auth), auth.refreshToken()), 400, "please generate new token and session");
        assertThat(sandbox.uploads()).hasSize(1);
        assertThat(sandbox.uploadRequests()).isEqualTo(3);
    }

    @Test
    void refusedUploadDoesNotConsumeTheSession() throws Exception {
        Auth auth = client.auth();
        Response refused = client.upload(fileUpload(auth, receiver.url()).file("notes.txt", "text/plain", JPEG), auth.accessToken());
        assertRefused(refused, 400, "Invalid file type, only image or video allowed");

        assertThat(client.upload(oneImage(auth), auth.accessToken()).status()).isEqualTo(200);
    }

    @Test
    void concurrentUploadsWithOneSessionAcceptOnlyOne() throws Exception {
        Auth auth = client.auth();
        ExecutorService pool = Executors.newFixedThreadPool(8);
        try {
            List<Future<Integer>> answers = new ArrayList<>();
            for (int i = 0; i < 8; i++) {
                Callable<Integer> upload = () -> client.upload(oneImage(auth), auth.accessToken()).status();
                answers.add(pool.submit(upload));
            }
            List<Integer> statuses = new ArrayList<>();
            for (Future<Integer> answer : answers) {
                statuses.add(answer.get());
            }
            assertThat(statuses).filteredOn(status -> status == 200).hasSize(1);
            assertThat(statuses).filteredOn(status -> status == 400).hasSize(7);
            assertThat(sandbox.uploads()).hasSize(1);
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void missingSessionCaseIdOrTypeIsRefusedNamingTheField() throws Exception {
        Auth auth = client.auth();
        Multipart noSession = new Multipart().field("type", "file").field("case_id", "c1").field("callback_url", receiver.url())
                .file("a.jpg", "image/jpeg", JPEG);
        Multipart noCase = new Multipart().field("type", "file").field("session", auth.session()).field("callback_url", receiver.url())
                .file("a.jpg", "image/jpeg", JPEG);
        Multipart noType = new Multipart().field("session", auth.session()).field("case_id", "c1").field("callback_url", receiver.url())
                .file("a.jpg", "image/jpeg", JPEG);
        Multipart wrongType = new Multipart().field("type", "urls").field("session", auth.session()).field("case_id", "c1")
                .field("callback_url", receiver.url()).file("a.jpg", "image/jpeg", JPEG);
        Multipart noFiles = fileUpload(auth, receiver.url());

        assertRefused(client.upload(noSession, auth.accessToken()), 400, "session is required");
        assertRefused(client.upload(noCase, auth.accessToken()), 400, "case_id is required");
        assertRefused(client.upload(noType, auth.accessToken()), 400, "type is required");
        assertRefused(client.upload(wrongType, auth.accessToken()), 400, "type must be \"file\" for multipart/form-data uploads");
        assertRefused(client.upload(noFiles, auth.accessToken()), 400, "files is required");
        assertThat(client.upload(oneImage(auth), auth.accessToken()).status()).isEqualTo(200);
    }

    @Test
    void unknownSessionIsRefusedBeforeMissingFields() throws Exception {
        Auth auth = client.auth();
        Multipart body = new Multipart().field("session", "in0000000000" + System.currentTimeMillis())
                .file("a.jpg", "image/jpeg", JPEG);

        assertRefused(client.upload(body, auth.accessToken()), 400, "please generate new token and session");
    }

    @Test
    void ninetyNineImagesAreAcceptedAndAHundredAreRefused() throws Exception {
        Auth ok = client.auth();
        Multipart ninetyNine = fileUpload(ok, receiver.url());
        for (int i = 1; i <= 99; i++) {
            ninetyNine.file("photo-" + i + ".jpg", "image/jpeg", JPEG);
        }
        Auth tooMany = client.auth();
        Multipart hundred = fileUpload(tooMany, receiver.url());
        for (int i = 1; i <= 100; i++) {
            hundred.file("photo-" + i + ".jpg", "image/jpeg", JPEG);
        }

        assertThat(client.upload(ninetyNine, ok.accessToken()).status()).isEqualTo(200);
        assertThat(sandbox.uploads().get(0).files()).hasSize(99);
        assertRefused(client.upload(hundred, tooMany.accessToken()), 400, "Maximum 99 images upload possible");
    }

    @Test
    void tooManyImagesIsCheckedBeforeTheFileTypes() throws Exception {
        Auth auth = client.auth();
        Multipart body = fileUpload(auth, receiver.url()).file("scan.pdf", "application/pdf", JPEG);
        for (int i = 1; i <= 100; i++) {
            body.file("photo-" + i + ".jpg", "image/jpeg", JPEG);
        }

        assertRefused(client.upload(body, auth.accessToken()), 400, "Maximum 99 images upload possible");
    }

    @ParameterizedTest
    @ValueSource(strings = {"scan.pdf", "photo.gif", "photo.jpg.exe", "photo", "clip.wmv"})
    void fileWithAnotherExtensionIsRefusedAsInvalidFileType(String fileName) throws Exception {
        Auth auth = client.auth();
        Multipart body = fileUpload(auth, receiver.url()).file("ok.jpg", "image/jpeg", JPEG).file(fileName, "image/jpeg", JPEG);

        assertRefused(client.upload(body, auth.accessToken()), 400, "Invalid file type, only image or video allowed");
    }

    @ParameterizedTest
    @ValueSource(strings = {"photo.jpg", "photo.JPEG", "photo.png", "photo.jfif", "photo.heic"})
    void everyImageExtensionIsAccepted(String fileName) throws Exception {
        Auth auth = client.auth();

        Response response = client.upload(fileUpload(auth, receiver.url()).file(fileName, "image/jpeg", JPEG), auth.accessToken());

        assertThat(response.status()).as(response.body()).isEqualTo(200);
    }

    @ParameterizedTest
    @ValueSource(strings = {"text/plain", "application/pdf", "image", "multipart/mixed"})
    void partWithAnotherContentTypeIsRefusedWith415(String contentType) throws Exception {
        Auth auth = client.auth();
        Multipart body = fileUpload(auth, receiver.url()).file("front.jpg", contentType, JPEG);

        assertRefused(client.upload(body, auth.accessToken()), 415, "unsupported file type only images or videos");
    }

    @Test
    void filePartWithoutContentTypeIsRefusedWith415() throws Exception {
        Auth auth = client.auth();
        Multipart body = fileUpload(auth, receiver.url()).file("front.jpg", null, JPEG);

        assertRefused(client.upload(body, auth.accessToken()), 415, "unsupported file type only images or videos");
    }

    @Test
    void invalidExtensionIsCheckedBeforeTheContentType() throws Exception {
        Auth auth = client.auth();
        Multipart body = fileUpload(auth, receiver.url()).file("notes.txt", "text/plain", JPEG);

        assertRefused(client.upload(body, auth.accessToken()), 400, "Invalid file type, only image or video allowed");
    }

    @Test
    void imagesAndVideosMixedAreRefused() throws Exception {
        Auth auth = client.auth();
        Multipart body = fileUpload(auth, receiver.url()).file("front.jpg", "image/jpeg", JPEG).file("walk.mp4", "video/mp4", VIDEO_1_5_MB);

        assertRefused(client.upload(body, auth.accessToken()), 400, "Cannot mix images and videos in one request");
    }

    @Test
    void videoOfOneMegabyteIsRefusedAndOneAndAHalfMegabytesAccepted() throws Exception {
        Auth auth = client.auth();
        Multipart small = fileUpload(auth, receiver.url()).file("walk.mp4", "video/mp4", bytes(1_048_576, 1));
        assertRefused(client.upload(small, auth.accessToken()), 400, "Please upload video greater than 1 MB.");

        Multipart ok = fileUpload(auth, receiver.url()).file("walk.mov", "video/quicktime", VIDEO_1_5_MB);
        Response response = client.upload(ok, auth.accessToken());

        assertThat(response.status()).as(response.body()).isEqualTo(200);
        assertThat(sandbox.uploads().get(0).files()).containsExactly(
                new InspektlabsUpload.UploadedFile("walk.mov", VIDEO_1_5_MB.length, sha256(VIDEO_1_5_MB), "video/quicktime"));
    }

    @Test
    void videoOfOneHundredMegabytesIsRefused() throws Exception {
        Auth auth = client.auth();
        Multipart body = fileUpload(auth, receiver.url()).generatedFile("walk.mkv", "video/x-matroska", 104_857_600L, 100);

        assertRefused(client.upload(body, auth.accessToken()), 400, "Please upload video less than 100 MB.");
        assertThat(sandbox.uploads()).isEmpty();
    }

    @Test
    void uploadWithoutCallbackUrlIsRefusedWhenRequired() throws Exception {
        Auth auth = client.auth();

        assertRefused(client.upload(fileUpload(auth, null).file("a.jpg", "image/jpeg", JPEG), auth.accessToken()),
                400, "please provide callback_url");
    }

    @Test
    void uploadWithoutCallbackUrlIsAcceptedWhenNotRequired() throws Exception {
        restartWith(InspektlabsSandbox.Settings.defaults().withRequireCallbackUrl(false));
        Auth auth = client.auth();

        assertThat(client.upload(fileUpload(auth, null).file("a.jpg", "image/jpeg", JPEG), auth.accessToken()).status())
                .isEqualTo(200);
        assertThat(sandbox.uploads().get(0).callbackUrl()).isNull();
        assertThatThrownBy(() -> sandbox.deliverNow(auth.session())).isInstanceOf(IllegalStateException.class);
    }

    @Test
    void callbackUrlMustBeHttp() throws Exception {
        Auth auth = client.auth();

        assertRefused(client.upload(fileUpload(auth, "ftp://example.com/hook").file("a.jpg", "image/jpeg", JPEG), auth.accessToken()),
                400, "callback_url must be an http or https URL");
    }

    @Test
    void closedServiceWindowAnswers503AndKeepsTheSession() throws Exception {
        Auth auth = client.auth();
        sandbox.serviceWindowClosed(true);

        assertRefused(client.upload(oneImage(auth), auth.accessToken()), 503, "ML servers are not available currently.");

        Response reopen = client.postJson("/sandbox/window", "{\"closed\":false}", null);
        assertThat(reopen.status()).isEqualTo(204);
        assertThat(client.upload(oneImage(auth), auth.accessToken()).status()).isEqualTo(200);
    }

    @Test
    void serviceWindowIsClosedThroughTheAdminApi() throws Exception {
        Auth auth = client.auth();
        assertThat(client.postJson("/sandbox/window", "{\"closed\":true}", null).status()).isEqualTo(204);

        assertRefused(client.upload(oneImage(auth), auth.accessToken()), 503, "ML servers are not available currently.");
        assertThat(client.postJson("/sandbox/window", "{\"closed\":\"maybe\"}", null).status()).isEqualTo(400);
    }

    @Test
    void otherRequestRulesComeBeforeTheServiceWindow() throws Exception {
        Auth auth = client.auth();
        sandbox.serviceWindowClosed(true);

        assertRefused(client.upload(fileUpload(auth, null).file("a.jpg", "image/jpeg", JPEG), auth.accessToken()),
                400, "please provide callback_url");
    }

    @Test
    void truncatedMultipartBodyIsRefusedWith400() throws Exception {
        Auth auth = client.auth();
        Multipart body = oneImage(auth);

        Response response = client.send("POST", "/api/upload", body.unclosedPublisher(), body.contentType(), auth.accessToken());

        assertRefused(response, 400, "The multipart body ends before its closing boundary.");
        assertThat(client.upload(oneImage(auth), auth.accessToken()).status()).isEqualTo(200);
    }

    @Test
    void uploadWithAnotherContentTypeIsRefused() throws Exception {
        Auth auth = client.auth();

        Response response = client.send("POST", "/api/upload", java.net.http.HttpRequest.BodyPublishers.ofString("type=file"),
                "application/x-www-form-urlencoded", auth.accessToken());

        assertRefused(response, 400, "Content-Type must be multipart/form-data or application/json");
    }

    @Test
    void unknownRouteAnswersTheVendorsUnexpectedError() throws Exception {
        assertRefused(client.get("/api/reports"), 404, "Something Went Worng");
        assertThat(client.get("/api/upload").status()).isEqualTo(405);
    }

    // ------------------------------------------------------------------ URL uploads

    @Test
    void urlUploadFetchesEveryUrlAndRecordsTheirDigests() throws Exception {
        byte[] side = bytes(3000, 3);
        try (MediaServer media = new MediaServer("Bearer fetch-secret")) {
            String front = media.put("/img/front.jpg", "image/jpeg", JPEG);
            String back = media.put("/private/back.jpeg", "image/jpeg", side);
            String left = media.put("/img/left.png", null, side);
            String right = media.put("/img/right.png", "image/png", JPEG);
            Auth auth = client.auth();
            ObjectNode body = urlUpload(auth, receiver.url(), front + "?sig=abc", back);
            body.putArray("url_pairs").addArray().add(left).add(right);
            body.putArray("original_Id").add("front").add("back");
            body.putArray("original_pair_Id").add("left_right");
            body.put("auth", "Bearer fetch-secret");
            body.putObject("inputMetaData").put("customerName", "Sandbox Customer").put("model", "Corolla");
            body.put("agent_id", "A-9");

            Response response = client.uploadUrls(body, auth.accessToken());

            assertThat(response.status()).as(response.body()).isEqualTo(200);
            assertThat(response.json().path("id").asText()).isEqualTo(auth.session());
            InspektlabsUpload upload = sandbox.uploads().get(0);
            assertThat(upload.mode()).isEqualTo("urls");
            assertThat(upload.urls()).containsExactly(front + "?sig=abc", back);
            assertThat(upload.agentId()).isEqualTo("A-9");
            assertThat(upload.files()).containsExactly(
                    new InspektlabsUpload.UploadedFile(front + "?sig=abc", JPEG.length, sha256(JPEG), "image/jpeg"),
                    new InspektlabsUpload.UploadedFile(back, side.length, sha256(side), "image/jpeg"),
                    new InspektlabsUpload.UploadedFile(left, side.length, sha256(side), "application/octet-stream"),
                    new InspektlabsUpload.UploadedFile(right, JPEG.length, sha256(JPEG), "image/png"));
            assertThat(media.authorizations).containsOnly("Bearer fetch-secret");
        }
    }

    @Test
    void urlPairWithoutExactlyTwoUrlsIsRefused() throws Exception {
        try (MediaServer media = new MediaServer("x")) {
            String a = media.put("/a.jpg", "image/jpeg", JPEG);
            Auth auth = client.auth();
            ObjectNode body = urlUpload(auth, receiver.url(), a);
            body.putArray("url_pairs").addArray().add(a).add(a).add(a);

            assertRefused(client.uploadUrls(body, auth.accessToken()), 400, "Each url_pairs entry must have exactly 2 images");
            assertThat(media.authorizations).isEmpty();
        }
    }

    @Test
    void urlUploadNeedsUrlsOrUrlPairs() throws Exception {
        Auth auth = client.auth();

        assertRefused(client.uploadUrls(urlUpload(auth, receiver.url()), auth.accessToken()), 400, "urls is required");
        ObjectNode wrongType = urlUpload(auth, receiver.url(), "http://127.0.0.1:9/a.jpg").put("type", "file");
        assertRefused(client.uploadUrls(wrongType, auth.accessToken()), 400, "type must be \"urls\" for application/json uploads");
    }

    @Test
    void unreachableUrlIsRefusedNamingIt() throws Exception {
        int closedPort;
        try (ServerSocket socket = new ServerSocket(0)) {
            closedPort = socket.getLocalPort();
        }
        String unreachable = "http://127.0.0.1:" + closedPort + "/gone.jpg";
        try (MediaServer media = new MediaServer("x")) {
            String ok = media.put("/ok.jpg", "image/jpeg", JPEG);
            String missing = media.url("/missing.jpg");
            Auth auth = client.auth();

            Response response = client.uploadUrls(urlUpload(auth, receiver.url(), ok, unreachable), auth.accessToken());
            assertThat(response.status()).isEqualTo(400);
            assertThat(response.message()).startsWith("Cannot fetch " + unreachable + ": ");

            Response notFound = client.uploadUrls(urlUpload(auth, receiver.url(), missing), auth.accessToken());
            assertRefused(notFound, 400, "Cannot fetch " + missing + ": HTTP 404");

            assertThat(client.uploadUrls(urlUpload(auth, receiver.url(), ok), auth.accessToken()).status()).isEqualTo(200);
        }
    }

    @Test
    void urlRulesMatchTheFileRules() throws Exception {
        try (MediaServer media = new MediaServer("x")) {
            String image = media.put("/front.jpg", "image/jpeg", JPEG);
            String page = media.put("/page.jpg", "text/html; charset=utf-8", JPEG);
            String document = media.put("/doc.pdf", "application/pdf", JPEG);
            String shortVideo = media.put("/walk.mp4", "video/mp4", bytes(1000, 4));
            String video = media.put("/walk2.webm", "video/webm", VIDEO_1_5_MB);
            Auth auth = client.auth();

            assertRefused(client.uploadUrls(urlUpload(auth, receiver.url(), document), auth.accessToken()),
                    400, "Invalid file type, only image or video allowed");
            assertRefused(client.uploadUrls(urlUpload(auth, receiver.url(), page), auth.accessToken()),
                    415, "unsupported file type only images or videos");
            assertRefused(client.uploadUrls(urlUpload(auth, receiver.url(), image, video), auth.accessToken()),
                    400, "Cannot mix images and videos in one request");
            assertRefused(client.uploadUrls(urlUpload(auth, receiver.url(), shortVideo), auth.accessToken()),
                    400, "Please upload video greater than 1 MB.");
            assertRefused(client.uploadUrls(urlUpload(auth, null, image), auth.accessToken()),
                    400, "please provide callback_url");
            List<String> hundred = new ArrayList<>();
            for (int i = 0; i < 100; i++) {
                hundred.add(image + "?n=" + i);
            }
            assertRefused(client.uploadUrls(urlUpload(auth, receiver.url(), hundred.toArray(String[]::new)), auth.accessToken()),
                    400, "Maximum 99 images upload possible");
            assertRefused(client.uploadUrls(urlUpload(auth, receiver.url(), "not a url"), auth.accessToken()),
                    400, "Invalid URL in urls: not a url");

            Response accepted = client.uploadUrls(urlUpload(auth, receiver.url(), video), auth.accessToken());
            assertThat(accepted.status()).as(accepted.body()).isEqualTo(200);
        }
    }

    // ------------------------------------------------------------------ callbacks

    @Test
    void callbackDeliversTheDamageReportAfterTheDelay() throws Exception {
        Auth auth = client.auth();
        Multipart body = fileUpload(auth, receiver.url())
                .file("front.jpg", "image/jpeg", JPEG)
                .file("back.jpg", "image/jpeg", bytes(4000, 5))
                .file("left.jpg", "image/jpeg", bytes(4000, 6));
        assertThat(client.upload(body, auth.accessToken()).status()).isEqualTo(200);

        await().atMost(Duration.ofSeconds(60)).until(() -> sandbox.callbacksDelivered() == 1);

        assertThat(receiver.bodies).hasSize(1);
        assertThat(receiver.contentTypes).containsExactly("application/json");
        JsonNode report = receiver.bodies.get(0);
        assertThat(report.path("status").asText()).isEqualTo("Available");
        assertThat(report.path("caseId").asText()).isEqualTo("case-" + auth.session().substring(2, 8));
        assertThat(report.path("inspectionId").asText()).isEqualTo(auth.session());
        assertThat(report.path("vendor").asText()).isEqualTo("Inspektlabs");
        assertThat(report.path("version").asText()).isEqualTo("2.4");
        assertThat(report.path("uploadStatus").asText()).isEqualTo("complete upload");
        assertThat(report.path("vehicleType").asText()).isEqualTo("Car");
        assertThat(report.path("appFormData").isObject()).isTrue();
        assertThat(report.path("geoLocation").path("latitude").isNumber()).isTrue();
        assertThat(report.path("geoLocation").path("longitude").isNumber()).isTrue();
        JsonNode readings = report.path("vehicleReadings");
        assertThat(readings.isObject()).isTrue();
        List<String> readingFields = new ArrayList<>();
        readings.fieldNames().forEachRemaining(readingFields::add);
        assertThat(readingFields).containsExactlyInAnyOrder("odometerReading", "vinReading", "fuelMeterReading",
                "licensePlateReading", "engineNumberReading", "observations", "make", "model", "subModel", "color");
        assertThat(readings.path("vinReading").asText()).hasSize(17);
        JsonNode damages = report.path("damages");
        assertThat(damages).hasSize(3);
        assertThat(damages.get(0).path("file").asText()).isEqualTo("front.jpg");
        for (JsonNode file : damages) {
            assertThat(file.path("damages").isArray()).isTrue();
            assertThat(file.path("damages").size()).isBetween(0, 3);
            for (JsonNode damage : file.path("damages")) {
                assertThat(damage.path("part").asText()).isNotBlank();
                assertThat(damage.path("damageType").asText()).isNotBlank();
                assertThat(damage.path("severity").asText()).isIn("minor", "moderate", "severe");
                assertThat(damage.path("confidence").asDouble()).isBetween(0.0, 1.0);
                assertThat(damage.path("boundingBox")).hasSize(4);
            }
        }
        assertThat(report).isEqualTo(sandbox.report(auth.session()));
        assertThat(sandbox.callbacksAttempted()).isEqualTo(1);
    }

    @Test
    void reportIsDeterministicPerFileContent() throws Exception {
        Auth first = client.auth();
        Auth second = client.auth();
        byte[] photo = bytes(2048, 77);
        client.upload(fileUpload(first, receiver.url()).file("a.jpg", "image/jpeg", photo), first.accessToken());
        client.upload(fileUpload(second, receiver.url()).file("b.jpg", "image/jpeg", photo), second.accessToken());

        JsonNode one = sandbox.report(first.session());
        JsonNode two = sandbox.report(second.session());

        assertThat(one.path("damages").get(0).path("damages")).isEqualTo(two.path("damages").get(0).path("damages"));
        assertThat(sandbox.report(first.session())).isEqualTo(one);
        assertThatThrownBy(() -> sandbox.report("in-unknown")).isInstanceOf(NoSuchElementException.class);
    }

    @Test
    void reportIsRejectedWhenEveryFileNameSaysReject() throws Exception {
        Auth rejected = client.auth();
        Auth mixed = client.auth();
        client.upload(fileUpload(rejected, receiver.url()).file("reject-1.jpg", "image/jpeg", JPEG)
                .file("blurry-REJECT.jpg", "image/jpeg", JPEG), rejected.accessToken());
        client.upload(fileUpload(mixed, receiver.url()).file("reject-1.jpg", "image/jpeg", JPEG)
                .file("front.jpg", "image/jpeg", JPEG), mixed.accessToken());

        assertThat(sandbox.report(rejected.session()).path("status").asText()).isEqualTo("Rejected");
        assertThat(sandbox.report(mixed.session()).path("status").asText()).isEqualTo("Available");
    }

    @Test
    void failedCallbackIsRetriedAfterTheDelay() throws Exception {
        receiver.statuses.add(500);
        Auth auth = client.auth();
        assertThat(client.upload(oneImage(auth), auth.accessToken()).status()).isEqualTo(200);

        await().atMost(Duration.ofSeconds(60)).until(() -> sandbox.callbacksDelivered() == 1);

        assertThat(sandbox.callbacksAttempted()).isEqualTo(2);
        assertThat(receiver.bodies).hasSize(2);
        assertThat(receiver.bodies.get(1)).isEqualTo(receiver.bodies.get(0));
    }

    @Test
    void callbackIsTriedThreeTimesThenGivenUp() throws Exception {
        for (int i = 0; i < 10; i++) {
            receiver.statuses.add(503);
        }
        Auth auth = client.auth();
        client.upload(oneImage(auth), auth.accessToken());

        await().atMost(Duration.ofSeconds(60)).until(() -> sandbox.callbacksAttempted() == 3);
        await().during(CALLBACK_DELAY.multipliedBy(3)).atMost(CALLBACK_DELAY.multipliedBy(3).plusSeconds(60))
                .until(() -> sandbox.callbacksAttempted() == 3);

        assertThat(sandbox.callbacksDelivered()).isZero();
    }

    @Test
    void unreachableReceiverCountsAsFailedAttempts() throws Exception {
        int closedPort;
        try (ServerSocket socket = new ServerSocket(0)) {
            closedPort = socket.getLocalPort();
        }
        Auth auth = client.auth();
        client.upload(fileUpload(auth, "http://127.0.0.1:" + closedPort + "/hook").file("a.jpg", "image/jpeg", JPEG),
                auth.accessToken());

        await().atMost(Duration.ofSeconds(60)).until(() -> sandbox.callbacksAttempted() == 3);
        assertThat(sandbox.callbacksDelivered()).isZero();
        assertThat(sandbox.deliverNow(auth.session())).isEqualTo(-1);
    }

    @Test
    void deliverNowSendsTheReportWithoutWaiting() throws Exception {
        restartWith(InspektlabsSandbox.Settings.defaults().withCallbackDelay(Duration.ofHours(1)));
        Auth auth = client.auth();
        client.upload(oneImage(auth), auth.accessToken());

        assertThat(sandbox.deliverNow(auth.session())).isEqualTo(200);

        assertThat(receiver.bodies).hasSize(1);
        assertThat(receiver.bodies.get(0).path("inspectionId").asText()).isEqualTo(auth.session());
        assertThat(sandbox.callbacksDelivered()).isEqualTo(1);
        assertThatThrownBy(() -> sandbox.deliverNow("in-unknown")).isInstanceOf(NoSuchElementException.class);
    }

    @Test
    void adminDeliverSendsTheReportAndAnswersTheReceiversStatus() throws Exception {
        restartWith(InspektlabsSandbox.Settings.defaults().withCallbackDelay(Duration.ofHours(1)));
        Auth auth = client.auth();
        client.upload(oneImage(auth), auth.accessToken());
        receiver.statuses.add(502);

        Response failed = client.postJson("/sandbox/deliver/" + auth.session(), "{}", null);
        Response delivered = client.postJson("/sandbox/deliver/" + auth.session(), "{}", null);

        assertThat(failed.status()).isEqualTo(200);
        assertThat(failed.json().path("status").asInt()).isEqualTo(502);
        assertThat(delivered.json().path("status").asInt()).isEqualTo(200);
        assertThat(receiver.bodies).hasSize(2);
        assertThat(client.postJson("/sandbox/deliver/in-unknown", "{}", null).status()).isEqualTo(404);
    }

    // ------------------------------------------------------------------ feedback

    @Test
    void feedbackIsLimitedToFiveCallsAMinute() throws Exception {
        Auth auth = client.auth();
        client.upload(oneImage(auth), auth.accessToken());
        String feedback = "{\"inspection_id\":\"" + auth.session() + "\",\"feedback\":\"The rear bumper dent is a sticker.\"}";

        for (int i = 0; i < 5; i++) {
            Response ok = client.postJson("/api/feedback", feedback, auth.accessToken());
            assertThat(ok.status()).as(ok.body()).isEqualTo(200);
            assertThat(ok.json().path("status").asText()).isEqualTo("success");
        }
        Response limited = client.postJson("/api/feedback", feedback, auth.accessToken());

        assertRefused(limited, 429, "API call limit exceeded");
        assertThat(Integer.parseInt(limited.headers().firstValue("Retry-After").orElseThrow())).isBetween(1, 60);
        assertThat(sandbox.feedbackRequests()).isEqualTo(6);
    }

    @Test
    void feedbackNeedsBearerAndKnownInspection() throws Exception {
        Auth auth = client.auth();

        assertRefused(client.postJson("/api/feedback", "{\"inspection_id\":\"x\",\"feedback\":\"y\"}", null), 401,
                InspektlabsSandbox.UNAUTHORIZED);
        assertRefused(client.postJson("/api/feedback", "{\"feedback\":\"y\"}", auth.accessToken()), 400, "inspection_id is required");
        assertRefused(client.postJson("/api/feedback", "{\"inspection_id\":\"" + auth.session() + "\"}", auth.accessToken()),
                400, "feedback is required");
        assertRefused(client.postJson("/api/feedback", "{\"inspection_id\":\"" + auth.session() + "\",\"feedback\":\"y\"}",
                auth.accessToken()), 400, "inspection_id not found");
    }

    // ------------------------------------------------------------------ faults

    @Test
    void scriptedStatus503AnswersBeforeTheHandlerAndKeepsTheSession() throws Exception {
        Auth auth = client.auth();
        Response configured = client.postJson("/sandbox/faults", "{\"kind\":\"status\",\"status\":503,\"times\":1,\"path\":\"/api/upload\"}", null);
        assertThat(configured.status()).isEqualTo(204);

        Response faulted = client.upload(oneImage(auth), auth.accessToken());

        assertRefused(faulted, 503, "Service Unavailable");
        assertThat(sandbox.uploadRequests()).isZero();
        assertThat(client.upload(oneImage(auth), auth.accessToken()).status()).isEqualTo(200);
        assertThat(sandbox.faults().injected()).isEqualTo(1);
    }

    @Test
    void scripted429CarriesRetryAfter() throws Exception {
        sandbox.faults().failNext(1, "/api/authenticate", new FaultInjector.Status(429, "API call limit exceeded", 30));

        Response limited = client.authenticate(InspektlabsSandbox.DEFAULT_API_KEY);

        assertRefused(limited, 429, "API call limit exceeded");
        assertThat(limited.headers().firstValue("Retry-After")).contains("30");
        assertThat(client.authenticate(InspektlabsSandbox.DEFAULT_API_KEY).status()).isEqualTo(200);
    }

    @Test
    void droppedConnectionGivesNoAnswer() throws Exception {
        Auth auth = client.auth();
        sandbox.faults().failNext(1, "/api/upload", new FaultInjector.Drop());

        assertThatThrownBy(() -> client.upload(oneImage(auth), auth.accessToken())).isInstanceOf(IOException.class);
        assertThat(client.upload(oneImage(auth), auth.accessToken()).status()).isEqualTo(200);
    }

    @Test
    void adminPathsAreNeverFaulted() throws Exception {
        sandbox.faults().failNext(1, null, new FaultInjector.Status(500));

        assertThat(client.get("/sandbox/health").status()).isEqualTo(200);
        assertThat(client.get("/sandbox/health").json().path("status").asText()).isEqualTo("UP");
        assertThat(client.authenticate(InspektlabsSandbox.DEFAULT_API_KEY).status()).isEqualTo(500);
    }

    @Test
    void deletingFaultsClearsThem() throws Exception {
        sandbox.faults().failNext(5, null, new FaultInjector.Status(503));

        assertThat(client.send("DELETE", "/sandbox/faults", null, null, null).status()).isEqualTo(204);

        assertThat(client.authenticate(InspektlabsSandbox.DEFAULT_API_KEY).status()).isEqualTo(200);
        assertThat(client.postJson("/sandbox/faults", "{\"kind\":\"nonsense\"}", null).status()).isEqualTo(400);
    }

    // ------------------------------------------------------------------ admin and persistence

    @Test
    void adminListsTheAcceptedUploads() throws Exception {
        Auth auth = client.auth();
        client.upload(oneImage(auth), auth.accessToken());

        Response listed = client.get("/sandbox/uploads");

        assertThat(listed.status()).isEqualTo(200);
        assertThat(listed.json()).hasSize(1);
        JsonNode upload = listed.json().get(0);
        assertThat(upload.path("session").asText()).isEqualTo(auth.session());
        assertThat(upload.path("mode").asText()).isEqualTo("file");
        assertThat(upload.path("files").get(0).path("sha256").asText()).isEqualTo(sha256(JPEG));
        assertThat(upload.path("callbackUrl").asText()).isEqualTo(receiver.url());
    }

    @Test
    void restartedSandboxWithTheSameDataDirStillKnowsUsedSessions() throws Exception {
        Path dataDir = Files.createDirectories(work.resolve("data"));
        InspektlabsSandbox.Settings settings = InspektlabsSandbox.Settings.defaults().withDataDir(dataDir);
        restartWith(settings);
        Auth used = client.auth();
        Auth unused = client.auth();
        client.upload(oneImage(used), used.accessToken());
        InspektlabsUpload before = sandbox.uploads().get(0);

        restartWith(settings);

        assertThat(sandbox.uploads()).containsExactly(before);
        assertRefused(client.upload(oneImage(used), used.accessToken()), 400, "please generate new token and session");
        assertThat(client.upload(oneImage(unused), unused.refreshToken()).status()).isEqualTo(200);
        assertThat(sandbox.deliverNow(used.session())).isEqualTo(200);
        String sessionsFile = Files.readString(dataDir.resolve("inspektlabs/sessions.jsonl"));
        assertThat(sessionsFile).contains(used.session()).doesNotContain(used.accessToken()).doesNotContain(used.refreshToken());
        try (var leftovers = Files.list(dataDir.resolve("inspektlabs/tmp"))) {
            assertThat(leftovers).isEmpty();
        }
    }

    @Test
    void settingsHideTheApiKey() {
        assertThat(InspektlabsSandbox.Settings.defaults().withApiKey("secret-key").toString()).doesNotContain("secret-key");
        assertThatThrownBy(() -> InspektlabsSandbox.Settings.defaults().withCallbackDelay(Duration.ofSeconds(-1)))
                .isInstanceOf(IllegalArgumentException.class);
    }
}
