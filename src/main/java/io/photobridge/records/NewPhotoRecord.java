package io.photobridge.records;

import java.time.LocalDateTime;

/**
 * What ingest knows about a photo when it first records it; sourceVersion is e.g. an S3 ETag (null for files);
 * embeddedVideoOffset/Length locate the video a motion photo carries after its picture (null when none).
 */
public record NewPhotoRecord(long orderId, String sha256, String sourceUri, String originalName, String mediaKind,
                             String mimeType, long sizeBytes, Integer typeId, LocalDateTime pictureTime,
                             String pictureOffset, String pictureTimeFrom, String sourceVersion,
                             Long embeddedVideoOffset, Long embeddedVideoLength) {

    public NewPhotoRecord(long orderId, String sha256, String sourceUri, String originalName, String mediaKind, String mimeType,
                          long sizeBytes, Integer typeId, LocalDateTime pictureTime, String pictureOffset, String pictureTimeFrom,
                          String sourceVersion) {
        this(orderId, sha256, sourceUri, originalName, mediaKind, mimeType, sizeBytes, typeId, pictureTime, pictureOffset,
                pictureTimeFrom, sourceVersion, null, null);
    }
}
