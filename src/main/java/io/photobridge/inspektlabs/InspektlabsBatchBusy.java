package io.photobridge.inspektlabs;

/**
 * Another delivery of the same damage batch is sending it right now (a batch recovered from the aggregation repository while
 * its first delivery still runs): this one sends nothing and leaves the batch in the repository.
 */
public final class InspektlabsBatchBusy extends RuntimeException {

    private static final long serialVersionUID = 1L;

    public InspektlabsBatchBusy(long jobId) {
        super("damage job " + jobId + " is being sent by another delivery of its batch", null, false, false);
    }
}
