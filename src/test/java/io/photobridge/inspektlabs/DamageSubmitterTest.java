package io.photobridge.inspektlabs;

import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;

import io.photobridge.ingest.FileMediaSource;
import io.photobridge.records.DamageJob;
import io.photobridge.records.DamageJobState;
import io.photobridge.records.DamageRecords;
import io.photobridge.records.Ledger;
import io.photobridge.records.NewPhotoRecord;
import io.photobridge.sandbox.FaultInjector;
import io.photobridge.sandbox.InspektlabsSandbox;
import io.photobridge.sandbox.InspektlabsUpload;
import org.apache.camel.Exchange;
import org.apache.camel.impl.DefaultCamelContext;
import org.apache.camel.support.DefaultExchange;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The submitter's answers to Inspektlabs' per-item rules, against the sandbox's real rules. */
class DamageSubmitterTest {

    private static final long ORDER = 57076503L;

    @TempDir
    Path dir;

    private InspektlabsSandbox sandbox;
    private Ledger ledger;

    @BeforeEach
    void start() {
        sandbox = new InspektlabsSandbox(InspektlabsSandbox.Settings.defaults().withDataDir(dir.resolve("sandbox"))
                .withRequireCallbackUrl(false).withCallbackDelay(Duration.ofHours(1)));
        sandbox.start();
        ledger = Ledger.open("jdbc:h2:file:" + dir.resolve("ledger").toAbsolutePath(), "sa", "", 2);
    }

    @AfterEach
    void stop() throws Exception {
        sandbox.stop();
        ledger.close();
    }

    private long photo(MediaStore store, Path file, String name, String mime, String kind, String sha) throws Exception {
        long id = ledger.admit(new NewPhotoRecord(ORDER, sha, file.toUri().toString(), name, kind, mime, Files.size(file), 2,
                null, null, null, null)).record().id();
        store.stage(new FileMediaSource(file), sha, name);
        return id;
    }

    @Test
    void itemsOfAnInvalidTypeAreExcludedWithTheVendorMessageAndTheRestIsResent() throws Exception {
        MediaStore store = new MediaStore(dir.resolve("media"));
        Path text = Files.writeString(dir.resolve("notes.txt"), "not a photo");
        long bad = photo(store, text, "notes.txt", "text/plain", "IMAGE", "a".repeat(64));
        long good1 = photo(store, Path.of("src/test/resources/media/key-exif.jpg"), "key.jpg", "image/jpeg", "IMAGE", "b".repeat(64));
        long good2 = photo(store, Path.of("src/test/resources/media/offset-exif.jpg"), "front.jpg", "image/jpeg", "IMAGE", "c".repeat(64));
        InspektlabsClient client = new InspektlabsClient(new InspektlabsSettings(URI.create(sandbox.baseUrl()),
                InspektlabsSandbox.Settings.defaults().apiKey(), null, "access_token", Duration.ofSeconds(2),
                Duration.ofSeconds(10), Duration.ofSeconds(30)));
        DamageRecords damage = new DamageRecords(ledger);
        DamageSubmitter submitter = new DamageSubmitter(client, damage, ledger, store, "http://127.0.0.1:9/webhooks/inspektlabs/s",
                Map.of(), null, null, Duration.ofMinutes(10));

        Exchange exchange = new DefaultExchange(new DefaultCamelContext());
        exchange.getIn().setHeader("PhotoBridgeOrderId", ORDER);
        exchange.getIn().setHeader("PhotoBridgeMediaKind", "IMAGE");
        submitter.submit(List.of(bad, good1, good2), exchange);

        DamageJob job = damage.jobs(ORDER).get(0);
        assertThat(job.state()).isEqualTo(DamageJobState.SUBMITTED);
        assertThat(damage.includedPhotos(job.id())).containsExactly(good1, good2);
        assertThat(sandbox.uploads()).singleElement().satisfies(u ->
                assertThat(u.files()).extracting(InspektlabsUpload.UploadedFile::name).containsExactlyInAnyOrder("key.jpg", "front.jpg"));
        assertThat(ledger.timeline(ORDER)).anySatisfy(e -> {
            assertThat(e.kind()).isEqualTo("DAMAGE_EXCLUDED");
            assertThat(e.photoId()).isEqualTo(bad);
            assertThat(e.detail()).contains("Invalid file type, only image or video allowed");
        });
    }

