package io.photobridge.sandbox;

import static io.photobridge.sandbox.SandboxTestClient.JPEG;
import static io.photobridge.sandbox.SandboxTestClient.ORDER;
import static io.photobridge.sandbox.SandboxTestClient.OTHER_ORDER;
import static io.photobridge.sandbox.SandboxTestClient.PNG;
import static io.photobridge.sandbox.SandboxTestClient.STATIC_TOKEN;
import static io.photobridge.sandbox.SandboxTestClient.UNKNOWN_ORDER;
import static io.photobridge.sandbox.SandboxTestClient.createBody;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.Collectors;

import com.fasterxml.jackson.databind.JsonNode;
import io.photobridge.sandbox.SandboxTestClient.Response;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class RecoveryConnectSandboxTest {

    private static final String PHOTOS = "/api/v140/orders/" + ORDER + "/photos";

    private RecoveryConnectSandbox sandbox;
    private SandboxTestClient client;

    @BeforeEach
    void startSandbox() {
        sandbox = start(RecoveryConnectSandbox.Settings.defaults());
    }

    @AfterEach
    void stopSandbox() {
        sandbox.stop();
    }

    private RecoveryConnectSandbox start(RecoveryConnectSandbox.Settings settings) {
        RecoveryConnectSandbox started = new RecoveryConnectSandbox(settings);
        started.start();
        client = new SandboxTestClient(started.baseUrl());
        return started;
    }

    private void restartWith(RecoveryConnectSandbox.Settings settings) {
        sandbox.stop();
        sandbox = start(settings);
    }

    // ------------------------------------------------------------------ auth

    @Test
    void authAnswersBearerTokenThatOpensTheApi() throws Exception {
        Response response = client.auth("sandbox@example.com", "sandbox");

        assertThat(response.status()).isEqualTo(200);
        JsonNode json = response.json();
        assertThat(json.path("token_type").asText()).isEqualTo("Bearer");
        assertThat(json.path("expires_in").asLong()).isEqualTo(3600);
        assertThat(json.path("access_token").asText()).isNotBlank();
        assertThat(json.path("refresh_token").asText()).isNotBlank().isNotEqualTo(json.path("access_token").asText());
        assertThat(client.send("GET", PHOTOS, null, json.path("access_token").asText()).status()).isEqualTo(200);
    }

    @Test
    void authAnswers401ForWrongPassword() throws Exception {
        Response response = client.auth("sandbox@example.com", "wrong");

        assertThat(response.status()).isEqualTo(401);
        assertThat(response.json().path("message").asText()).isEqualTo("Invalid credentials.");
    }

    @ParameterizedTest
    @ValueSource(strings = {"username", "password"})
    void authAnswers400NamingTheMissingField(String missing) throws Exception {
        Response response = missing.equals("username") ? client.auth(null, "sandbox") : client.auth("sandbox@example.com", null);

        assertThat(response.status()).isEqualTo(400);
        assertThat(response.json().path("message").asText()).isEqualTo("The " + missing + " field is required.");
        assertThat(response.json().path("errors").has(missing)).isTrue();
    }

    @Test
    void apiAnswers401WithoutOrWithUnknownBearer() throws Exception {
        Response none = client.send("GET", PHOTOS, null, null);
        Response unknown = client.send("GET", PHOTOS, null, "not-a-token");

        assertThat(none.status()).isEqualTo(401);
        assertThat(none.json().path("message").asText()).isEqualTo("Unauthenticated.");
        assertThat(unknown.status()).isEqualTo(401);
    }

    @Test
    void expireTokensRejectsIssuedTokensButKeepsTheStaticToken() throws Exception {
        String token = client.auth("sandbox@example.com", "sandbox").json().path("access_token").asText();
        assertThat(client.send("GET", PHOTOS, null, token).status()).isEqualTo(200);

        sandbox.expireTokens();

        assertThat(client.send("GET", PHOTOS, null, token).status()).isEqualTo(401);
        assertThat(client.send("GET", PHOTOS, null, STATIC_TOKEN).status()).isEqualTo(200);
        String fresh = client.auth("sandbox@example.com", "sandbox").json().path("access_token").asText();
        assertThat(client.send("GET", PHOTOS, null, fresh).status()).isEqualTo(200);
    }

    @Test
    void issuedTokenAnswers401OnceItsTtlIsOver() throws Exception {
        restartWith(RecoveryConnectSandbox.Settings.defaults().withTokenTtl(Duration.ofSeconds(1)));
        Response auth = client.auth("sandbox@example.com", "sandbox");
        String token = auth.json().path("access_token").asText();
        assertThat(auth.json().path("expires_in").asLong()).isEqualTo(1);
        assertThat(client.send("GET", PHOTOS, null, token).status()).isEqualTo(200);

        await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(100))
                .until(() -> client.send("GET", PHOTOS, null, token).status() == 401);
    }

    @Test
    void withoutStaticTokenTheDemoTokenIsRejected() throws Exception {
        restartWith(RecoveryConnectSandbox.Settings.defaults().withStaticToken(null));

        assertThat(client.get(PHOTOS).status()).isEqualTo(401);
    }

    @Test
    void everyApiVersionPrefixIsAccepted() throws Exception {
        for (String version : List.of("v130", "v140", "v2")) {
            assertThat(client.get("/api/" + version + "/orders/" + ORDER + "/photos").status()).as(version).isEqualTo(200);
        }
        Response unversioned = client.get("/api/orders/" + ORDER + "/photos");
        assertThat(unversioned.status()).isEqualTo(404);
        assertThat(unversioned.json().path("message").asText()).isEqualTo("The route api/orders/" + ORDER + "/photos could not be found.");
    }

    @Test
    void unsupportedMethodAnswers405() throws Exception {
        Response response = client.send("DELETE", PHOTOS, null, STATIC_TOKEN);

        assertThat(response.status()).isEqualTo(405);
        assertThat(response.json().path("message").asText()).contains("Supported methods: GET, POST.");
    }

    // ------------------------------------------------------------------ create

    @ParameterizedTest
    @ValueSource(strings = {"file_name", "image_name", "picture_time", "data"})
    void createAnswers400NamingTheMissingField(String missing) throws Exception {
        String body = createBody(missing.equals("file_name") ? null : "test", missing.equals("image_name") ? null : "image name",
                missing.equals("picture_time") ? null : "2026-03-11 23:23:00",
                missing.equals("data") ? null : Base64.getEncoder().encodeToString(JPEG), 2);

        Response response = client.post(PHOTOS, body);

        assertThat(response.status()).isEqualTo(400);
        assertThat(response.json().path("message").asText()).isEqualTo("The " + missing + " field is required.");
        assertThat(response.json().path("errors").path(missing).get(0).asText()).isEqualTo("The " + missing + " field is required.");
        assertThat(response.json().path("errors").size()).isEqualTo(1);
        assertThat(sandbox.createdPhotos()).isZero();
        assertThat(sandbox.createRequests()).isEqualTo(1);
    }

    @ParameterizedTest
    @ValueSource(strings = {"file_name", "image_name", "picture_time", "data"})
    void createAnswers400ForAnEmptyField(String empty) throws Exception {
        String body = createBody(empty.equals("file_name") ? "" : "test", empty.equals("image_name") ? " " : "image name",
                empty.equals("picture_time") ? "" : "2026-03-11 23:23:00",
                empty.equals("data") ? "" : Base64.getEncoder().encodeToString(JPEG), 2);

        Response response = client.post(PHOTOS, body);

        assertThat(response.status()).isEqualTo(400);
        assertThat(response.json().path("errors").fieldNames()).toIterable().containsExactly(empty);
    }

    @Test
    void createReportsEveryMissingFieldLikeLaravel() throws Exception {
        Response response = client.post(PHOTOS, "{}");

        assertThat(response.status()).isEqualTo(400);
        assertThat(response.json().path("message").asText()).isEqualTo("The file_name field is required. (and 3 more errors)");
        assertThat(response.json().path("errors").fieldNames()).toIterable()
                .containsExactly("file_name", "image_name", "picture_time", "data");
    }

    @Test
    void createAnswers400ForPictureTimeInAnotherFormat() throws Exception {
        Response response = client.post(PHOTOS, createBody("test", "image name", "2026/03/11 23:23",
                Base64.getEncoder().encodeToString(JPEG), 2));

        assertThat(response.status()).isEqualTo(400);
        assertThat(response.json().path("errors").path("picture_time").get(0).asText())
                .isEqualTo("The picture time does not match the format Y-m-d H:i:s.");
    }

    @Test
    void createAcceptsTheShortPictureTimeFormatAndNormalisesGeneratedAt() throws Exception {
        Response created = client.post(PHOTOS, createBody("test", "image name", "17-10-2019 23:23",
                Base64.getEncoder().encodeToString(JPEG), 2));
        assertThat(created.status()).isEqualTo(200);
        long id = created.json().path("data").path("attachment_id").asLong();

        JsonNode photo = client.get(PHOTOS + "/" + id).json().path("data");

        assertThat(photo.path("meta").path("generated_at").asText()).isEqualTo("2019-10-17 23:23:00");
        assertThat(sandbox.photo(id).orElseThrow().pictureTime()).isEqualTo("17-10-2019 23:23");
    }

    @Test
    void createAnswers400ForInvalidBase64Characters() throws Exception {
        Response response = client.post(PHOTOS, createBody("test", "image name", "2026-03-11 23:23:00", "/9j/4AAQ*SkZJRg==", 2));

        assertThat(response.status()).isEqualTo(400);
        assertThat(response.json().path("errors").path("data").get(0).asText())
                .isEqualTo("The data field must be a valid base64 encoded image.");
    }

    @Test
    void createAnswers400ForMultiLineBase64() throws Exception {
        byte[] bytes = new byte[300];
        System.arraycopy(JPEG, 0, bytes, 0, JPEG.length);
        String mime = Base64.getMimeEncoder().encodeToString(bytes);
        assertThat(mime).contains("\r\n");

        Response response = client.post(PHOTOS, createBody("test", "image name", "2026-03-11 23:23:00", mime, 2));

        assertThat(response.status()).isEqualTo(400);
        assertThat(response.json().path("errors").path("data").get(0).asText())
                .isEqualTo("The data field must be a valid base64 encoded image.");
        assertThat(sandbox.photos(ORDER)).isEmpty();
    }

    @Test
    void createAnswers400ForBase64WithSpacesOrUrlSafeAlphabet() throws Exception {
        byte[] bytes = new byte[60];
        System.arraycopy(JPEG, 0, bytes, 0, JPEG.length);
        bytes[40] = (byte) 0xFB;
        String spaced = Base64.getEncoder().encodeToString(bytes).replaceFirst("^(.{8})", "$1 ");
        String urlSafe = Base64.getUrlEncoder().encodeToString(bytes);
        assertThat(urlSafe).containsAnyOf("-", "_");

        for (String data : List.of(spaced, urlSafe)) {
            Response response = client.post(PHOTOS, createBody("test", "image name", "2026-03-11 23:23:00", data, 2));
            assertThat(response.status()).as(data).isEqualTo(400);
            assertThat(response.json().path("errors").has("data")).isTrue();
        }
    }

    @Test
    void createAcceptsEscapedSlashesAndMissingPadding() throws Exception {
        String data = Base64.getEncoder().withoutPadding().encodeToString(new byte[] {(byte) 0xFF, (byte) 0xD8, (byte) 0xFF, (byte) 0xE1, 0x7F});
        assertThat(data).startsWith("/9j/");
        String body = "{\"file_name\":\"test\",\"image_name\":\"n\",\"picture_time\":\"2026-03-11 23:23:00\",\"data\":\""
                + data.replace("/", "\\/") + "\"}";

        Response response = client.post(PHOTOS, body);

        assertThat(response.status()).isEqualTo(200);
        long id = response.json().path("data").path("attachment_id").asLong();
        assertThat(Files.readAllBytes(sandbox.file(id))).containsExactly(0xFF, 0xD8, 0xFF, 0xE1, 0x7F);
    }

    @Test
    void createAnswers400WhenDataIsNotAnImage() throws Exception {
        Response response = client.post(PHOTOS, createBody("test", "%PDF-1.7 not an image".getBytes(StandardCharsets.US_ASCII), 2));

        assertThat(response.status()).isEqualTo(400);
        assertThat(response.json().path("message").asText()).isEqualTo("The data must be an image.");
    }

    @Test
    void createAnswers400ForTypeOutsideTheCatalog() throws Exception {
        Response response = client.post(PHOTOS, createBody("test", JPEG, 1));

        assertThat(response.status()).isEqualTo(400);
        assertThat(response.json().path("errors").path("type").get(0).asText()).isEqualTo("The selected type is invalid.");
    }

    @Test
    void createAnswers404ForUnknownOrder() throws Exception {
        Response response = client.post("/api/v140/orders/" + UNKNOWN_ORDER + "/photos", createBody("test", JPEG, 2));

        assertThat(response.status()).isEqualTo(404);
        assertThat(response.json().path("message").asText()).isEqualTo("Order " + UNKNOWN_ORDER + " not found.");
        assertThat(sandbox.createRequests()).isEqualTo(1);
    }

    @Test
    void createAnswers413ForBodyOverTheLimit() throws Exception {
        restartWith(RecoveryConnectSandbox.Settings.defaults().withMaxBodyBytes(2048));
        byte[] big = new byte[4096];
        System.arraycopy(JPEG, 0, big, 0, JPEG.length);

        Response response = client.post(PHOTOS, createBody("test", big, 2));

        assertThat(response.status()).isEqualTo(413);
        assertThat(sandbox.photos(ORDER)).isEmpty();
    }

    @Test
    void createAnswers413ForChunkedBodyOverTheLimit() throws Exception {
        restartWith(RecoveryConnectSandbox.Settings.defaults().withMaxBodyBytes(2048));
        byte[] big = new byte[4096];
        System.arraycopy(JPEG, 0, big, 0, JPEG.length);
        byte[] body = createBody("test", big, 2).getBytes(StandardCharsets.UTF_8);
        HttpRequest request = HttpRequest.newBuilder(URI.create(sandbox.baseUrl() + PHOTOS))
                .header("Authorization", "Bearer " + STATIC_TOKEN)
                .POST(HttpRequest.BodyPublishers.ofInputStream(() -> new java.io.ByteArrayInputStream(body)))
                .build();

        HttpResponse<String> response = client.http.send(request, HttpResponse.BodyHandlers.ofString());

        assertThat(response.statusCode()).isEqualTo(413);
        assertThat(sandbox.photos(ORDER)).isEmpty();
    }

    @Test
    void createAnswersTheSpecShapeWithOrderIdAsString() throws Exception {
        Response response = client.post(PHOTOS, createBody("test", JPEG, 2));

        assertThat(response.status()).isEqualTo(200);
        JsonNode json = response.json();
        assertThat(json.path("status").asText()).isEqualTo("success");
        JsonNode data = json.path("data");
        assertThat(data.fieldNames()).toIterable().containsExactly("order_id", "type", "case_attachment_type_id",
                "recovery_has_damage_type_location_id", "attachment_id", "recovery_id");
        assertThat(data.path("order_id").isTextual()).isTrue();
        assertThat(data.path("order_id").asText()).isEqualTo(String.valueOf(ORDER));
        assertThat(data.path("type").asInt()).isZero();
        assertThat(data.path("case_attachment_type_id").asInt()).isEqualTo(2);
        assertThat(data.path("recovery_has_damage_type_location_id").isNull()).isTrue();
        assertThat(data.path("recovery_id").isNull()).isTrue();
        assertThat(data.path("attachment_id").asLong()).isEqualTo(RecoveryConnectSandbox.FIRST_PHOTO_ID);

        StoredPhoto stored = sandbox.photo(data.path("attachment_id").asLong()).orElseThrow();
        assertThat(stored.orderId()).isEqualTo(ORDER);
        assertThat(stored.sha256()).isEqualTo(sha256(JPEG));
        assertThat(stored.size()).isEqualTo(JPEG.length);
        assertThat(stored.fileName()).isEqualTo("900001_test.jpg");
        assertThat(stored.requestedFileName()).isEqualTo("test");
        assertThat(stored.imageName()).isEqualTo("image name");
        assertThat(Files.readAllBytes(sandbox.file(stored.id()))).isEqualTo(JPEG);
        assertThat(sandbox.createRequests()).isEqualTo(1);
        assertThat(sandbox.createdPhotos()).isEqualTo(1);
    }

    @Test
    void createKeepsAnExtensionAndAddsTheDetectedOneOtherwise() throws Exception {
        long withExtension = client.upload(ORDER, "IMG_0001.JPG", JPEG, 2);
        long png = client.upload(ORDER, "shot", PNG, 2);

        assertThat(sandbox.photo(withExtension).orElseThrow().fileName()).isEqualTo("900001_IMG_0001.JPG");
        assertThat(sandbox.photo(png).orElseThrow().fileName()).isEqualTo("900001_shot.png");
    }

    @ParameterizedTest
    @ValueSource(strings = {"GIF89a", "ftypheic", "ftypmif1"})
    void createAcceptsGifAndHeicAndHeif(String magic) throws Exception {
        byte[] bytes = magic.startsWith("ftyp")
                ? ("\0\0\0\u0018" + magic + "\0\0\0\0").getBytes(StandardCharsets.ISO_8859_1)
                : (magic + "\u0001\0\u0001\0").getBytes(StandardCharsets.ISO_8859_1);

        long id = client.upload(ORDER, "photo", bytes, 2);

        String expectedExtension = magic.equals("GIF89a") ? "gif" : magic.equals("ftypheic") ? "heic" : "heif";
        assertThat(sandbox.photo(id).orElseThrow().fileName()).isEqualTo("900001_photo." + expectedExtension);
    }

    @Test
    void createWithoutTypeStoresTheGeneralPhotoType() throws Exception {
        long id = client.upload(ORDER, "test", JPEG, null);

        assertThat(sandbox.photo(id).orElseThrow().typeId()).isEqualTo(2);
        assertThat(sandbox.photo(id).orElseThrow().typeName()).isEqualTo("AR General Photo");
    }

    @Test
    void concurrentUploadsAllLandWithDistinctIds() throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(12);
        try {
            List<Callable<Long>> uploads = new ArrayList<>();
            for (int i = 0; i < 40; i++) {
                byte[] bytes = new byte[2000 + i];
                System.arraycopy(JPEG, 0, bytes, 0, JPEG.length);
                bytes[100] = (byte) i;
                String name = "photo-" + i;
                uploads.add(() -> client.upload(ORDER, name, bytes, 3));
            }
            List<Long> ids = new ArrayList<>();
            for (Future<Long> id : pool.invokeAll(uploads)) {
                ids.add(id.get());
            }

            assertThat(Set.copyOf(ids)).hasSize(40);
            assertThat(sandbox.photos(ORDER)).hasSize(40);
            assertThat(sandbox.photos(ORDER).stream().map(StoredPhoto::sha256).collect(Collectors.toSet())).hasSize(40);
            assertThat(sandbox.createdPhotos()).isEqualTo(40);
        } finally {
            pool.shutdownNow();
        }
    }

    // ------------------------------------------------------------------ list and get

    @Test
    void listAnswersTheSpecItemShapeWithNumericOrderId() throws Exception {
        long general = client.upload(ORDER, "test", JPEG, 2);
        long key = client.upload(ORDER, "download.jpeg", JPEG, 27);

        Response response = client.get(PHOTOS);

        assertThat(response.status()).isEqualTo(200);
        JsonNode json = response.json();
        assertThat(json.path("meta").path("total").asInt()).isEqualTo(2);
        assertThat(json.path("data")).hasSize(2);
        JsonNode item = json.path("data").get(0);
        assertThat(item.fieldNames()).toIterable().containsExactly("id", "type", "order_attachment_type_id",
                "recovery_has_damage_type_location_id", "order_id", "name", "photo_url", "filename", "uploaded_by",
                "parent_attachment_order_id", "created_at", "meta");
        assertThat(item.path("id").asLong()).isEqualTo(general);
        assertThat(item.path("order_id").isNumber()).isTrue();
        assertThat(item.path("order_id").asLong()).isEqualTo(ORDER);
        assertThat(item.path("order_attachment_type_id").asInt()).isEqualTo(2);
        assertThat(item.path("recovery_has_damage_type_location_id").isNull()).isTrue();
        assertThat(item.path("name").asText()).isEqualTo("standard-a-r-general-photo");
        assertThat(item.path("filename").asText()).isEqualTo("900001_test.jpg");
        assertThat(item.path("parent_attachment_order_id").isNull()).isTrue();
        assertThat(item.path("created_at").asText()).matches("\\d{4}-\\d{2}-\\d{2} \\d{2}:\\d{2}:\\d{2}");
        assertThat(item.path("photo_url").asText()).startsWith(sandbox.baseUrl() + "/sandbox/files/" + general + "/900001_test.jpg?X-Amz-Date=")
                .matches(".*X-Amz-Date=\\d{8}T\\d{6}Z&X-Amz-Expires=1800&X-Amz-Signature=[0-9a-f]{64}$");

        JsonNode type = item.path("type");
        assertThat(type.fieldNames()).toIterable().containsExactly("id", "name", "always_show", "is_required", "type",
                "created_at", "updated_at", "deleted_at");
        assertThat(type.path("id").asInt()).isEqualTo(2);
        assertThat(type.path("name").asText()).isEqualTo("AR General Photo");
        assertThat(type.path("is_required").asInt()).isZero();
        assertThat(type.path("type").asText()).isEqualTo("photos");
        assertThat(type.path("deleted_at").isNull()).isTrue();

        JsonNode uploader = item.path("uploaded_by");
        assertThat(uploader.path("id").asLong()).isEqualTo(900001);
        assertThat(uploader.path("company_id").asLong()).isEqualTo(10004);
        assertThat(uploader.path("name").asText()).isEqualTo("Sandbox Forwarder");
        assertThat(uploader.path("contact").path("email").asText()).isEqualTo("forwarder@example.com");
        assertThat(uploader.path("contact").path("mobile_phone").isNull()).isTrue();
        assertThat(uploader.path("roles")).hasSize(2);
        assertThat(uploader.path("self").asText()).isEqualTo(sandbox.baseUrl() + "/api/employees/900001");
        assertThat(uploader.path("expand").asText()).isEqualTo("employee");

        JsonNode meta = item.path("meta");
        assertThat(meta.path("lat").asText()).isEqualTo("0.00000000");
        assertThat(meta.path("long").asText()).isEqualTo("0.00000000");
        assertThat(meta.path("generated_at").asText()).isEqualTo("2026-03-11 23:23:00");
        assertThat(meta.path("created_at").asText()).matches("\\d{4}-\\d{2}-\\d{2}T\\d{2}:\\d{2}:\\d{2}\\.000000Z")
                .startsWith(item.path("created_at").asText().replace(' ', 'T'));

        JsonNode keyItem = json.path("data").get(1);
        assertThat(keyItem.path("id").asLong()).isEqualTo(key);
        assertThat(keyItem.path("name").asText()).isEqualTo("standard-key");
        assertThat(keyItem.path("filename").asText()).isEqualTo("900001_download.jpeg");
        assertThat(keyItem.path("type").path("always_show").asInt()).isEqualTo(1);
        assertThat(keyItem.path("type").path("is_required").asInt()).isEqualTo(1);
    }

    @Test
    void listOfAnOrderWithoutPhotosIsEmptyAndOfAnUnknownOrderIs404() throws Exception {
        Response empty = client.get(PHOTOS);
        Response unknown = client.get("/api/v140/orders/" + UNKNOWN_ORDER + "/photos");

        assertThat(empty.json().path("data")).isEmpty();
        assertThat(empty.json().path("meta").path("total").asInt()).isZero();
        assertThat(unknown.status()).isEqualTo(404);
        assertThat(unknown.json().path("message").asText()).isEqualTo("Order " + UNKNOWN_ORDER + " not found.");
    }

    @Test
    void getAnswersOnePhotoInADataEnvelope() throws Exception {
        long id = client.upload(ORDER, "test", JPEG, 3);

        Response response = client.get(PHOTOS + "/" + id);

        assertThat(response.status()).isEqualTo(200);
        JsonNode data = response.json().path("data");
        assertThat(data.path("id").asLong()).isEqualTo(id);
        assertThat(data.path("order_id").asLong()).isEqualTo(ORDER);
        assertThat(data.path("type").path("name").asText()).isEqualTo("Front: Driver side");
        assertThat(data.path("name").asText()).isEqualTo("standard-front-driver-side");
        assertThat(data.has("uploaded_by")).isTrue();
    }

    @Test
    void getAnswers404ForUnknownPhotoOrPhotoOfAnotherOrder() throws Exception {
        long id = client.upload(ORDER, "test", JPEG, 2);

        Response otherOrder = client.get("/api/v140/orders/" + OTHER_ORDER + "/photos/" + id);
        Response unknownPhoto = client.get(PHOTOS + "/123");
        Response unknownOrder = client.get("/api/v140/orders/" + UNKNOWN_ORDER + "/photos/" + id);
        Response transferAsId = client.get(PHOTOS + "/transfer");

        assertThat(otherOrder.status()).isEqualTo(404);
        assertThat(otherOrder.json().path("message").asText()).isEqualTo("Photo " + id + " not found.");
        assertThat(unknownPhoto.status()).isEqualTo(404);
        assertThat(unknownOrder.status()).isEqualTo(404);
        assertThat(transferAsId.status()).isEqualTo(404);
    }

    @Test
    void photoTypesEndpointServesTheCatalog() throws Exception {
        JsonNode data = client.get("/api/v140/photo-types").json().path("data");

        assertThat(data).hasSize(16);
        List<Integer> ids = new ArrayList<>();
        data.forEach(type -> ids.add(type.path("id").asInt()));
        assertThat(ids).containsExactly(2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 27);
        assertThat(data.get(15).path("name").asText()).isEqualTo("Key");
        assertThat(data.get(15).path("is_required").asInt()).isEqualTo(1);
        assertThat(data.get(0).path("is_required").asInt()).isZero();
    }

    // ------------------------------------------------------------------ transfer

    @Test
    void transferOfOnePhotoSucceedsForKnownOrderAndFailsForUnknown() throws Exception {
        long id = client.upload(ORDER, "test", JPEG, 2);

        Response response = client.put(PHOTOS + "/" + id, "{\"transfer_to\":[" + OTHER_ORDER + "," + UNKNOWN_ORDER + "]}");

        assertThat(response.status()).isEqualTo(200);
        JsonNode orders = response.json().path("orders");
        assertThat(orders).hasSize(2);
        assertThat(orders.get(0).path("id").asLong()).isEqualTo(OTHER_ORDER);
        assertThat(orders.get(0).path("attachments").get(0).path("id").asLong()).isEqualTo(id);
        assertThat(orders.get(0).path("attachments").get(0).path("status").asText()).isEqualTo("success");
        assertThat(orders.get(1).path("id").asLong()).isEqualTo(UNKNOWN_ORDER);
        assertThat(orders.get(1).path("attachments").get(0).path("status").asText()).isEqualTo("fail");

        List<StoredPhoto> copies = sandbox.photos(OTHER_ORDER);
        assertThat(copies).hasSize(1);
        assertThat(copies.get(0).id()).isNotEqualTo(id);
        assertThat(copies.get(0).parentAttachmentOrderId()).isEqualTo(ORDER);
        assertThat(copies.get(0).sha256()).isEqualTo(sha256(JPEG));
        assertThat(Files.readAllBytes(sandbox.file(copies.get(0).id()))).isEqualTo(JPEG);
        assertThat(sandbox.photos(ORDER)).hasSize(1);
        assertThat(sandbox.createdPhotos()).isEqualTo(1);
        JsonNode listed = client.get("/api/v140/orders/" + OTHER_ORDER + "/photos").json().path("data").get(0);
        assertThat(listed.path("parent_attachment_order_id").asLong()).isEqualTo(ORDER);
    }

    @Test
    void transferAllAnswersOneEntryPerDestinationAndPhoto() throws Exception {
        long first = client.upload(ORDER, "one", JPEG, 2);
        long second = client.upload(ORDER, "two", PNG, 27);

        Response response = client.put(PHOTOS + "/transfer", "{\"transfer_to\":[" + OTHER_ORDER + "]}");

        assertThat(response.status()).isEqualTo(200);
        JsonNode orders = response.json().path("orders");
        assertThat(orders).hasSize(2);
        assertThat(orders.get(0).path("id").asLong()).isEqualTo(OTHER_ORDER);
        assertThat(orders.get(1).path("id").asLong()).isEqualTo(OTHER_ORDER);
        assertThat(orders.get(0).path("attachments").get(0).path("id").asLong()).isEqualTo(first);
        assertThat(orders.get(1).path("attachments").get(0).path("id").asLong()).isEqualTo(second);
        assertThat(orders.findValuesAsText("status")).containsExactly("success", "success");
        assertThat(sandbox.photos(OTHER_ORDER)).extracting(StoredPhoto::fileName)
                .containsExactly("900001_one.jpg", "900001_two.png");
    }

    @Test
    void transferAnswers400WithoutAUsableTransferTo() throws Exception {
        long id = client.upload(ORDER, "test", JPEG, 2);

        for (String body : List.of("{}", "{\"transfer_to\":[]}", "{\"transfer_to\":" + OTHER_ORDER + "}", "not json")) {
            Response one = client.put(PHOTOS + "/" + id, body);
            Response all = client.put(PHOTOS + "/transfer", body);
            assertThat(one.status()).as(body).isEqualTo(400);
            assertThat(all.status()).as(body).isEqualTo(400);
            assertThat(one.json().path("errors").has("transfer_to")).as(body).isTrue();
        }
        assertThat(sandbox.photos(OTHER_ORDER)).isEmpty();
    }

    @Test
    void transferOfUnknownPhotoAnswers404() throws Exception {
        Response response = client.put(PHOTOS + "/180000000", "{\"transfer_to\":[" + OTHER_ORDER + "]}");

        assertThat(response.status()).isEqualTo(404);
        assertThat(response.json().path("message").asText()).isEqualTo("Photo 180000000 not found.");
    }

    // ------------------------------------------------------------------ photo_url

    @Test
    void photoUrlDownloadGivesTheExactBytesAndContentType() throws Exception {
        long id = client.upload(ORDER, "shot", PNG, 2);
        String url = client.get(PHOTOS + "/" + id).json().path("data").path("photo_url").asText();

        HttpResponse<byte[]> download = client.http.send(HttpRequest.newBuilder(URI.create(url)).build(),
                HttpResponse.BodyHandlers.ofByteArray());

        assertThat(download.statusCode()).isEqualTo(200);
        assertThat(download.body()).isEqualTo(PNG);
        assertThat(download.headers().firstValue("Content-Type")).hasValue("image/png");
    }

    @Test
    void expiredPhotoUrlAnswers403() throws Exception {
        long id = client.upload(ORDER, "test", JPEG, 2);
        String expired = sandbox.photoUrl(id, Instant.now().minus(Duration.ofMinutes(31)));
        String fresh = sandbox.photoUrl(id, Instant.now().minus(Duration.ofMinutes(29)));

        Response expiredAnswer = client.send("GET", expired, null, null);

        assertThat(expiredAnswer.status()).isEqualTo(403);
        assertThat(expiredAnswer.body()).contains("<Code>AccessDenied</Code>", "Request has expired");
        assertThat(client.send("GET", fresh, null, null).status()).isEqualTo(200);
    }

    @Test
    void tamperedPhotoUrlAnswers403() throws Exception {
        long id = client.upload(ORDER, "test", JPEG, 2);
        String url = sandbox.photoUrl(id, Instant.now());
        char last = url.charAt(url.length() - 1);
        String badSignature = url.substring(0, url.length() - 1) + (last == '0' ? '1' : '0');
        String longerExpiry = url.replace("X-Amz-Expires=1800", "X-Amz-Expires=999999");
        String otherPhoto = url.replace("/files/" + id + "/", "/files/" + (id + 1) + "/");
        String unsigned = url.substring(0, url.indexOf('?'));

        for (String tampered : List.of(badSignature, longerExpiry, otherPhoto, unsigned)) {
            assertThat(client.send("GET", tampered, null, null).status()).as(tampered).isEqualTo(403);
        }
        assertThat(client.send("GET", url, null, null).status()).isEqualTo(200);
    }

    // ------------------------------------------------------------------ seeding, persistence, lifecycle

    @Test
    void seededPhotoIsListedButNotCountedAsCreated() throws Exception {
        StoredPhoto seeded = sandbox.seedPhoto(ORDER, "earlier", 27, JPEG, "2026-01-02 03:04:05");

        JsonNode data = client.get(PHOTOS).json().path("data");

        assertThat(data).hasSize(1);
        assertThat(data.get(0).path("id").asLong()).isEqualTo(seeded.id());
        assertThat(data.get(0).path("filename").asText()).isEqualTo("900001_earlier.jpg");
        assertThat(seeded.sha256()).isEqualTo(sha256(JPEG));
        assertThat(sandbox.createdPhotos()).isZero();
        assertThat(sandbox.createRequests()).isZero();
        assertThatThrownBy(() -> sandbox.seedPhoto(UNKNOWN_ORDER, "x", 2, JPEG, "2026-01-02 03:04:05"))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> sandbox.seedPhoto(ORDER, "x", 2, "text".getBytes(StandardCharsets.US_ASCII), "2026-01-02 03:04:05"))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void addOrderMakesAnOrderUsable() throws Exception {
        assertThat(client.get("/api/v140/orders/" + UNKNOWN_ORDER + "/photos").status()).isEqualTo(404);

        sandbox.addOrder(UNKNOWN_ORDER);

        assertThat(client.get("/api/v140/orders/" + UNKNOWN_ORDER + "/photos").status()).isEqualTo(200);
        client.upload(UNKNOWN_ORDER, "test", JPEG, 2);
        assertThat(sandbox.photos(UNKNOWN_ORDER)).hasSize(1);
    }

    @Test
    void restartedSandboxWithTheSameDataDirKnowsEarlierPhotosAndContinuesIds(@TempDir Path dataDir) throws Exception {
        restartWith(RecoveryConnectSandbox.Settings.defaults().withDataDir(dataDir));
        long first = client.upload(ORDER, "test", JPEG, 2);
        sandbox.addOrder(UNKNOWN_ORDER);
        long second = client.upload(UNKNOWN_ORDER, "shot", PNG, 27);
        assertThat(dataDir.resolve("recoveryconnect/photos/" + first + ".bin")).exists();
        assertThat(dataDir.resolve("recoveryconnect/photos/" + first + ".json")).exists();

        restartWith(RecoveryConnectSandbox.Settings.defaults().withDataDir(dataDir));

        StoredPhoto reloaded = sandbox.photo(first).orElseThrow();
        assertThat(reloaded.fileName()).isEqualTo("900001_test.jpg");
        assertThat(reloaded.sha256()).isEqualTo(sha256(JPEG));
        assertThat(reloaded.pictureTime()).isEqualTo("2026-03-11 23:23:00");
        assertThat(client.get(PHOTOS).json().path("data").get(0).path("id").asLong()).isEqualTo(first);
        assertThat(client.get("/api/v140/orders/" + UNKNOWN_ORDER + "/photos/" + second).status()).isEqualTo(200);
        long third = client.upload(ORDER, "again", JPEG, 2);
        assertThat(third).isEqualTo(second + 1);
        String url = client.get(PHOTOS + "/" + first).json().path("data").path("photo_url").asText();
        HttpResponse<byte[]> download = client.http.send(HttpRequest.newBuilder(URI.create(url)).build(),
                HttpResponse.BodyHandlers.ofByteArray());
        assertThat(download.body()).isEqualTo(JPEG);
    }

    @Test
    void temporaryDataDirIsDeletedOnStop() throws Exception {
        long id = client.upload(ORDER, "test", JPEG, 2);
        Path file = sandbox.file(id);
        assertThat(file).exists();

        sandbox.stop();

        assertThat(file).doesNotExist();
        assertThat(file.getParent().getParent().getParent()).doesNotExist();
    }

    @Test
    void stopFreesThePortAndStartAndStopAreIdempotent() throws Exception {
        int port = URI.create(sandbox.baseUrl()).getPort();
        sandbox.start();
        assertThat(URI.create(sandbox.baseUrl()).getPort()).isEqualTo(port);

        sandbox.stop();
        sandbox.stop();

        try (ServerSocket reuse = new ServerSocket(port, 1, java.net.InetAddress.getLoopbackAddress())) {
            assertThat(reuse.getLocalPort()).isEqualTo(port);
        }
        sandbox = start(RecoveryConnectSandbox.Settings.defaults().withPort(port));
        assertThat(client.send("GET", "/sandbox/health", null, null).json().path("status").asText()).isEqualTo("UP");
        assertThatThrownBy(() -> new RecoveryConnectSandbox(RecoveryConnectSandbox.Settings.defaults()).baseUrl())
                .isInstanceOf(IllegalStateException.class);
    }

    @Test
    void startOnAPortInUseFailsWithTheAddressInTheMessage() {
        int port = URI.create(sandbox.baseUrl()).getPort();
        RecoveryConnectSandbox second = new RecoveryConnectSandbox(RecoveryConnectSandbox.Settings.defaults().withPort(port));

        assertThatThrownBy(second::start).isInstanceOf(java.io.UncheckedIOException.class).hasMessageContaining(":" + port);
        assertThatThrownBy(second::baseUrl).isInstanceOf(IllegalStateException.class);
        second.stop();
    }

    @Test
    void settingsToStringHidesSecrets() {
        String text = RecoveryConnectSandbox.Settings.defaults().withCredentials("user", "s3cret-password").toString();

        assertThat(text).contains("user").doesNotContain("s3cret-password").doesNotContain(STATIC_TOKEN);
    }

    @Test
    void adminEndpointsAddOrdersAndExpireTokens() throws Exception {
        String token = client.auth("sandbox@example.com", "sandbox").json().path("access_token").asText();

        assertThat(client.send("POST", "/sandbox/orders", "{\"id\":" + UNKNOWN_ORDER + "}", null).status()).isEqualTo(204);
        assertThat(client.send("POST", "/sandbox/tokens/expire", "", null).status()).isEqualTo(204);

        assertThat(client.get("/api/v140/orders/" + UNKNOWN_ORDER + "/photos").status()).isEqualTo(200);
        assertThat(client.send("GET", PHOTOS, null, token).status()).isEqualTo(401);
    }

    static String sha256(byte[] bytes) throws Exception {
        return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
    }
}
