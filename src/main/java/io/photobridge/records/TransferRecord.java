package io.photobridge.records;

import java.time.Instant;

/**
 * One attachment's transfer to one order: requestedBy says where the request came from (the API, or a CSV file and line);
 * rcAttachmentId is null when a whole-order transfer was refused before any attachment was named; photoId is PhotoBridge's
 * record of the photo when PhotoBridge uploaded it; status is SUCCESS or FAIL (RecoveryConnect's per-attachment answer),
 * REFUSED (a 4xx answer to the call) or GAVE_UP (no answer, or 429/5xx after every retry).
 */
public record TransferRecord(long id, String requestId, String requestedBy, long orderId, Long rcAttachmentId, Long photoId,
                             long transferTo, String status, String detail, Instant at) {
}
