package io.photobridge.inspektlabs;

import java.io.IOException;
import java.util.Map;
import java.util.TreeMap;

import io.photobridge.ingest.IngestItem;
import io.photobridge.ingest.MediaKind;
import io.photobridge.records.DamageRecords;
import org.apache.camel.Exchange;
import org.apache.camel.Message;

/**
 * Queues a newly recorded photo or video for damage analysis (stages its bytes, writes a row into the ledger's damage
 * queue, on any instance), and turns a queue row back into what the batcher reads (on the instance leading the
 * damage-batches singleton).
 */
public final class DamageBatching {

    private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(DamageBatching.class);

    /** Header with the size at which the batch of this media kind is complete. */
    public static final String BATCH_LIMIT = "PhotoBridgeBatchLimit";
    /** Header with the queue row a batched photo came from (deleted once the photo is in a batch). */
    public static final String QUEUE_ID = "PhotoBridgeQueueId";
    /** Header: true when the queued photo is in a damage job already (a row read again after a crash). */
    public static final String IN_JOB = "PhotoBridgeInJob";

    private final MediaStore store;
    private final DamageRecords damage;
    private final String instance;
    private final int maxImages;
    private final int maxVideos;

    /** maxImages: images per batch (Inspektlabs: at most 99); maxVideos: videos per batch; instance: who queued, in the row. */
    public DamageBatching(MediaStore store, DamageRecords damage, String instance, int maxImages, int maxVideos) {
        this.store = store;
        this.damage = damage;
        this.instance = instance;
        this.maxImages = Math.min(99, maxImages);
        this.maxVideos = maxVideos;
    }

    /**
     * Queues the photo once: a photo seen again is queued only when it never was (the run that recorded it died before
     * queueing it). Leaves the body (the ingest item) as it is: the pipeline goes on with it. Reads PhotoBridgeCaseId (the
     * route sets it) and PhotoBridgeFirstSeen (the record step sets it).
     */
    public void enqueue(IngestItem item, Exchange exchange) throws IOException {
        Message in = exchange.getIn();
        Long photoId = in.getHeader("PhotoBridgePhotoId", Long.class);
        Long orderId = in.getHeader("PhotoBridgeOrderId", Long.class);
        if (photoId == null || orderId == null) {
            throw new IllegalStateException("damage-enqueue needs the headers PhotoBridgePhotoId and PhotoBridgeOrderId (set by"
                    + " the ingest pipeline's record step)");
        }
        if (!in.getHeader("PhotoBridgeFirstSeen", false, Boolean.class) && damage.queuedBefore(photoId)) {
            return;
        }
        // under the recorded name, which the submitter reads: a photo seen again may come under another name
        String name = item.record() == null ? item.identity().fileName() : item.record().originalName();
        store.stage(item.incoming().media(), item.inspection().sha256(), name);
        boolean video = item.inspection().kind() == MediaKind.VIDEO;
        String caseId = in.getHeader("PhotoBridgeCaseId", String.valueOf(orderId), String.class);
        damage.queue(photoId, orderId, item.inspection().kind().name(), video ? maxVideos : maxImages, caseId, instance);
    }

    /**
     * Records in the photo's timeline why it was not queued (DAMAGE_NOT_QUEUED): the pipeline goes on to RecoveryConnect, and
     * the photo is queued when its file is ingested again, since it is not marked queued.
     */
    public void notQueued(Exchange exchange) {
        Message in = exchange.getIn();
        Long photoId = in.getHeader("PhotoBridgePhotoId", Long.class);
        Long orderId = in.getHeader("PhotoBridgeOrderId", Long.class);
        Throwable cause = exchange.getProperty(Exchange.EXCEPTION_CAUGHT, Throwable.class);
        try {
            damage.notQueued(photoId, orderId, in.getHeader("PhotoBridgeOriginalName", String.class),
                    cause == null ? "unknown" : io.photobridge.routes.Causes.of(cause));
        } catch (RuntimeException e) {
            // the ledger that refused the queue row may refuse this too: the photo still goes on to RecoveryConnect
            LOG.warn("Cannot note in the timeline of photo {} that it was not queued for damage analysis: {}", photoId,
                    io.photobridge.routes.Causes.of(e));
        }
    }

    /** A queue row (the body, as the sql: consumer reads it) as the headers the batcher and the submitter read. */
    public void take(Map<String, Object> row, Exchange exchange) {
        Map<String, Object> columns = new TreeMap<>(String.CASE_INSENSITIVE_ORDER);
        columns.putAll(row);
        Message in = exchange.getIn();
        long photoId = ((Number) columns.get("photo_id")).longValue();
        in.setHeader(QUEUE_ID, ((Number) columns.get("id")).longValue());
        in.setHeader("PhotoBridgePhotoId", photoId);
        in.setHeader("PhotoBridgeOrderId", ((Number) columns.get("order_id")).longValue());
        in.setHeader("PhotoBridgeMediaKind", columns.get("media_kind"));
        in.setHeader(BATCH_LIMIT, ((Number) columns.get("batch_limit")).intValue());
        in.setHeader("PhotoBridgeCaseId", columns.get("case_id"));
        in.setHeader(IN_JOB, damage.inJob(photoId));
        in.setBody(photoId);
    }
}
