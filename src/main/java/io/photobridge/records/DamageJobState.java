package io.photobridge.records;

/** Where a damage-analysis batch is. */
public enum DamageJobState {
    /** Collected, not accepted by Inspektlabs yet. */
    PENDING,
    /** Accepted by Inspektlabs; the report comes by webhook. */
    SUBMITTED,
    /** The report arrived with status Available. */
    REPORTED,
    /** The report arrived with status Rejected. */
    REJECTED,
    /** Given up; {@code last_error} says why. */
    FAILED
}
