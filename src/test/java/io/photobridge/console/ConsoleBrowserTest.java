package io.photobridge.console;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;

import io.photobridge.RunningPhotoBridge;
import io.photobridge.records.PhotoRecord;
import io.photobridge.records.PhotoState;
import io.photobridge.sandbox.FaultInjector;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;
import static org.awaitility.Awaitility.await;

/**
 * The console in a real headless Chromium: sign in, the dashboard loads, search finds an order with its photo previews,
 * and Retry on a failed file delivers it (exactly once). Screenshots: target/console-screenshots/.
 */
class ConsoleBrowserTest {

    private static final long ORDER = 57076504L;
    private static final Duration WAIT = Duration.ofSeconds(60);
    private static final Path MEDIA = Path.of("src/test/resources/media");
    private static final Path SHOTS = Path.of("target/console-screenshots");

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
    void signInFindAnOrderAndRetryAFailedFile() throws Exception {
        Optional<Path> executable = Chromium.find();
        if (executable.isEmpty()) {
            if ("true".equals(System.getenv("CI"))) {
                fail("chromium is not installed: CI must run this test (.ci/run installs Debian's chromium package)");
            }
            Assumptions.abort("chromium is not installed (apt-get install -y chromium): the console's browser test is skipped");
        }
        app = RunningPhotoBridge.start(home);
        // one file refused by RecoveryConnect (kept in .error/ with its note), one delivered
        app.sandbox().faults().failNext(1, "/photos", new FaultInjector.Status(400, "Photo refused for the console test", null));
        Path folder = Files.createDirectories(app.inbox().resolve(ORDER + "/key"));
        Files.copy(MEDIA.resolve("key-exif.jpg"), folder.resolve("IMG_0100.jpg"));
        Path note = app.inbox().resolve(".error/" + ORDER + "/key/IMG_0100.jpg.error.txt");
        await().atMost(WAIT).until(() -> Files.exists(note));
        Files.copy(MEDIA.resolve("offset-exif.jpg"), folder.resolve("IMG_0101.jpg"));
        await().atMost(WAIT).until(() -> photo("IMG_0101.jpg").filter(p -> p.state() == PhotoState.UPLOADED).isPresent());
        long attachment = photo("IMG_0101.jpg").orElseThrow().rcAttachmentId();

        try (Chromium browser = Chromium.start(executable.get(), Files.createDirectories(home.resolve("chromium/profile")))) {
            browser.navigate(app.httpBase() + "/console/");
            await().atMost(WAIT).until(() -> browser.isTrue("!!document.getElementById('login') && !document.getElementById('login').hidden"));
            browser.screenshot(SHOTS.resolve("1-sign-in.png"));
            browser.eval("document.getElementById('token').value = '" + RunningPhotoBridge.API_TOKEN + "';"
                    + " document.getElementById('login-form').requestSubmit(); true");

            await().atMost(WAIT).until(() -> browser.isTrue("document.body.dataset.loaded === '#/dashboard'"));
            assertThat(browser.eval("document.getElementById('dash-failed').textContent").asText()).isEqualTo("1");
            assertThat(browser.eval("document.querySelector('#dash-vendors tbody').textContent").asText())
                    .contains("recoveryconnect").contains("SANDBOX");
            assertThat(browser.eval("document.querySelector('#dash-failures tbody').textContent").asText())
                    .contains("Photo refused for the console test");
            browser.screenshot(SHOTS.resolve("2-dashboard.png"));

            browser.eval("document.getElementById('search-order').value = '" + ORDER + "';"
                    + " document.getElementById('search').requestSubmit(); true");
            await().atMost(WAIT).until(() -> browser.isTrue("document.body.dataset.loaded === '#/order/" + ORDER + "'"));
            assertThat(browser.eval("Array.from(document.querySelectorAll('#order-photos .attachment')).map(e => e.textContent).join(',')")
                    .asText()).contains(String.valueOf(attachment));
            await().atMost(WAIT).until(() -> browser.isTrue("document.querySelectorAll('#order-photos img.thumb').length === 2"
                    + " && Array.from(document.querySelectorAll('#order-photos img.thumb')).every(i => i.complete && i.naturalWidth > 0)"));
            assertThat(browser.eval("document.getElementById('order-photos').textContent").asText()).contains("27 Key")
                    .contains("IMG_0100.jpg").contains("FAILED").contains("Photo refused for the console test");
            assertThat(browser.eval("document.querySelector('#order-timeline tbody').textContent").asText()).contains("UPLOADED");
            browser.screenshot(SHOTS.resolve("3-order.png"));

            browser.eval("location.hash = '#/failures'; true");
            await().atMost(WAIT).until(() -> browser.isTrue("document.body.dataset.loaded === '#/failures'"
                    + " && document.querySelectorAll('#failures-table button.retry').length === 1"));
            browser.screenshot(SHOTS.resolve("4-failures.png"));
            browser.eval("document.querySelector('#failures-table button.retry').click(); true");

            await().atMost(WAIT).until(() -> Files.exists(app.inbox().resolve(".done/" + ORDER + "/key/IMG_0100.jpg")));
            await().atMost(WAIT).until(() -> photo("IMG_0100.jpg").filter(p -> p.state() == PhotoState.UPLOADED).isPresent());
            await().atMost(WAIT).until(() -> browser.isTrue("!document.getElementById('failures-empty').hidden"));
            browser.screenshot(SHOTS.resolve("5-after-retry.png"));
        }
        assertThat(note).doesNotExist();
        assertThat(app.sandbox().photos(ORDER)).hasSize(2);
        assertThat(app.ledger().photos(ORDER)).hasSize(2);
        assertThat(app.ledger().timeline(ORDER)).anyMatch(e -> e.kind().equals("RETRY_REQUESTED"));
        assertThat(SHOTS.resolve("3-order.png")).isNotEmptyFile();
    }

    private Optional<PhotoRecord> photo(String name) {
        return app.ledger().photos(ORDER).stream().filter(p -> name.equals(p.originalName())).findFirst();
    }
}
