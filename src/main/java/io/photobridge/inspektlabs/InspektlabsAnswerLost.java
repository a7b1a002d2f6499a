package io.photobridge.inspektlabs;

import java.time.Instant;

/**
 * A damage job waits for the report of an upload whose answer was lost: Inspektlabs may have accepted it, so the batch is not
 * sent again before {@code until}. The route keeps the batch in its repository, which tries it again later.
 */
public final class InspektlabsAnswerLost extends RuntimeException {

    private static final long serialVersionUID = 1L;

    private final long jobId;
    private final String session;
    private final Instant until;

    public InspektlabsAnswerLost(long jobId, String session, Instant until) {
        super("damage job " + jobId + ": the answer to the upload of inspection " + session + " was lost; waiting until " + until
                + " for its report before sending the batch again", null, false, false);
        this.jobId = jobId;
        this.session = session;
        this.until = until;
    }

    public long jobId() {
        return jobId;
    }

    public String session() {
        return session;
    }

    public Instant until() {
        return until;
    }
}
