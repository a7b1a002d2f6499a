package io.photobridge.inspektlabs;

import io.photobridge.vendor.RetryableVendorException;

/** Inspektlabs' 404 "Something Went Worng" (sic), its answer to an unexpected error: worth a few retries (a bounded number), then a failure. */
public class InspektlabsUnexpectedError extends RetryableVendorException {

    public InspektlabsUnexpectedError(String vendor, String operation, int status, String vendorMessage) {
        super(vendor, operation, status, vendorMessage, null);
    }

    /** Always true: the route retries this a few times only, unlike 429 and 5xx. */
    public boolean boundedRetry() {
        return true;
    }
}
