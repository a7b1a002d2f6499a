package io.photobridge.records;

import java.time.LocalDateTime;

/** What ingest knows about a photo when it first records it; sourceVersion is e.g. an S3 ETag (null for files). */
public record NewPhotoRecord(long orderId, String sha256, String sourceUri, String originalName, String mediaKind,
                             String mimeType, long sizeBytes, Integer typeId, LocalDateTime pictureTime,
                             String pictureOffset, String pictureTimeFrom, String sourceVersion) {
}
