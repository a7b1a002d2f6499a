package io.photobridge.ingest;

import java.time.Instant;

import io.photobridge.records.Ledger;
import io.photobridge.records.PhotoRecord;
import org.apache.camel.Exchange;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Records why an input failed, once per exchange: the ledger row (or a rejection event) and an error note beside the input. */
public final class IngestOutcomes {

    private static final Logger LOG = LoggerFactory.getLogger(IngestOutcomes.class);
    private static final String RECORDED = "PhotoBridgeFailureRecorded";

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

        StringBuilder note = new StringBuilder()
                .append("PhotoBridge could not deliver ").append(input).append('\n')
                .append("reason: ").append(reason).append('\n')
                .append("when:   ").append(Instant.now()).append('\n');
        if (uri != null) {
            note.append("source: ").append(uri).append('\n');
        }
        if (photoId != null) {
            ledger.markFailed(photoId, reason);
            PhotoRecord row = ledger.get(photoId).orElse(null);
            note.append("order:  ").append(row == null ? orderId : row.orderId())
                    .append(", photo record ").append(photoId)
                    .append(row == null ? "" : ", attempts " + row.attempts()).append('\n');
        } else if (orderId != null && incoming != null) {
            long id = ledger.failedInput(orderId, uri, incoming.media().version().orElse(null),
                    exchange.getIn().getHeader("PhotoBridgeOriginalName", incoming.media().displayName(), String.class),
                    exchange.getIn().getHeader("PhotoBridgeTypeId", Integer.class), reason);
            note.append("order:  ").append(orderId).append(", photo record ").append(id).append('\n');
        } else {
            ledger.rejected(orderId, uri, reason);
        }
        note.append("The input is kept beside this note; put it back into the inbox to try again.\n");
        LOG.warn("Failed {}: {}", input, reason);
        if (incoming != null) {
            try {
                incoming.onFailure().keep(note.toString());
            } catch (Exception e) {
                LOG.error("Cannot keep the failed input {} with its note: {}", input, e.toString());
            }
        }
    }
}