    private static final Duration WAIT = Duration.ofMinutes(10);

    /** The real time, moved on by a chosen offset: the ledger stamps real times, the submitter reads this clock. */
    private static final class LaterClock extends Clock {
        private volatile Duration offset = Duration.ZERO;

        @Override
        public Instant instant() {
            return Instant.now().plus(offset);
        }

        @Override
        public ZoneId getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(ZoneId zone) {
            throw new UnsupportedOperationException();
        }
    }

    private DamageSubmitter submitter(MediaStore store, DamageRecords damage, Clock clock) {
        InspektlabsClient client = new InspektlabsClient(new InspektlabsSettings(URI.create(sandbox.baseUrl()),
                InspektlabsSandbox.Settings.defaults().apiKey(), null, "access_token", Duration.ofSeconds(2),
                Duration.ofSeconds(10), Duration.ofSeconds(30)));
        return new DamageSubmitter(client, damage, ledger, store, "http://127.0.0.1:9/webhooks/inspektlabs/s", Map.of(), null, null,
                WAIT, clock);
    }

    private static Exchange batch() {
        Exchange exchange = new DefaultExchange(new DefaultCamelContext());
        exchange.getIn().setHeader("PhotoBridgeOrderId", ORDER);
        exchange.getIn().setHeader("PhotoBridgeMediaKind", "IMAGE");
        return exchange;
    }

    private static void report(DamageRecords damage, String session) {
        damage.report(session, Long.toString(ORDER), "Available", "complete upload", "Car", "{}", "[]",
                "{\"inspectionId\":\"" + session + "\"}");
    }

    // a batch of one photo whose first upload was accepted but its answer lost
    private DamageRecords damage;
    private LaterClock clock;
    private DamageSubmitter submitter;
    private Exchange exchange;
    private long photo;

    private void loseTheFirstAnswer() throws Exception {
        MediaStore store = new MediaStore(dir.resolve("media"));
        photo = photo(store, Path.of("src/test/resources/media/key-exif.jpg"), "key.jpg", "image/jpeg", "IMAGE", "d".repeat(64));
        damage = new DamageRecords(ledger);
        clock = new LaterClock();
        submitter = submitter(store, damage, clock);
        sandbox.faults().failNext(1, "/api/upload", new FaultInjector.LostAnswer());
        exchange = batch();

        assertThatThrownBy(() -> submitter.submit(List.of(photo), exchange)).isInstanceOf(InspektlabsAnswerLost.class);
    }

    @Test
    void aLostUploadAnswerWaitsForItsReportAndTheBatchIsNeverSentAgainOnceItCame() throws Exception {
        loseTheFirstAnswer();
        String session = sandbox.uploads().get(0).session();
        DamageJob job = damage.jobs(ORDER).get(0);
        assertThat(job.state()).isEqualTo(DamageJobState.PENDING);
        assertThat(job.lastError()).contains("no answer").contains("waiting until");
        assertThat(damage.sessions(job.id())).containsExactly(session);
        assertThat(damage.lostAnswer(job.id())).hasValueSatisfying(l -> assertThat(l.session()).isEqualTo(session));
        assertThat(ledger.timeline(ORDER)).anySatisfy(e -> assertThat(e.kind()).isEqualTo("DAMAGE_ANSWER_LOST"));

        // a retry within the wait sends nothing
        assertThatThrownBy(() -> submitter.submit(List.of(photo), exchange)).isInstanceOf(InspektlabsAnswerLost.class)
                .hasMessageContaining(session);
        // the report of the accepted upload is linked to the job, never unmatched
        assertThat(damage.bySession(session)).hasValueSatisfying(j -> assertThat(j.id()).isEqualTo(job.id()));
        report(damage, session);
        assertThat(damage.get(job.id()).orElseThrow()).satisfies(j -> {
            assertThat(j.state()).isEqualTo(DamageJobState.REPORTED);
            assertThat(j.session()).isEqualTo(session);
        });
        assertThat(damage.reportsOf(ORDER)).singleElement().satisfies(r -> assertThat(r.jobId()).isEqualTo(job.id()));

        // long after the wait, a retry of the batch finds the report and sends nothing: one analysis
        clock.offset = WAIT.multipliedBy(2);
        submitter.submit(List.of(photo), exchange);
        assertThat(sandbox.uploads()).hasSize(1);
        assertThat(sandbox.authRequests()).isEqualTo(1);
        assertThat(damage.sessions(job.id())).containsExactly(session);
    }

