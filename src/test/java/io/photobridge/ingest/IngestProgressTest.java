package io.photobridge.ingest;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.apache.camel.CamelContext;
import org.apache.camel.component.micrometer.MicrometerConstants;
import org.apache.camel.impl.DefaultCamelContext;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;

/** Progress lines and backlog gauges of the drop folder, on a fake clock and a real inbox folder. */
class IngestProgressTest {

    private static final long SECOND = 1_000_000_000L;

    @TempDir
    Path inbox;

    private final AtomicLong now = new AtomicLong(1_000 * SECOND);
    private IngestProgress progress;

    @BeforeEach
    void waitingFiles() throws IOException {
        file("57076503/key/a.jpg");
        file("57076503/b.jpg");
        file("57076504/general/c.jpg");
        // Not waiting: finished files, failed files and their notes, a manifest, dot-files, Camel's lock markers.
        file(".done/57076503/old.jpg");
        file(".error/57076503/bad.jpg");
        file(".error/57076503/bad.jpg.error.txt");
        file("57076503/manifest.csv");
        file("57076503/MANIFEST.CSV");
        file("57076503/.DS_Store");
        file("57076503/b.jpg.camelLock");
        progress = new IngestProgress(inbox, 100, Duration.ofSeconds(10), now::get);
    }

    @Test
    void logsALineOnceEveryNFilesAreProcessed() {
        assertThat(progress.advance(0, 0, 4)).isNull();
        at(1);
        assertThat(progress.advance(60, 0, 4)).isNull();
        at(2);
        assertThat(progress.advance(99, 1, 4))
                .isEqualTo("Inbox progress: 99 done, 1 failed, 3 remaining, 4 in flight, 50.0 files/s");
        at(3);
        assertThat(progress.advance(150, 1, 4)).isNull();
    }

    @Test
    void logsALineEverySSecondsWhileFilesAreInFlightEvenWithoutProgress() {
        assertThat(progress.advance(0, 0, 0)).isNull();
        at(1);
        assertThat(progress.advance(5, 0, 4)).isNull();
        at(9);
        assertThat(progress.advance(5, 0, 4)).isNull();
        at(11);
        assertThat(progress.advance(5, 0, 4)).isEqualTo("Inbox progress: 5 done, 0 failed, 3 remaining, 4 in flight, 0.5 files/s");
        at(21);
        assertThat(progress.advance(5, 0, 4)).isEqualTo("Inbox progress: 5 done, 0 failed, 3 remaining, 4 in flight, 0.0 files/s");
    }

    @Test
    void logsTheLastLineOnceTheWorkIsDoneThenNothingWhileIdle() throws IOException {
        progress.advance(0, 0, 0);
        at(5);
        progress.advance(40, 0, 1);
        deleteWaitingFiles();
        at(10);
        assertThat(progress.advance(42, 0, 0)).isEqualTo("Inbox progress: 42 done, 0 failed, 0 remaining, 0 in flight, 4.2 files/s");
        for (int s = 11; s < 120; s++) {
            at(s);
            assertThat(progress.advance(42, 0, 0)).as("tick at %s s", s).isNull();
        }
        assertThat(progress.lastLine()).startsWith("Inbox progress: 42 done");
    }

    @Test
    void aLineThatStillShowedWorkIsFollowedByOneLineSayingHowItEnded() {
        progress.advance(0, 0, 0);
        at(5);
        assertThat(progress.advance(100, 0, 1)).isEqualTo("Inbox progress: 100 done, 0 failed, 3 remaining, 1 in flight, 20.0 files/s");
        at(6);
        assertThat(progress.advance(100, 0, 0)).isNull();
        at(15);
        // The three files left in the inbox are not being taken (say, unreadable): one line says so, then silence.
        assertThat(progress.advance(100, 0, 0)).isEqualTo("Inbox progress: 100 done, 0 failed, 3 remaining, 0 in flight, 0.0 files/s");
        for (int s = 16; s < 120; s++) {
            at(s);
            assertThat(progress.advance(100, 0, 0)).as("tick at %s s", s).isNull();
        }
    }

