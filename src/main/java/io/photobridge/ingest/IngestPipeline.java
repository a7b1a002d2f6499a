package io.photobridge.ingest;

import java.io.IOException;
import java.util.Map;

import io.photobridge.records.Ledger;
import io.photobridge.records.NewPhotoRecord;
import org.apache.camel.Exchange;

/** The one ingest pipeline every source feeds: identify the order and type, inspect the bytes, record the photo. */
public final class IngestPipeline {

    /** Exchange property holding the {@link Incoming} being processed. */
    public static final String INCOMING = "PhotoBridgeIncoming";
    /** Exchange property holding the ledger id of the photo, once recorded. */
    public static final String PHOTO_ID = "PhotoBridgePhotoId";

    private final NameRules nameRules;
    private final MediaInspector inspector;
    private final Ledger ledger;
    private final Map<Integer, String> typeLabels;

    public IngestPipeline(NameRules nameRules, MediaInspector inspector, Ledger ledger, Map<Integer, String> typeLabels) {
        this.nameRules = nameRules;
        this.inspector = inspector;
        this.ledger = ledger;
        this.typeLabels = Map.copyOf(typeLabels);
    }

    /**
     * Reads order and type from the path (order folder, the folder's manifest, or the name pattern); sets the headers
     * routes may use (order id, type id and label, original name).
     */
    public IngestItem identify(Incoming incoming, Exchange exchange) throws RuleViolation, IOException {
        exchange.setProperty(INCOMING, incoming);
        NameRules.Identity identity = nameRules.identify(incoming.path(), incoming.manifests());
        exchange.getIn().setHeader("PhotoBridgeOrderId", identity.orderId());
        exchange.getIn().setHeader("PhotoBridgeTypeId", identity.typeId());
        exchange.getIn().setHeader("PhotoBridgeTypeLabel", typeLabels.getOrDefault(identity.typeId(), "Type " + identity.typeId()));
        exchange.getIn().setHeader("PhotoBridgeOriginalName", identity.fileName());
        exchange.getIn().setHeader("PhotoBridgeSource", incoming.sourceKind());
        return new IngestItem(incoming, identity, null, null);
    }

    /** Decides from the bytes what the media is, hashes it and reads its picture time; bad content breaks a rule. */
    public IngestItem inspect(IngestItem item, Exchange exchange) throws RuleViolation, IOException {
        Inspection inspection = inspector.inspect(item.incoming().media());
        exchange.getIn().setHeader("PhotoBridgeMediaKind", inspection.kind().name());
        return item.withInspection(inspection);
    }

    /** Records the photo in the order records (or finds the row holding the same bytes for the same order). */
    public IngestItem record(IngestItem item, Exchange exchange) {
        Inspection in = item.inspection();
        PictureTime time = in.pictureTime();
        Ledger.Admission admission = ledger.admit(new NewPhotoRecord(item.identity().orderId(), in.sha256(),
                item.incoming().media().uri(), item.identity().fileName(), in.kind().name(), in.mimeType(), in.size(),
                item.identity().typeId(), time == null ? null : time.local(),
                time == null || time.offset() == null ? null : time.offset().getId(),
                time == null ? null : time.source().name(), item.incoming().media().version().orElse(null),
                in.embeddedVideo() == null ? null : in.embeddedVideo().offset(),
                in.embeddedVideo() == null ? null : in.embeddedVideo().length()));
        exchange.setProperty(PHOTO_ID, admission.record().id());
        exchange.getIn().setHeader("PhotoBridgePhotoId", admission.record().id());
        exchange.getIn().setHeader("PhotoBridgeFirstSeen", admission.created());
        return item.withRecord(admission.record());
    }

    /** Keeps a photo in the records without sending it to RecoveryConnect, saying why. */
    public void skip(IngestItem item, String reason) {
        ledger.markSkipped(item.record().id(), reason);
    }
}
