package io.photobridge.records;

import java.time.Instant;

/** One entry of an order's timeline. */
public record PhotoEvent(long id, Long photoId, Long orderId, String sourceUri, String kind, String detail, Instant at) {
}
