package io.photobridge.records;

/** Where a photo is on its way to RecoveryConnect. */
public enum PhotoState {
    /** Known, hashed and recorded; not sent yet. */
    RECEIVED,
    /** An upload was started; its outcome is unknown until confirmed or reconciled. */
    UPLOADING,
    /** RecoveryConnect holds it (attachment id recorded). */
    UPLOADED,
    /** Given up; {@code last_error} says why. */
    FAILED,
    /** Kept in the record but not sent to RecoveryConnect (e.g. videos, which go to damage analysis only). */
    SKIPPED
}
