package io.photobridge.vendor;

import java.time.Duration;

/** A vendor failure worth retrying later: 429, 5xx, or no answer at all (timeout, refused or dropped connection). */
public class RetryableVendorException extends VendorException {

    public RetryableVendorException(String vendor, String operation, int status, String vendorMessage, Duration retryAfter) {
        super(vendor, operation, status, vendorMessage, retryAfter);
    }

    public RetryableVendorException(String vendor, String operation, Throwable cause) {
        super(vendor, operation, 0, cause.getClass().getSimpleName()
                + (cause.getMessage() == null ? "" : " " + cause.getMessage()), null, cause);
    }
}
