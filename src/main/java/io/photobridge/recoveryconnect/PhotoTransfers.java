package io.photobridge.recoveryconnect;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

import io.photobridge.records.Ledger;
import io.photobridge.records.PhotoRecord;
import io.photobridge.records.TransferRecord;
import io.photobridge.records.TransferRecords;
import io.photobridge.vendor.RetryableVendorException;
import io.photobridge.vendor.VendorException;
import org.apache.camel.Exchange;

/**
 * The steps of routes/recoveryconnect-transfer.camel.yaml: checks a request against RecoveryConnect, makes its calls (one per
 * photo, or one for all photos) and records every attachment's outcome in the ledger and the orders' timelines.
 */
public final class PhotoTransfers {

    private final RecoveryConnectClient client;
    private final Ledger ledger;
    private final TransferRecords records;
    private final Duration maxRetryAfter;

    /** maxRetryAfter: the longest Retry-After honoured (photobridge.retry.max-delay-ms). */
    public PhotoTransfers(RecoveryConnectClient client, Ledger ledger, TransferRecords records, Duration maxRetryAfter) {
        this.client = client;
        this.ledger = ledger;
        this.records = records;
        this.maxRetryAfter = maxRetryAfter;
    }

    /** Refuses a request whose order RecoveryConnect does not know (404) or that names photos the order does not hold (400). */
    public void verify(TransferRequest request) {
        List<OrderPhoto> photos;
        try {
            photos = client.listPhotos(request.orderId());
        } catch (RetryableVendorException e) {
            throw e;
        } catch (VendorException e) {
            if (e.status() == 404) {
                throw new TransferRefused(404, "order " + request.orderId() + " is not known to RecoveryConnect");
            }
            throw e;
        }
        Set<Long> held = photos.stream().map(OrderPhoto::id).collect(Collectors.toSet());
        List<Long> unknown = request.photoIds().stream().filter(id -> !held.contains(id)).toList();
        if (!unknown.isEmpty()) {
            throw new TransferRefused(400, "photo_ids: " + unknown.stream().map(String::valueOf).collect(Collectors.joining(", "))
                    + (unknown.size() == 1 ? " is not a photo" : " are not photos") + " of order " + request.orderId()
                    + " in RecoveryConnect");
        }
    }

    /** The calls a request makes: one per named photo, or a single whole-order transfer. */
    public List<TransferCall> calls(TransferRequest request) {
        if (request.all()) {
            return List.of(new TransferCall(request, null));
        }
        return request.photoIds().stream().map(id -> new TransferCall(request, id)).toList();
    }

    /**
     * Makes one call and records each attachment's status as RecoveryConnect answers it. A 4xx answer is final and recorded as
     * REFUSED; 429, 5xx and no answer are thrown for Camel's redelivery, after the vendor's Retry-After when it gave one.
     */
    public void transfer(TransferCall call, Exchange exchange) {
        exchange.getIn().removeHeader(Exchange.REDELIVERY_DELAY);
        TransferRequest request = call.request();
        TransferResult result;
        try {
            result = call.photoId() == null
                    ? client.transferAllPhotos(request.orderId(), request.transferTo())
                    : client.transferPhoto(request.orderId(), call.photoId(), request.transferTo());
        } catch (RetryableVendorException e) {
            e.retryAfter().ifPresent(delay -> exchange.getIn().setHeader(Exchange.REDELIVERY_DELAY,
                    Math.min(delay.toMillis(), maxRetryAfter.toMillis())));
            throw e;
        } catch (VendorException e) {
            recordEach(call, "REFUSED", e.getMessage());
            return;
        }
        Map<Long, Long> ours = photoIdsOf(request.orderId());
        List<TransferResult.TransferredOrder> orders = result.orders() == null ? List.of() : result.orders();
        for (TransferResult.TransferredOrder order : orders) {
            for (TransferResult.Attachment attachment : order.attachments() == null ? List.<TransferResult.Attachment>of()
                    : order.attachments()) {
                records.record(request.requestId(), request.requestedBy(), request.orderId(), attachment.id(),
                        ours.get(attachment.id()), order.id(), attachment.succeeded() ? "SUCCESS" : "FAIL",
                        attachment.succeeded() ? null : "RecoveryConnect answered status '" + attachment.status() + "'");
            }
        }
        if (call.photoId() != null) {
            Set<Long> answered = orders.stream().map(TransferResult.TransferredOrder::id).collect(Collectors.toSet());
            for (long destination : request.transferTo()) {
                if (!answered.contains(destination)) {
                    records.record(request.requestId(), request.requestedBy(), request.orderId(), call.photoId(),
                            ours.get(call.photoId()), destination, "FAIL", "RecoveryConnect's answer does not mention this order");
                }
            }
        }
    }

    /** Records a call given up after its retries (or broken by an unexpected error) as GAVE_UP, with the reason. */
    public void gaveUp(Exchange exchange) {
        TransferCall call = exchange.getIn().getBody(TransferCall.class);
        if (call == null) {
            throw new IllegalStateException("the transfer step that failed did not carry a transfer call");
        }
        Throwable cause = exchange.getProperty(Exchange.EXCEPTION_CAUGHT, Throwable.class);
        recordEach(call, "GAVE_UP", cause == null ? "unknown error" : cause.getMessage());
    }

    /** What one request did, attachment by attachment. */
    public List<TransferRecord> results(TransferRequest request) {
        return records.ofRequest(request.requestId());
    }

    private void recordEach(TransferCall call, String status, String detail) {
        TransferRequest request = call.request();
        Long ours = call.photoId() == null ? null : photoIdsOf(request.orderId()).get(call.photoId());
        for (long destination : request.transferTo()) {
            records.record(request.requestId(), request.requestedBy(), request.orderId(), call.photoId(), ours, destination,
                    status, detail);
        }
    }

    /** PhotoBridge's records of the photos it uploaded to an order, by attachment id. */
    private Map<Long, Long> photoIdsOf(long orderId) {
        Map<Long, Long> ids = new HashMap<>();
        for (PhotoRecord photo : ledger.photos(orderId)) {
            if (photo.rcAttachmentId() != null) {
                ids.put(photo.rcAttachmentId(), photo.id());
            }
        }
        return ids;
    }

    /** A request's results as the API answers them. */
    static List<Map<String, Object>> describe(List<TransferRecord> rows) {
        List<Map<String, Object>> list = new ArrayList<>();
        for (TransferRecord r : rows) {
            Map<String, Object> item = new java.util.LinkedHashMap<>();
            item.put("attachment_id", r.rcAttachmentId());
            item.put("photo_id", r.photoId());
            item.put("transfer_to", r.transferTo());
            item.put("status", r.status());
            item.put("detail", r.detail());
            list.add(item);
        }
        return list;
    }
}
