package io.photobridge.recoveryconnect;

/** A transfer request that breaks a rule or names what RecoveryConnect does not know; status is the HTTP answer for it. */
public final class TransferRefused extends RuntimeException {

    private final int status;

    public TransferRefused(int status, String message) {
        super(message);
        this.status = status;
    }

    public int status() {
        return status;
    }
}
