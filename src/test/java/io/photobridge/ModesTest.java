package io.photobridge;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;

import io.photobridge.sandbox.RecoveryConnectSandbox;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

/** Demo and production are explicit: what production refuses, how demo and a simulated vendor announce themselves, vendor health. */
class ModesTest {

    private static final long ORDER = 57076502L;

    @TempDir
    Path home;

    private RunningPhotoBridge app;

    @AfterEach
    void stop() {
        if (app != null) {
            app.close();
        }
    }

    @Test
    void productionWithoutVendorUrlsCredentialsOrOwnSecretsRefusesToStartNamingEverySettingAndItsVariable() {
        assertThatThrownBy(() -> app = RunningPhotoBridge.start(home, Map.of("photobridge.mode", "production",
                "photobridge.pave.webhook.secret", "")))
                .satisfies(e -> assertThat(PhotoBridge.causes(e))
                        .contains("photobridge.recoveryconnect.base-url is empty (env PHOTOBRIDGE_RECOVERYCONNECT_BASE_URL)")
                        .contains("photobridge.recoveryconnect.username is empty (env PHOTOBRIDGE_RC_USERNAME)")
                        .contains("photobridge.recoveryconnect.password is empty (env PHOTOBRIDGE_RC_PASSWORD)")
                        .contains("photobridge.inspektlabs.base-url is empty (env PHOTOBRIDGE_INSPEKTLABS_BASE_URL)")
                        .contains("photobridge.inspektlabs.api-key is empty (env PHOTOBRIDGE_INSPEKTLABS_API_KEY)")
                        .contains("photobridge.pave.base-url is empty (env PHOTOBRIDGE_PAVE_BASE_URL)")
                        .contains("photobridge.pave.api.secret is empty (env PHOTOBRIDGE_PAVE_API_SECRET)")
                        .contains("photobridge.inspektlabs.webhook.secret is a shipped demo value"
                                + " (env PHOTOBRIDGE_INSPEKTLABS_WEBHOOK_SECRET)")
                        .contains("photobridge.pave.webhook.secret is empty (env PHOTOBRIDGE_PAVE_WEBHOOK_SECRET;"
                                + " or photobridge.pave.enabled=false)")
                        .doesNotContain("sandbox-webhook-secret"));
        // nothing was simulated in its place
        assertThat(home.resolve("sandbox")).doesNotExist();
    }

    @Test
    void productionRefusesAShippedDemoValueAsApiTokenAndAnEmptyOneUnlessTheApiIsSwitchedOff() {
        Map<String, String> settings = new HashMap<>(oneSimulatedVendor());
        settings.put("photobridge.api.token", "sandbox-demo-token");
        assertThatThrownBy(() -> app = RunningPhotoBridge.start(home, settings))
                .satisfies(e -> assertThat(PhotoBridge.causes(e))
                        .contains("photobridge.api.token is a shipped demo value (env PHOTOBRIDGE_API_TOKEN)")
                        .doesNotContain("sandbox-demo-token"));
        settings.put("photobridge.api.token", "");
        assertThatThrownBy(() -> app = RunningPhotoBridge.start(home, settings))
                .satisfies(e -> assertThat(PhotoBridge.causes(e))
                        .contains("photobridge.api.token is empty (env PHOTOBRIDGE_API_TOKEN; or photobridge.api.enabled=false)"));
        settings.put("photobridge.api.enabled", "false");
        app = RunningPhotoBridge.start(home, settings);
        assertThat(get("/api/orders/" + ORDER + "/records").statusCode()).isEqualTo(403);
    }

    @Test
    void demoAnnouncesItselfInHealthAndMetricsAndFlagsEachSimulatedVendor() throws Exception {
        app = RunningPhotoBridge.start(home);

        // the file consumer's own check is DOWN until its first poll
        HttpResponse<String> health = await().atMost(Duration.ofSeconds(20))
                .until(() -> get("/observe/health?data=true"), answer -> answer.statusCode() == 200);
        assertThat(health.body()).contains("\"mode\"").contains("demo mode: all vendors simulated")
                .contains("vendor-recoveryconnect").contains("vendor-inspektlabs").contains("vendor-pave")
                .contains("\"simulated\":true").doesNotContain("\"simulated\":false");
        assertThat(get("/observe/metrics").body())
                .contains("photobridge_info{inspektlabs=\"simulated\",mode=\"demo\",pave=\"simulated\",recoveryconnect=\"simulated\"} 1\n");
    }

