package io.photobridge.pave;

import io.photobridge.vendor.VendorException;

/** Results asked before the session completed ("Session is not yet completed."), whatever the status code of that answer. */
public class PaveSessionNotCompleted extends VendorException {

    private final String sessionKey;

    public PaveSessionNotCompleted(String sessionKey, String operation, int status, String vendorMessage) {
        super(PaveClient.VENDOR, operation, status, vendorMessage, null);
        this.sessionKey = sessionKey;
    }

    public String sessionKey() {
        return sessionKey;
    }
}
