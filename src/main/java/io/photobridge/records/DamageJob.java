package io.photobridge.records;

import java.time.Instant;

/** One batch of an order's media sent to Inspektlabs, and what became of it. */
public record DamageJob(long id, String batchKey, long orderId, String mediaKind, String caseId, String session, int mediaCount,
                        DamageJobState state, int attempts, String lastError, String reportStatus, String uploadStatus,
                        String vehicleType, Instant createdAt, Instant updatedAt, Instant submittedAt, Instant reportedAt) {
}
