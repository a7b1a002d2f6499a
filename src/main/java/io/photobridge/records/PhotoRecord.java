package io.photobridge.records;

import java.time.Instant;
import java.time.LocalDateTime;

/**
 * One row of the order records: a photo of an order, where it came from, where it went, and its state;
 * embeddedVideoOffset/Length: where the video of a motion photo is in its bytes (null when it has none).
 */
public record PhotoRecord(long id, long orderId, String sha256, String sourceUri, String sourceVersion, String originalName, String mediaKind,
                          String mimeType, Long sizeBytes, Integer typeId, LocalDateTime pictureTime, String pictureOffset,
                          String pictureTimeFrom, PhotoState state, Long rcAttachmentId, String rcFileName,
                          String lastError, int attempts, Instant createdAt, Instant updatedAt,
                          Long embeddedVideoOffset, Long embeddedVideoLength) {
}
