package io.photobridge.recoveryconnect;

/** One transfer call of a request: one photo (attachment id), or all of the order's photos when photoId is null. */
public record TransferCall(TransferRequest request, Long photoId) {
}