    @Test
    void aSimulatedVendorInProductionIsAnnouncedAndTheOthersAreNotStarted() throws Exception {
        app = RunningPhotoBridge.start(home, oneSimulatedVendor());
        assertThat(app.sandbox()).isNotNull();
        assertThat(app.inspektlabs()).isNull();
        assertThat(app.pave()).isNull();

        // the file consumer's own check is DOWN until its first poll
        HttpResponse<String> health = await().atMost(Duration.ofSeconds(20))
                .until(() -> get("/observe/health?data=true"), answer -> answer.statusCode() == 200);
        assertThat(health.body()).contains("production: simulated recoveryconnect");
        assertThat(get("/observe/metrics").body())
                .contains("photobridge_info{inspektlabs=\"off\",mode=\"production\",pave=\"off\",recoveryconnect=\"simulated\"} 1\n");

        Path photo = app.inbox().resolve(ORDER + "/IMG_0300.jpg");
        Files.createDirectories(photo.getParent());
        Files.copy(Path.of("src/test/resources/media/key-exif.jpg"), photo);
        await().atMost(Duration.ofSeconds(20)).until(() -> app.sandbox().photos(ORDER).size() == 1);
    }

    @Test
    void aSimulatedVendorIsNeverCalledAtAUrlASystemPropertyOrTheEnvironmentGives() throws Exception {
        // Camel lets -D and the environment beat an override property: the simulated vendor's URL must not come from one
        System.setProperty("photobridge.recoveryconnect.base-url", "http://127.0.0.1:9");
        try {
            app = RunningPhotoBridge.start(home, oneSimulatedVendor());
            Path photo = app.inbox().resolve(ORDER + "/IMG_0301.jpg");
            Files.createDirectories(photo.getParent());
            Files.copy(Path.of("src/test/resources/media/key-exif.jpg"), photo);
            await().atMost(Duration.ofSeconds(20)).until(() -> app.sandbox().photos(ORDER).size() == 1);
            assertThat(get("/observe/health?data=true").body()).doesNotContain("127.0.0.1:9");
        } finally {
            System.clearProperty("photobridge.recoveryconnect.base-url");
        }
    }

    @Test
    void aVendorRefusingTheCredentialsMakesReadinessDownWithItsAnswerButLivenessStaysUp() throws Exception {
        try (RecoveryConnectSandbox vendor = new RecoveryConnectSandbox(RecoveryConnectSandbox.Settings.defaults()
                .withDataDir(home.resolve("vendor")))) {
            vendor.start();
            Map<String, String> settings = new HashMap<>(oneSimulatedVendor());
            settings.put("photobridge.recoveryconnect.simulated", "false");
            settings.put("photobridge.recoveryconnect.base-url", vendor.baseUrl());
            settings.put("photobridge.recoveryconnect.username", "operator@example.com");
            settings.put("photobridge.recoveryconnect.password", "not-the-password-7Hq");
            app = RunningPhotoBridge.start(home, settings);

            HttpResponse<String> ready = get("/observe/health/ready?data=true");
            assertThat(ready.statusCode()).isEqualTo(503);
            assertThat(ready.body()).contains("vendor-recoveryconnect").contains("RecoveryConnect authenticate: HTTP 401")
                    .doesNotContain("not-the-password-7Hq");
            assertThat(get("/observe/health/live").statusCode()).isEqualTo(200);
        }
    }

    /** Production with RecoveryConnect simulated, damage analysis and PAVE off, and a records API token of the test's own. */
    private static Map<String, String> oneSimulatedVendor() {
        return Map.of("photobridge.mode", "production", "photobridge.recoveryconnect.simulated", "true",
                "photobridge.inspektlabs.enabled", "false", "photobridge.pave.enabled", "false");
    }

    private HttpResponse<String> get(String path) {
        try {
            return TestHttp.client().send(HttpRequest.newBuilder(URI.create(app.httpBase() + path)).build(),
                    HttpResponse.BodyHandlers.ofString());
        } catch (Exception e) {
            throw new IllegalStateException("GET " + path + " failed", e);
        }
    }
}
