package io.photobridge.ingest;

import java.nio.file.Path;
import java.util.UUID;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicReference;

import io.photobridge.records.Ledger;
import io.photobridge.records.NewPhotoRecord;
import io.photobridge.records.PhotoEvent;
import io.photobridge.records.PhotoState;
import io.photobridge.vendor.RetryableVendorException;
import io.photobridge.vendor.VendorException;
import org.apache.camel.Exchange;
import org.apache.camel.impl.DefaultCamelContext;
import org.apache.camel.support.DefaultExchange;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;

/** How a failed upload is recorded: an unknown outcome stays UPLOADING, a 4xx refusal is FAILED and needs no lookup later. */
class IngestOutcomesTest {

    private static final long ORDER = 41000001L;

    @TempDir
    Path dir;

    private Ledger ledger;
    private IngestOutcomes outcomes;
    private final AtomicReference<String> note = new AtomicReference<>();
    private long photoId;

    @BeforeEach
    void open() {
        ledger = Ledger.open("jdbc:h2:file:" + dir.resolve(UUID.randomUUID().toString()).toAbsolutePath(), "sa", "", 2);
        outcomes = new IngestOutcomes(ledger);
        photoId = ledger.admit(new NewPhotoRecord(ORDER, "4".repeat(64), "file:///inbox/41000001/key/a.jpg", "a.jpg", "IMAGE",
                "image/jpeg", 1234L, 27, null, null, null, null)).record().id();
    }

    @AfterEach
    void close() throws Exception {
        ledger.close();
    }

    @Test
    void uploadAbortedByARedeliveryRefusedAtShutdownIsNotFailed() {
        ledger.claim(photoId, "run-1", "a-pb444444444444.jpg");
        Exchange exchange = failedUpload(new RejectedExecutionException("scheduler shut down"));

        outcomes.failed(exchange);

        assertThat(ledger.get(photoId).orElseThrow().state()).isEqualTo(PhotoState.UPLOADING);
        assertThat(ledger.timeline(ORDER)).extracting(PhotoEvent::kind).contains("OUTCOME_UNKNOWN").doesNotContain("FAILED");
        assertThat(exchange.getProperty(IngestOutcomes.OUTCOME_UNKNOWN, false, Boolean.class)).isTrue();
        assertThat(note.get()).startsWith("PhotoBridge could not confirm the delivery of 41000001/key/a.jpg")
                .contains("reason: scheduler shut down").contains("outcome: unknown")
                .contains("(sent as a-pb444444444444.jpg)").contains("Putting the input back into the inbox is safe");
        // the same run takes it again as one to look up, not as an upload in flight
        assertThat(ledger.claim(photoId, "run-1", "a-pb444444444444.jpg")).isEqualTo(Ledger.Claim.STALE);
    }

    @Test
    void uploadInterruptedMidCallIsNotFailed() {
        ledger.claim(photoId, "run-1", "a-pb444444444444.jpg");

        outcomes.failed(failedUpload(new RetryableVendorException("RecoveryConnect", "create photo", new InterruptedException())));

        assertThat(ledger.get(photoId).orElseThrow().state()).isEqualTo(PhotoState.UPLOADING);
        assertThat(note.get()).contains("outcome: unknown");
    }

    @Test
    void uploadRefusedWith4xxIsFailedAndResentWithoutALookup() {
        ledger.claim(photoId, "run-1", "a-pb444444444444.jpg");
        Exchange exchange = failedUpload(new VendorException("RecoveryConnect", "create photo", 400,
                "The selected type is invalid.", null));
        exchange.setProperty(IngestOutcomes.UPLOAD_REFUSED, true);

        outcomes.failed(exchange);

        assertThat(ledger.get(photoId).orElseThrow().state()).isEqualTo(PhotoState.FAILED);
        assertThat(note.get()).startsWith("PhotoBridge could not deliver").contains("HTTP 400 The selected type is invalid.")
                .doesNotContain("outcome: unknown");
        assertThat(exchange.getProperty(IngestOutcomes.OUTCOME_UNKNOWN, false, Boolean.class)).isFalse();
        assertThat(ledger.claim(photoId, "run-1", "a-pb444444444444.jpg")).isEqualTo(Ledger.Claim.FRESH);
    }

    @Test
    void uploadGivenUpAfterServerErrorsIsFailedButLookedUpBeforeAResend() {
        ledger.claim(photoId, "run-1", "a-pb444444444444.jpg");

        outcomes.failed(failedUpload(new RetryableVendorException("RecoveryConnect", "create photo", 503, "Service Unavailable",
                null)));

        assertThat(ledger.get(photoId).orElseThrow().state()).isEqualTo(PhotoState.FAILED);
        assertThat(ledger.claim(photoId, "run-1", "a-pb444444444444.jpg")).isEqualTo(Ledger.Claim.UNCONFIRMED);
    }

    @Test
    void inputFailingWhileAnotherRunHoldsThePhotoLeavesItsRowAlone() {
        ledger.claim(photoId, "crashed-run", "a-pb444444444444.jpg");
        Exchange exchange = failedUpload(new RejectedExecutionException("scheduler shut down"));
        exchange.removeProperty(IngestOutcomes.UPLOAD_CLAIMED);

        outcomes.failed(exchange);

        assertThat(ledger.get(photoId).orElseThrow().state()).isEqualTo(PhotoState.UPLOADING);
        assertThat(ledger.timeline(ORDER)).extracting(PhotoEvent::kind).contains("INPUT_FAILED").doesNotContain("FAILED");
        assertThat(note.get()).contains("outcome: unknown");
        assertThat(ledger.claim(photoId, "run-2", "a-pb444444444444.jpg")).isEqualTo(Ledger.Claim.STALE);
    }

    @Test
    void stepFailingAfterTheUploadLeavesTheDeliveredPhotoAlone() {
        ledger.claim(photoId, "run-1", "a-pb444444444444.jpg");
        ledger.markUploaded(photoId, 180461404L, "uploaded");

        outcomes.failed(failedUpload(new IllegalStateException("a later step broke")));

        assertThat(ledger.get(photoId).orElseThrow().state()).isEqualTo(PhotoState.UPLOADED);
        assertThat(ledger.timeline(ORDER)).extracting(PhotoEvent::kind).contains("INPUT_FAILED").doesNotContain("FAILED");
        assertThat(note.get()).contains("reason: a later step broke").contains("UPLOADED").doesNotContain("outcome: unknown");
    }

    private Exchange failedUpload(Exception cause) {
        Exchange exchange = new DefaultExchange(new DefaultCamelContext());
        Incoming incoming = new Incoming(new FileMediaSource(dir.resolve("a.jpg")), ORDER + "/key/a.jpg", "folder",
                Manifests.NONE, note::set);
        exchange.setProperty(IngestPipeline.INCOMING, incoming);
        exchange.setProperty(IngestPipeline.PHOTO_ID, photoId);
        exchange.setProperty(IngestOutcomes.UPLOAD_CLAIMED, true);
        exchange.setProperty(Exchange.EXCEPTION_CAUGHT, cause);
        exchange.getIn().setHeader("PhotoBridgeOrderId", ORDER);
        return exchange;
    }
}
