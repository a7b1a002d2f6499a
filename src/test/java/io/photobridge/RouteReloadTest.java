package io.photobridge;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.photobridge.routes.Reload;
import io.photobridge.routes.ValidatingRouteReloadStrategy;
import org.apache.camel.Route;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

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

        await().atMost(WAIT).until(() -> reloader.acceptedReloads() >= 1 && "Edited by an admin".equals(description("ingest-pipeline")));
        // a save may first show the truncated file, refused as empty; the edit itself is never refused
        assertThat(reloader.recentReloads()).noneMatch(r -> r.outcome() == Reload.Outcome.REJECTED && !r.detail().contains("is empty"));
        // a save can fire the watcher twice; while a reload runs the routes are briefly away: wait for the full set
        await().atMost(WAIT).until(() -> app.context().getRoutes().stream().map(Route::getRouteId).sorted().toList()
                .equals(before));
    }

    /** Every kind of edit that parses but cannot run is refused before anything running is touched. */
    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', textBlock = """
            placeholder typo     | ingest-drop-folder.camel.yaml     | {{photobridge.inbox.poll-ms}}          | {{photobridge.inbox.poll-msx}}          | line {line}: placeholder {{photobridge.inbox.poll-msx}} does not resolve
            bean name typo       | records-api.camel.yaml            | ref: orderRecordsApi                   | ref: orderRecordsApii                   | orderRecordsApii
            bean method typo     | records-api.camel.yaml            | method: records                        | method: recordz                         | recordz
            endpoint option typo | ingest-drop-folder.camel.yaml     | greedy: true                           | greedyy: true                           | greedyy
            unknown component    | admin-reloads.camel.yaml          | uri: platform-http:/api/reloads        | uri: platfrom-http:/api/reloads         | platfrom-http
            consumer removed     | recoveryconnect-upload.camel.yaml | uri: direct:recoveryconnect-upload     | uri: direct:recoveryconnect-uploads     | no route would consume direct:recoveryconnect-upload
            duplicate route id   | records-api.camel.yaml            | id: records-api                        | id: ingest-pipeline                     | route id 'ingest-pipeline' is used twice
            rest consumer removed | records-api.camel.yaml           | uri: direct:api-orders                 | uri: direct:api-orderz                  | no route would consume direct:api-orders (sent to by
            """)
    void editThatCannotRunIsRejectedAndEveryRouteKeepsRunning(String kind, String file, String from, String to, String reason)
            throws Exception {
        ValidatingRouteReloadStrategy reloader = start();
        Map<String, Route> before = runningRoutes();
        Path route = home.resolve("routes").resolve(file);
        String text = Files.readString(route);
        assertThat(text).contains(from);
        // {line}: the number of the edited line
        String expected = reason.replace("{line}", String.valueOf(text.substring(0, text.indexOf(from)).split("\n", -1).length));

        Files.writeString(route, text.replace(from, to));

        // a save may first show the truncated file (rejected as empty): wait for the rejection of the edit itself
        await().atMost(WAIT).until(() -> reloader.lastRejection() != null && reloader.lastRejection().contains(expected));
        assertThat(reloader.recentReloads().get(0).outcome()).isEqualTo(Reload.Outcome.REJECTED);
        assertThat(reloader.recentReloads().get(0).trigger()).contains(file);
        assertThat(runningRoutes()).containsExactlyInAnyOrderEntriesOf(before);
        assertThat(app.context().getRoutes()).allMatch(r -> app.context().getRouteController().getRouteStatus(r.getRouteId()).isStarted());
        assertThat(readiness("routes-running")).isEqualTo("UP");
        assertPhotosStillFlow("after-" + kind.replace(' ', '-') + ".jpg");
    }

    @Test
    void anEditOfTheRestDslSaysARestartIsNeededAndChangesNothing() throws Exception {
        ValidatingRouteReloadStrategy reloader = start();
        Map<String, Route> before = runningRoutes();
        Path rest = home.resolve("routes/api-rest.camel.yaml");

        Files.writeString(rest, Files.readString(rest).replace("description: Orders with photos, most recently active first, by page",
                "description: Orders, newest first"));

        await().atMost(WAIT).until(() -> !reloader.recentReloads().isEmpty()
                && reloader.recentReloads().get(0).outcome() == Reload.Outcome.RESTART_NEEDED);
        assertThat(reloader.recentReloads().get(0).detail()).contains("api-rest.camel.yaml").contains("restart");
        assertThat(runningRoutes()).containsExactlyInAnyOrderEntriesOf(before);
    }

    @Test
    void onlyTheRouteWhoseDefinitionChangedIsReplaced() throws Exception {
        ValidatingRouteReloadStrategy reloader = start();
        Map<String, Route> before = runningRoutes();
        Path api = home.resolve("routes/records-api.camel.yaml");

        Files.writeString(api, Files.readString(api).replace("description: GET /api/orders/{orderId}/records",
                "description: Order records for the operators"));

        await().atMost(WAIT).until(() -> "Order records for the operators".equals(description("records-api")));
        Map<String, Route> after = runningRoutes();
        assertThat(after.keySet()).isEqualTo(before.keySet());
        before.forEach((id, route) -> {
            if (!id.equals("records-api")) {
                assertThat(after.get(id)).as(id + " was not touched").isSameAs(route);
            }
        });
        assertThat(reloader.recentReloads()).anySatisfy(r -> {
            assertThat(r.outcome()).isEqualTo(Reload.Outcome.APPLIED);
            assertThat(r.routes()).containsExactly("records-api");
        });
    }

    @Test
    void aNewRouteThatFailsToStartIsRolledBackAndTheOthersKeepRunning() throws Exception {
        ValidatingRouteReloadStrategy reloader = start();
        Map<String, Route> before = runningRoutes();
        Path blocker = Files.writeString(home.resolve("not-a-folder"), "a file where a folder should be");

        Files.writeString(home.resolve("routes/admin-extra.camel.yaml"), """
                - route:
                    id: admin-extra
                    from:
                      uri: file
                      parameters:
                        directoryName: %s/inbox
                        autoCreate: false
                        startingDirectoryMustExist: true
                      steps:
                        - log:
                            message: "${file:name}"
                """.formatted(blocker));

        // a save can fire the watcher twice, and each attempt is rolled back: wait until the last one is done
        await().atMost(WAIT).until(() -> !reloader.recentReloads().isEmpty()
                && reloader.recentReloads().get(0).outcome() == Reload.Outcome.ROLLED_BACK
                && app.context().getRoute("admin-extra") == null);
        assertThat(reloader.recentReloads().get(0).detail()).contains("admin-extra");
        assertThat(reloader.pendingRejection()).contains("admin-extra");
        // a second attempt at the same save may still be starting and rolling back the route
        await().atMost(WAIT).untilAsserted(() -> assertThat(runningRoutes()).containsExactlyInAnyOrderEntriesOf(before));
        assertThat(readiness("routes-running")).isEqualTo("UP");
        assertPhotosStillFlow("after-rollback.jpg");
    }

    @Test
    void readinessIsDownNamingARouteThatShouldRunButDoesNot() throws Exception {
        start();
        assertThat(readiness("routes-running")).isEqualTo("UP");
        assertThat(readiness("ledger")).isEqualTo("UP");

        app.context().getRouteController().stopRoute("records-api");

        JsonNode routes = readinessCheck("routes-running");
        assertThat(routes.path("status").asText()).isEqualTo("DOWN");
        assertThat(routes.path("message").asText()).contains("records-api");
        HttpResponse<String> ready = TestHttp.client().send(HttpRequest.newBuilder(
                URI.create(app.httpBase() + "/observe/health/ready")).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(ready.statusCode()).isEqualTo(503);
    }

    @Test
    void aConfigEditOfARouteSettingIsAppliedLiveAndOneReadAtStartUpNeedsARestart() throws Exception {
        Path config = Files.createDirectories(home.resolve("config")).resolve("application.properties");
        Files.copy(Path.of("config/application.properties"), config);
        System.setProperty(PhotoBridge.CONFIG, config.toString());
        ValidatingRouteReloadStrategy reloader;
        try {
            reloader = start();
        } finally {
            System.clearProperty(PhotoBridge.CONFIG);
        }
        Route dropFolder = app.context().getRoute("ingest-drop-folder");

        Files.writeString(config, Files.readString(config).replace("photobridge.inbox.done-folder = .done",
                "photobridge.inbox.done-folder = .delivered"));

        await().atMost(WAIT).until(() -> app.context().getRoute("ingest-drop-folder") != dropFolder);
        Path photo = app.inbox().resolve("57076503/key/live-config.jpg");
        Files.createDirectories(photo.getParent());
        Files.copy(Path.of("src/test/resources/media/key-exif.jpg"), photo);
        await().atMost(WAIT).until(() -> Files.exists(app.inbox().resolve(".delivered/57076503/key/live-config.jpg")));

        Files.writeString(config, Files.readString(config).replace("photobridge.records.pool-size = 8",
                "photobridge.records.pool-size = 9"));

        await().atMost(WAIT).until(() -> reloader.recentReloads().get(0).outcome() == Reload.Outcome.RESTART_NEEDED);
        assertThat(reloader.recentReloads().get(0).detail()).contains("photobridge.records.pool-size").contains("restart");
    }

    /** A route's description, or null while it is away (a swap in progress). */
    private String description(String routeId) {
        Route route = app.context().getRoute(routeId);
        return route == null ? null : route.getDescription();
    }

    private Map<String, Route> runningRoutes() {
        return app.context().getRoutes().stream().collect(Collectors.toMap(Route::getRouteId, r -> r));
    }

    private String readiness(String check) throws Exception {
        return readinessCheck(check).path("status").asText();
    }

    /** One check of /observe/health/ready, as an operator's probe sees it. */
    private JsonNode readinessCheck(String check) throws Exception {
        HttpResponse<String> ready = TestHttp.client().send(HttpRequest.newBuilder(
                URI.create(app.httpBase() + "/observe/health/ready?exposureLevel=full")).build(), HttpResponse.BodyHandlers.ofString());
        for (JsonNode node : new ObjectMapper().readTree(ready.body()).path("checks")) {
            if (node.path("name").asText().equals(check)) {
                return node;
            }
        }
        throw new AssertionError("no readiness check " + check + " in " + ready.body());
    }

    private void assertPhotosStillFlow(String name) throws Exception {
        Path photo = app.inbox().resolve("57076503/key/" + name);
        Files.createDirectories(photo.getParent());
        Files.copy(Path.of("src/test/resources/media/key-exif.jpg"), photo);
        await().atMost(WAIT).until(() -> Files.exists(app.inbox().resolve(".done/57076503/key/" + name)));
        assertThat(app.sandbox().photos(57076503L)).hasSize(1);
    }
}
