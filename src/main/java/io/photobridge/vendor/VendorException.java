package io.photobridge.vendor;

import java.time.Duration;
import java.util.Optional;

/** A vendor API refused a call: carries the vendor, the operation, the HTTP status and the vendor's own message. */
public class VendorException extends RuntimeException {

    private final String vendor;
    private final String operation;
    private final int status;
    private final String vendorMessage;
    private final Duration retryAfter;

    public VendorException(String vendor, String operation, int status, String vendorMessage, Duration retryAfter) {
        this(vendor, operation, status, vendorMessage, retryAfter, null);
    }

    protected VendorException(String vendor, String operation, int status, String vendorMessage, Duration retryAfter,
                              Throwable cause) {
        super(describe(vendor, operation, status, vendorMessage), cause);
        this.vendor = vendor;
        this.operation = operation;
        this.status = status;
        this.vendorMessage = vendorMessage;
        this.retryAfter = retryAfter;
    }

    private static String describe(String vendor, String operation, int status, String vendorMessage) {
        String answer = status > 0 ? "HTTP " + status : "no answer";
        return vendor + " " + operation + ": " + answer + (vendorMessage == null || vendorMessage.isBlank() ? "" : " " + vendorMessage);
    }

    public String vendor() {
        return vendor;
    }

    public String operation() {
        return operation;
    }

    /** The HTTP status, 0 when the vendor did not answer. */
    public int status() {
        return status;
    }

    public String vendorMessage() {
        return vendorMessage;
    }

    /** The delay the vendor asked for in {@code Retry-After}, if any. */
    public Optional<Duration> retryAfter() {
        return Optional.ofNullable(retryAfter);
    }
}
