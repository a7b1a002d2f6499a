package io.photobridge.console;

/** A request PhotoBridge's API refuses: the HTTP status and a message for the caller (never a secret). */
public final class ApiRefusal extends RuntimeException {

    private final int status;

    public ApiRefusal(int status, String message) {
        super(message, null, false, false);
        this.status = status;
    }

    public int status() {
        return status;
    }
}
