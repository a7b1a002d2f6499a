package io.photobridge.records;

import java.time.Instant;

/** One PAVE capture of a linked session and its QA verdict; relayState says whether it went on to RecoveryConnect. */
public record PaveCapture(long id, String sessionKey, long orderId, int photoCode, String photoLabel, String url, boolean approved,
                          String approvedMessage, Instant capturedAt, Instant verdictAt, String relayState, Long photoId,
                          String relayError) {

    /** Not approved (never relayed), waiting to be relayed, relayed, or the relay failed (retried at the next poll). */
    public static final String NOT_APPROVED = "NOT_APPROVED";
    public static final String PENDING = "PENDING";
    public static final String RELAYED = "RELAYED";
    public static final String FAILED = "FAILED";
}
