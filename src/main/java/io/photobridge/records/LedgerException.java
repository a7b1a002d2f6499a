package io.photobridge.records;

/** The ledger database could not be read or written. */
public class LedgerException extends RuntimeException {
    public LedgerException(String message, Throwable cause) {
        super(message, cause);
    }
}
