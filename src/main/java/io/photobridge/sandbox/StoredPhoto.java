package io.photobridge.sandbox;

import java.time.Instant;

/** A photo the sandbox holds. */
public record StoredPhoto(long id, long orderId, int typeId, String typeName,
                          String fileName /* the stored "filename" as shown in responses */,
                          String requestedFileName /* file_name as sent */,
                          String imageName,
                          String pictureTime /* as sent */,
                          String sha256 /* lowercase hex of decoded bytes */,
                          long size, Long parentAttachmentOrderId, Instant createdAt) {
}
