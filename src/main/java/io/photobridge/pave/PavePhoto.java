package io.photobridge.pave;

import java.time.OffsetDateTime;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;

/**
 * One captured photo and its QA verdict, as GET /sessions/:key/photos lists it; the same photo code may appear more
 * than once (a rejected capture, then the retake), and the latest {@code updated_at} is the verdict that counts.
 */
@JsonIgnoreProperties(ignoreUnknown = true)
public record PavePhoto(int photoCode, String photoLabel, String url, boolean approved, String approvedMessage,
                        OffsetDateTime createdAt, OffsetDateTime updatedAt) {

    private static final String REJECTED = "REJECTED:";

    /** The reason after "REJECTED: ", or null when approved; a rejection without that prefix gives its whole message. */
    public String rejectionReason() {
        if (approved || approvedMessage == null) {
            return null;
        }
        String message = approvedMessage.strip();
        if (message.regionMatches(true, 0, REJECTED, 0, REJECTED.length())) {
            message = message.substring(REJECTED.length()).strip();
        }
        return message.isEmpty() ? null : message;
    }

    /** When this verdict was given: {@code updated_at}, else {@code created_at}; null when PAVE gave neither. */
    public OffsetDateTime verdictAt() {
        return updatedAt != null ? updatedAt : createdAt;
    }
}
