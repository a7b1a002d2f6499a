package io.photobridge.inspektlabs;

import java.io.IOException;

import io.photobridge.ingest.IngestItem;
import io.photobridge.ingest.MediaKind;
import org.apache.camel.Exchange;

/** Queues a newly recorded photo or video for damage analysis: stages its bytes and hands its id to the batcher. */
public final class DamageBatching {

    /** Header with the size at which the batch of this media kind is complete. */
    public static final String BATCH_LIMIT = "PhotoBridgeBatchLimit";

    private final MediaStore store;
    private final int maxImages;
    private final int maxVideos;

    /** maxImages: images per batch (Inspektlabs: at most 99); maxVideos: videos per batch. */
    public DamageBatching(MediaStore store, int maxImages, int maxVideos) {
        this.store = store;
        this.maxImages = Math.min(99, maxImages);
        this.maxVideos = maxVideos;
    }

    /** Leaves the body (the ingest item) as it is: the pipeline goes on with it; the batcher reads PhotoBridgePhotoId. */
    public void enqueue(IngestItem item, Exchange exchange) throws IOException {
        store.stage(item.incoming().media(), item.inspection().sha256(), item.identity().fileName());
        boolean video = item.inspection().kind() == MediaKind.VIDEO;
        exchange.getIn().setHeader(BATCH_LIMIT, video ? maxVideos : maxImages);
    }
}
