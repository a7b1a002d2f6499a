package io.photobridge.inspektlabs;

import java.util.ArrayList;
import java.util.List;

import org.apache.camel.AggregationStrategy;
import org.apache.camel.Exchange;

/**
 * Collects the photo ids (header PhotoBridgePhotoId) of one order and media kind into a batch body: an ArrayList, so the
 * JDBC repository can store it. The aggregator works on a copy: the ingest exchange itself is not changed.
 */
public final class DamageBatchStrategy implements AggregationStrategy {

    @Override
    public Exchange aggregate(Exchange batch, Exchange next) {
        Long photoId = next.getIn().getHeader("PhotoBridgePhotoId", Long.class);
        if (batch == null) {
            List<Long> ids = new ArrayList<>();
            ids.add(photoId);
            next.getIn().setBody(ids);
            return next;
        }
        @SuppressWarnings("unchecked")
        List<Long> ids = batch.getIn().getBody(List.class);
        if (!ids.contains(photoId)) {
            ids.add(photoId);
        }
        return batch;
    }
}
