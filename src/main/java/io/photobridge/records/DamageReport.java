package io.photobridge.records;

import java.time.Instant;

/** A damage report as received by webhook: the whole document and its indexed fields; jobId null = unknown inspection. */
public record DamageReport(long id, String inspectionId, Long jobId, String caseId, String status, String uploadStatus,
                           String vehicleType, String vehicleReadings, String damages, String body, Instant receivedAt) {
}
