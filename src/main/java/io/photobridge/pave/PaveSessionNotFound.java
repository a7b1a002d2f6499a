package io.photobridge.pave;

import io.photobridge.vendor.VendorException;

/** The session is unknown to PAVE (404 "Session ... cannot be found."). */
public class PaveSessionNotFound extends VendorException {

    private final String sessionKey;

    public PaveSessionNotFound(String sessionKey, String operation, int status, String vendorMessage) {
        super(PaveClient.VENDOR, operation, status, vendorMessage, null);
        this.sessionKey = sessionKey;
    }

    public String sessionKey() {
        return sessionKey;
    }
}