    @Test
    void withoutAReportWithinTheWaitTheBatchIsSentAgainAndBothReportsAreLinkedToTheJob() throws Exception {
        loseTheFirstAnswer();
        clock.offset = WAIT.minusSeconds(30);
        assertThatThrownBy(() -> submitter.submit(List.of(photo), exchange)).isInstanceOf(InspektlabsAnswerLost.class);
        assertThat(sandbox.authRequests()).isEqualTo(1);

        clock.offset = WAIT.plusSeconds(1);
        submitter.submit(List.of(photo), exchange);
        assertThat(sandbox.uploads()).hasSize(2);
        String first = sandbox.uploads().get(0).session();
        String second = sandbox.uploads().get(1).session();
        DamageJob job = damage.jobs(ORDER).get(0);
        assertThat(damage.jobs(ORDER)).hasSize(1);
        assertThat(job.state()).isEqualTo(DamageJobState.SUBMITTED);
        assertThat(job.session()).isEqualTo(second);
        assertThat(damage.sessions(job.id())).containsExactly(first, second);
        assertThat(damage.lostAnswer(job.id())).as("the lost answer waited for is done with").isEmpty();

        // both analyses come back: both reports belong to the job and the order, none is unmatched
        report(damage, second);
        report(damage, first);
        assertThat(damage.reportsOf(ORDER)).hasSize(2).allSatisfy(r -> assertThat(r.jobId()).isEqualTo(job.id()))
                .extracting(r -> r.inspectionId()).containsExactly(second, first);
        assertThat(damage.unmatched().count()).isZero();
        assertThat(damage.get(job.id()).orElseThrow().state()).isEqualTo(DamageJobState.REPORTED);
        assertThat(ledger.timeline(ORDER)).anySatisfy(e -> assertThat(e.detail()).contains("it was analysed again"));
    }

    @Test
    void anUploadRefusedWith503IsRetriedAtOnceNotHeldForALostAnswer() throws Exception {
        MediaStore store = new MediaStore(dir.resolve("media"));
        long photo = photo(store, Path.of("src/test/resources/media/key-exif.jpg"), "key.jpg", "image/jpeg", "IMAGE", "f".repeat(64));
        DamageRecords damage = new DamageRecords(ledger);
        DamageSubmitter submitter = submitter(store, damage, new LaterClock());
        sandbox.faults().failNext(1, "/api/upload", new FaultInjector.Status(503));
        Exchange exchange = batch();

        assertThatThrownBy(() -> submitter.submit(List.of(photo), exchange))
                .isInstanceOf(io.photobridge.vendor.RetryableVendorException.class).hasMessageContaining("503");
        DamageJob job = damage.jobs(ORDER).get(0);
        assertThat(damage.lostAnswer(job.id())).isEmpty();
        submitter.submit(List.of(photo), exchange);
        assertThat(sandbox.uploads()).hasSize(1);
        assertThat(damage.sessions(job.id())).hasSize(2);
        assertThat(damage.get(job.id()).orElseThrow().state()).isEqualTo(DamageJobState.SUBMITTED);
    }
}
