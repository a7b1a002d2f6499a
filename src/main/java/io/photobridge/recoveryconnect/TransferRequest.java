package io.photobridge.recoveryconnect;

import java.util.List;

/**
 * A checked request to transfer photos of an order to other orders: photoIds are RecoveryConnect attachment ids (empty =
 * all of the order's photos); requestedBy says where it came from (the API, a CSV file and line) for the records.
 */
public record TransferRequest(String requestId, String requestedBy, long orderId, List<Long> transferTo, List<Long> photoIds) {

    public TransferRequest {
        transferTo = List.copyOf(transferTo);
        photoIds = List.copyOf(photoIds);
    }

    public boolean all() {
        return photoIds.isEmpty();
    }
}
