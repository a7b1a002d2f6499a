package io.photobridge;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;

import org.apache.camel.Route;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** Damage analysis and the PAVE relay can be switched off: PhotoBridge then starts without their routes and still uploads photos. */
class FeatureSwitchesTest {

    private static final long ORDER = 57076502L;

    @TempDir
    Path home;

    @Test
    void withDamageAnalysisAndPaveOffOnlyTheirRoutesAreLeftOutAndPhotosStillReachRecoveryConnect() throws Exception {
        try (RunningPhotoBridge app = RunningPhotoBridge.start(home,
                Map.of("photobridge.inspektlabs.enabled", "false", "photobridge.pave.enabled", "false"))) {
            assertThat(app.context().getRoutes()).extracting(Route::getRouteId)
                    .contains("ingest-drop-folder", "records-api")
                    .noneMatch(id -> id.startsWith("inspektlabs-") || id.startsWith("pave-"));
            assertThat(app.inspektlabs()).isNull();
            assertThat(app.pave()).isNull();

            Path photo = app.inbox().resolve(ORDER + "/IMG_0100.jpg");
            Files.createDirectories(photo.getParent());
            Files.copy(Path.of("src/test/resources/media/key-exif.jpg"), photo);

            await().atMost(Duration.ofSeconds(20)).until(() -> app.sandbox().photos(ORDER).size() == 1);
            HttpResponse<String> health = TestHttp.client().send(
                    HttpRequest.newBuilder(URI.create(app.httpBase() + "/observe/health")).build(), HttpResponse.BodyHandlers.ofString());
            assertThat(health.statusCode()).isEqualTo(200);
        }
    }
}
