package io.photobridge.inspektlabs;

import java.util.Objects;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * A fresh Damage API session: its id (the inspection id) and the bearer token to use with it; single use.
 *
 * <p>A class rather than a record because it remembers, per object, that an upload has used it: the client refuses a
 * second upload with the same object. Equality is identity for the same reason.
 */
public final class InspektlabsSession {

    private final String session;
    private final String bearerToken;
    private final AtomicBoolean used = new AtomicBoolean();

    public InspektlabsSession(String session, String bearerToken) {
        this.session = Objects.requireNonNull(session, "session");
        this.bearerToken = Objects.requireNonNull(bearerToken, "bearerToken");
    }

    /** The session id, which is also the inspection id of the upload made with it. */
    public String session() {
        return session;
    }

    /** The bearer token for the calls made with this session. */
    public String bearerToken() {
        return bearerToken;
    }

    /** True once an upload has been sent (or tried) with this session. */
    public boolean used() {
        return used.get();
    }

    /** Marks the session used; throws when an upload already used it. */
    void claim(String operation) {
        if (!used.compareAndSet(false, true)) {
            throw new IllegalStateException("Inspektlabs session " + session + " was already used for an upload; "
                    + operation + " needs a new session");
        }
    }

    /** Never shows the token. */
    @Override
    public String toString() {
        return "InspektlabsSession[session=" + session + ", bearerToken=***, used=" + used.get() + "]";
    }
}
