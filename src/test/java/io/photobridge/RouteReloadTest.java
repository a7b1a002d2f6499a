package io.photobridge;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import org.apache.camel.Route;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** Editing a route while PhotoBridge runs: a broken edit is rejected and the running routes keep working; a good edit applies. */
class RouteReloadTest {

    private static final Duration WAIT = Duration.ofSeconds(30);

    @TempDir
    Path home;

    private RunningPhotoBridge app;

    @AfterEach
    void stop() {
        if (app != null) {
            app.close();
        }
    }

    private ValidatingRouteReloadStrategy start() throws Exception {
        Path routes = Files.createDirectories(home.resolve("routes"));
        try (Stream<Path> files = Files.list(Path.of("routes"))) {
            for (Path f : (Iterable<Path>) files::iterator) {
                Files.copy(f, routes.resolve(f.getFileName()));
            }
        }
        app = RunningPhotoBridge.start(home, Map.of(
                "camel.main.routes-include-pattern", "file:" + routes + "/*.camel.yaml",
                "photobridge.routes.reload-enabled", "true",
                "photobridge.routes.dir", routes.toString()));
        return app.context().getRegistry().lookupByNameAndType("routeReloader", ValidatingRouteReloadStrategy.class);
    }

    @Test
    void brokenEditIsRejectedNamingTheFileAndTheRunningRoutesKeepWorking() throws Exception {
        ValidatingRouteReloadStrategy reloader = start();
        int routes = app.context().getRoutes().size();
        Path pipeline = home.resolve("routes/ingest-pipeline.camel.yaml");

        Files.writeString(pipeline, Files.readString(pipeline).replace("method: identify", "method: identify\n   broken: [indent"));

        await().atMost(WAIT).until(() -> reloader.rejectedReloads() >= 1);
        assertThat(reloader.lastRejection()).contains("ingest-pipeline.camel.yaml");
        assertThat(app.context().getRoutes()).hasSize(routes);

        Path photo = app.inbox().resolve("57076503/key/still-works.jpg");
        Files.createDirectories(photo.getParent());
        Files.copy(Path.of("src/test/resources/media/key-exif.jpg"), photo);
        await().atMost(WAIT).until(() -> Files.exists(app.inbox().resolve(".done/57076503/key/still-works.jpg")));
        assertThat(app.sandbox().photos(57076503L)).hasSize(1);
    }

    @Test
    void unknownDslOptionIsRejected() throws Exception {
        ValidatingRouteReloadStrategy reloader = start();
        Path upload = home.resolve("routes/recoveryconnect-upload.camel.yaml");

        Files.writeString(upload, Files.readString(upload).replace("method: upload", "methd: upload"));

        await().atMost(WAIT).until(() -> reloader.rejectedReloads() >= 1);
        assertThat(reloader.lastRejection()).contains("recoveryconnect-upload.camel.yaml").contains("methd");
    }

    @Test
    void goodEditIsAppliedAndEveryRouteComesBackOnce() throws Exception {
        ValidatingRouteReloadStrategy reloader = start();
        List<String> before = app.context().getRoutes().stream().map(Route::getRouteId).sorted().toList();
        Path pipeline = home.resolve("routes/ingest-pipeline.camel.yaml");

        Files.writeString(pipeline, Files.readString(pipeline).replace("Identify, inspect, record, deliver", "Edited by an admin"));

        await().atMost(WAIT).until(() -> reloader.acceptedReloads() >= 1
                && app.context().getRoute("ingest-pipeline") != null
                && "Edited by an admin".equals(app.context().getRoute("ingest-pipeline").getDescription()));
        assertThat(reloader.rejectedReloads()).isZero();
        // a save can fire the watcher twice; while a reload runs the routes are briefly away: wait for the full set
        await().atMost(WAIT).until(() -> app.context().getRoutes().stream().map(Route::getRouteId).sorted().toList()
                .equals(before));
    }
}