    @Test
    void theBacklogFollowsTheInboxWhileIdleAtMostOnceEverySSeconds() throws IOException {
        progress.advance(0, 0, 0);
        assertThat(progress.backlog()).isEqualTo(3);
        file("57076505/d.jpg");
        at(5);
        progress.advance(0, 0, 0);
        assertThat(progress.backlog()).as("not counted again before 10 s").isEqualTo(3);
        at(10);
        progress.advance(0, 0, 0);
        assertThat(progress.backlog()).isEqualTo(4);
    }

    @Test
    void countersRestartingAfterARouteReloadKeepTheTotals() {
        progress.advance(0, 0, 0);
        at(1);
        progress.advance(80, 2, 3);
        at(2);
        // The reloaded route's counters start again from zero.
        assertThat(progress.advance(25, 1, 3)).isEqualTo("Inbox progress: 105 done, 3 failed, 3 remaining, 3 in flight, 54.0 files/s");
    }

    @Test
    void anEmptyOrMissingInboxHasNoBacklog() {
        IngestProgress missing = new IngestProgress(inbox.resolve("nope"), 100, Duration.ofSeconds(10), now::get);
        missing.advance(0, 0, 0);
        assertThat(missing.backlog()).isZero();
    }

    @Test
    void gaugesAreOnCamelsMeterRegistryAndComeBackAfterTheRegistryIsCleared() throws Exception {
        try (CamelContext context = new DefaultCamelContext()) {
            MeterRegistry registry = new SimpleMeterRegistry();
            context.getRegistry().bind(MicrometerConstants.METRICS_REGISTRY_NAME, registry);
            context.start();
            IngestProgress ticking = new IngestProgress(inbox, 5, Duration.ofSeconds(10), now::get);

            ticking.tick(context);
            assertThat(registry.get(IngestProgress.BACKLOG_GAUGE).gauge().value()).isEqualTo(3.0);
            assertThat(registry.get(IngestProgress.INFLIGHT_GAUGE).gauge().value()).isZero();

            registry.counter(MicrometerConstants.DEFAULT_CAMEL_ROUTE_POLICY_EXCHANGES_SUCCEEDED_METER_NAME,
                    MicrometerConstants.ROUTE_ID_TAG, IngestProgress.ROUTE).increment(6);
            registry.counter(MicrometerConstants.DEFAULT_CAMEL_ROUTE_POLICY_EXCHANGES_FAILED_METER_NAME,
                    MicrometerConstants.ROUTE_ID_TAG, IngestProgress.ROUTE).increment(1);
            registry.counter(MicrometerConstants.DEFAULT_CAMEL_ROUTE_POLICY_EXCHANGES_SUCCEEDED_METER_NAME,
                    MicrometerConstants.ROUTE_ID_TAG, "some-other-route").increment(1000);
            at(2);
            ticking.tick(context);
            assertThat(ticking.lastLine()).startsWith("Inbox progress: 6 done, 1 failed, 3 remaining, 0 in flight, ");

            registry.clear();
            ticking.tick(context);
            assertThat(registry.find(IngestProgress.BACKLOG_GAUGE).gauge()).isNotNull();
            assertThat(registry.find(IngestProgress.INFLIGHT_GAUGE).gauge()).isNotNull();
        }
    }

    private void at(long seconds) {
        now.set(1_000 * SECOND + seconds * SECOND);
    }

    private void file(String relative) throws IOException {
        Path file = inbox.resolve(relative);
        Files.createDirectories(file.getParent());
        Files.writeString(file, relative);
    }

    private void deleteWaitingFiles() throws IOException {
        Files.delete(inbox.resolve("57076503/key/a.jpg"));
        Files.delete(inbox.resolve("57076503/b.jpg"));
        Files.delete(inbox.resolve("57076504/general/c.jpg"));
    }
}
