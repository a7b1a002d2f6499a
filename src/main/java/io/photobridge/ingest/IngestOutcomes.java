package io.photobridge.ingest;

import java.time.Instant;

import io.photobridge.records.Ledger;
import io.photobridge.records.PhotoRecord;
import io.photobridge.records.PhotoState;
import io.photobridge.vendor.VendorException;
import org.apache.camel.Exchange;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Records why an input failed, once per exchange: the ledger row (or a rejection event) and an error note beside the input. An
 * upload whose outcome is unknown is not FAILED: it stays UPLOADING and is looked up by its tag before any re-send.
 */
public final class IngestOutcomes {

    private static final Logger LOG = LoggerFactory.getLogger(IngestOutcomes.class);
    private static final String RECORDED = "PhotoBridgeFailureRecorded";
    /** Exchange property: the upload step claimed the photo, so from then on a failure may leave its outcome unknown. */
    public static final String UPLOAD_CLAIMED = "PhotoBridgeClaimed";
    /** Exchange property: RecoveryConnect answered the upload itself with a 4xx, so the photo is definitely not stored. */
    public static final String UPLOAD_REFUSED = "PhotoBridgeUploadRefused";
    /** Exchange property set when the input failed with its upload's outcome unknown (the photo stays UPLOADING). */
    public static final String OUTCOME_UNKNOWN = "PhotoBridgeOutcomeUnknown";

    private final Ledger ledger;

    public IngestOutcomes(Ledger ledger) {
        this.ledger = ledger;
    }

    /** The exception's message, and its causes' where Camel wrapped them ("Exception occurred during execution..."). */
    static String reason(Throwable e) {
        Throwable t = e;
        while ((t instanceof org.apache.camel.CamelExecutionException || t instanceof org.apache.camel.RuntimeCamelException)
                && t.getCause() != null) {
            t = t.getCause();
        }
        String message = t.getMessage() == null ? t.getClass().getSimpleName() : t.getMessage();
        return t.getCause() != null && t.getCause().getMessage() != null && !message.contains(t.getCause().getMessage())
                ? message + " (" + t.getCause().getMessage() + ")" : message;
    }

    /**
     * True when the failure is an answer of the vendor (an HTTP status); false when the call got no answer or never finished
     * (timeout, dropped connection, interrupt, a redelivery refused at shutdown...).
     */
    static boolean vendorAnswered(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof VendorException vendor) {
                return vendor.status() > 0;
            }
        }
        return false;
    }

    public void failed(Exchange exchange) {
        if (exchange.getProperty(RECORDED, false, Boolean.class)) {
            return;
        }
        exchange.setProperty(RECORDED, true);
        Throwable cause = exchange.getProperty(Exchange.EXCEPTION_CAUGHT, Throwable.class);
        if (cause == null) {
            cause = exchange.getException();
        }
        String reason = cause == null ? "unknown failure" : reason(cause);
        Incoming incoming = exchange.getProperty(IngestPipeline.INCOMING, Incoming.class);
        Long photoId = exchange.getProperty(IngestPipeline.PHOTO_ID, Long.class);
        String input = incoming == null ? exchange.getFromEndpoint().getEndpointBaseUri() : incoming.path();
        String uri = incoming == null ? null : incoming.media().uri();
        Long orderId = exchange.getIn().getHeader("PhotoBridgeOrderId", Long.class);

        boolean claimed = exchange.getProperty(UPLOAD_CLAIMED, false, Boolean.class);
        PhotoRecord before = photoId == null ? null : ledger.get(photoId).orElse(null);
        // claimed by this exchange: its upload's outcome is unknown unless the vendor answered; not claimed: the row is someone
        // else's (an upload in flight, a released unknown outcome) and this failure does not change it; nor one of a delivered photo
        boolean delivered = before != null && before.state() == PhotoState.UPLOADED;
        boolean unknown = before != null && !delivered
                && (claimed ? !vendorAnswered(cause) : before.state() == PhotoState.UPLOADING);
        boolean leaveRow = delivered || before != null && !claimed && before.state() == PhotoState.UPLOADING;
        StringBuilder note = new StringBuilder()
                .append(unknown ? "PhotoBridge could not confirm the delivery of " : "PhotoBridge could not deliver ")
                .append(input).append('\n')
                .append("reason: ").append(reason).append('\n')
                .append("when:   ").append(Instant.now()).append('\n');
        if (uri != null) {
            note.append("source: ").append(uri).append('\n');
        }
        if (photoId != null) {
            if (leaveRow) {
                ledger.event(photoId, before.orderId(), uri, "INPUT_FAILED", input + " failed; photo " + photoId + " stays "
                        + before.state() + ": " + reason);
            } else if (unknown) {
                ledger.markOutcomeUnknown(photoId, reason);
            } else if (exchange.getProperty(UPLOAD_REFUSED, false, Boolean.class)) {
                ledger.markRefused(photoId, reason);
            } else {
                ledger.markFailed(photoId, reason);
            }
            PhotoRecord row = ledger.get(photoId).orElse(null);
            note.append("order:  ").append(row == null ? orderId : row.orderId())
                    .append(", photo record ").append(photoId)
                    .append(row == null ? "" : ", attempts " + row.attempts() + ", " + row.state()).append('\n');
            if (unknown) {
                exchange.setProperty(OUTCOME_UNKNOWN, true);
                note.append("outcome: unknown. RecoveryConnect may already hold this photo")
                        .append(row == null || row.rcFileName() == null ? "" : " (sent as " + row.rcFileName() + ")")
                        .append(".\nPutting the input back into the inbox is safe: PhotoBridge first looks the photo up in the")
                        .append(" order's photo list by its tag and does not send a second copy.\n");
            }
        } else if (orderId != null && incoming != null) {
            long id = ledger.failedInput(orderId, uri, incoming.media().version().orElse(null),
                    exchange.getIn().getHeader("PhotoBridgeOriginalName", incoming.media().displayName(), String.class),
                    exchange.getIn().getHeader("PhotoBridgeTypeId", Integer.class), reason);
            note.append("order:  ").append(orderId).append(", photo record ").append(id).append('\n');
        } else {
            ledger.rejected(orderId, uri, reason);
        }
        note.append("The input is kept beside this note; put it back into the inbox to try again.\n");
        if (unknown) {
            LOG.warn("Outcome unknown for {}: {} (looked up by its tag before any re-send)", input, reason);
        } else {
            LOG.warn("Failed {}: {}", input, reason);
        }
        if (incoming != null) {
            try {
                incoming.onFailure().keep(note.toString());
            } catch (Exception e) {
                LOG.error("Cannot keep the failed input {} with its note: {}", input, e.toString());
            }
        }
    }
}
