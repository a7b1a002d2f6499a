package io.photobridge.recoveryconnect;

/**
 * One transfer call of a request: one photo (attachment id), or all of the order's photos when photoId is null. lookUpFirst:
 * an earlier try may have been carried out unanswered, so the destinations are searched for copies before anything is sent.
 */
public record TransferCall(TransferRequest request, Long photoId, boolean lookUpFirst) {
}
