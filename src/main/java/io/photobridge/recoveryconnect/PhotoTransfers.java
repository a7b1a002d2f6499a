package io.photobridge.recoveryconnect;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
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

    /** Exchange property: an earlier try of this call may have been carried out without an answer. */
    static final String UNCONFIRMED = "PhotoBridgeTransferUnconfirmed";

    /** The key of a whole-order call where an attachment id stands for a one-photo call. */
    private static final long WHOLE_ORDER = 0L;

    private final RecoveryConnectClient client;
    private final Ledger ledger;
    private final TransferRecords records;
    private final Duration maxRetryAfter;
    private final Duration unknownOutcomeDelay;

    /**
     * maxRetryAfter: the longest Retry-After honoured (photobridge.retry.max-delay-ms); unknownOutcomeDelay: after a call
     * that may have been carried out unanswered, how long to wait before looking for its copies
     * (photobridge.recoveryconnect.unknown-outcome-delay-ms).
     */
    public PhotoTransfers(RecoveryConnectClient client, Ledger ledger, TransferRecords records, Duration maxRetryAfter,
                          Duration unknownOutcomeDelay) {
        this.client = client;
        this.ledger = ledger;
        this.records = records;
        this.maxRetryAfter = maxRetryAfter;
        this.unknownOutcomeDelay = unknownOutcomeDelay;
    }

    /**
     * Refuses a request whose order RecoveryConnect does not know (404) or that names photos the order does not hold (400);
     * photoField: what the caller calls the photo ids, for the message.
     */
    public void verify(TransferRequest request, String photoField) {
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
            throw new TransferRefused(400, photoField + " " + unknown.stream().map(String::valueOf).collect(Collectors.joining(", "))
                    + (unknown.size() == 1 ? " is not a photo" : " are not photos") + " of order " + request.orderId()
                    + " in RecoveryConnect");
        }
    }

    /**
     * The calls a request makes: one per named photo, or a single whole-order transfer. A request carried out before in part
     * (a transfer file read again after a restart, or put back) transfers only what did not succeed then: a whole-order
     * transfer becomes one call per photo that some destination still lacks. A call sent before without a recorded outcome
     * (given up, or cut off by a stop or a crash) may have been carried out, so it looks for copies in the destinations first.
     */
    public List<TransferCall> calls(TransferRequest request) {
        List<TransferRecord> earlier = records.ofRequest(request.requestId());
        Set<Long> uncertain = new HashSet<>(records.unsettled(request.requestId()));
        earlier.stream().filter(r -> r.status().equals("GAVE_UP"))
                .forEach(r -> uncertain.add(r.rcAttachmentId() == null ? WHOLE_ORDER : r.rcAttachmentId()));
        if (!request.all()) {
            return request.photoIds().stream().map(id -> new TransferCall(request, id,
                    uncertain.contains(WHOLE_ORDER) || uncertain.contains(id))).toList();
        }
        if (earlier.isEmpty() && uncertain.isEmpty()) {
            return List.of(new TransferCall(request, null, false));
        }
        if (!uncertain.isEmpty()) {
            return List.of(new TransferCall(request, null, true));
        }
        List<TransferRecord> succeeded = earlier.stream().filter(r -> r.status().equals("SUCCESS")).toList();
        return client.listPhotos(request.orderId()).stream().map(OrderPhoto::id)
                .filter(id -> succeeded.stream().filter(r -> id.equals(r.rcAttachmentId())).count() < request.transferTo().size())
                .map(id -> new TransferCall(request, id, false)).toList();
    }

    /**
     * Makes one call and records each attachment's status as RecoveryConnect answers it. A 4xx answer is final and recorded as
     * REFUSED; 429, 5xx and no answer are thrown for Camel's redelivery, after the vendor's Retry-After when it gave one. A call
     * that may have been carried out without an answer (no answer, 5xx) looks for its copies in the destination orders before
     * anything is sent again: a one-photo call is sent only to those without a copy; a whole-order call is not sent again but
     * returns one call per photo that some destination still lacks, each retried and recorded on its own. Returns those
     * calls (none otherwise).
     */
    public List<TransferCall> transfer(TransferCall call, Exchange exchange) {
        exchange.getIn().removeHeader(Exchange.REDELIVERY_DELAY);
        boolean unconfirmed = call.lookUpFirst() || exchange.getProperty(UNCONFIRMED, false, Boolean.class);
        List<Long> destinations;
        try {
            if (call.photoId() == null && unconfirmed) {
                List<TransferCall> rest = notCopied(call.request());
                records.settled(call.request().requestId(), WHOLE_ORDER);
                exchange.removeProperty(UNCONFIRMED);
                return rest;
            }
            destinations = pending(call);
            if (unconfirmed) {
                destinations = withoutCopies(call, destinations);
            }
        } catch (RetryableVendorException e) {
            e.retryAfter().ifPresent(d -> exchange.getIn().setHeader(Exchange.REDELIVERY_DELAY,
                    Math.min(d.toMillis(), maxRetryAfter.toMillis())));
            throw e;
        }
        send(call, destinations, exchange);
        return List.of();
    }

    private void send(TransferCall call, List<Long> destinations, Exchange exchange) {
        TransferRequest request = call.request();
        long key = call.photoId() == null ? WHOLE_ORDER : call.photoId();
        if (destinations.isEmpty()) {
            records.settled(request.requestId(), key);
            return;
        }
        // kept until the outcome is recorded: a stop or crash before that leaves a call that a re-read request looks up first
        records.sending(request.requestId(), key);
        TransferResult result;
        try {
            result = call.photoId() == null
                    ? client.transferAllPhotos(request.orderId(), destinations)
                    : client.transferPhoto(request.orderId(), call.photoId(), destinations);
        } catch (RetryableVendorException e) {
            long delay = e.retryAfter().map(d -> Math.min(d.toMillis(), maxRetryAfter.toMillis())).orElse(0L);
            if (e.status() != 429) {
                // RecoveryConnect may have made the copies: the retry looks for them first, once it had time to finish
                exchange.setProperty(UNCONFIRMED, true);
                delay = Math.max(delay, unknownOutcomeDelay.toMillis());
            }
            if (delay > 0) {
                exchange.getIn().setHeader(Exchange.REDELIVERY_DELAY, delay);
            }
            throw e;
        } catch (VendorException e) {
            recordEach(call, destinations, "REFUSED", e.getMessage());
            records.settled(request.requestId(), key);
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
        Set<Long> answered = orders.stream().map(TransferResult.TransferredOrder::id).collect(Collectors.toSet());
        for (long destination : destinations) {
            if (!answered.contains(destination)) {
                records.record(request.requestId(), request.requestedBy(), request.orderId(), call.photoId(),
                        call.photoId() == null ? null : ours.get(call.photoId()), destination, "FAIL",
                        "RecoveryConnect's answer does not mention this order");
            }
        }
        records.settled(request.requestId(), key);
    }

    /** Records a call given up after its retries (or broken by an unexpected error) as GAVE_UP, with the reason. */
    public void gaveUp(Exchange exchange) {
        Object body = exchange.getIn().getBody();
        TransferCall call = body instanceof TransferCall c ? c
                : body instanceof TransferRequest r ? new TransferCall(r, null, false) : null;
        if (call == null) {
            throw new IllegalStateException("the transfer step that failed carried neither a transfer request nor a call");
        }
        Throwable cause = exchange.getProperty(Exchange.EXCEPTION_CAUGHT, Throwable.class);
        recordEach(call, pending(call), "GAVE_UP", cause == null ? "unknown error" : cause.getMessage());
        // from now on the GAVE_UP rows tell a request carried out again to look first
        records.settled(call.request().requestId(), call.photoId() == null ? WHOLE_ORDER : call.photoId());
    }

    /** What one request did, attachment by attachment. */
    public List<TransferRecord> results(TransferRequest request) {
        return records.ofRequest(request.requestId());
    }

    /**
     * The destinations that hold no copy of the call's photo yet (a copy keeps the file name and names the source order as
     * its parent_attachment_order_id); those that do are recorded as SUCCESS and remembered on the exchange.
     */
    private List<Long> withoutCopies(TransferCall call, List<Long> destinations) {
        TransferRequest request = call.request();
        String fileName = client.getPhoto(request.orderId(), call.photoId()).filename();
        Long ours = photoIdsOf(request.orderId()).get(call.photoId());
        List<Long> remaining = new ArrayList<>();
        for (long destination : destinations) {
            if (fileName != null && copyNames(destination, request.orderId()).contains(fileName)) {
                records.record(request.requestId(), request.requestedBy(), request.orderId(), call.photoId(), ours, destination,
                        "SUCCESS", "found in order " + destination + ": a copy is there, looked up after a try whose outcome was unknown");
            } else {
                remaining.add(destination);
            }
        }
        return remaining;
    }

    /**
     * After a whole-order call that may have been carried out: records as SUCCESS each photo found copied to a destination
     * (same file name, the source order as its parent_attachment_order_id; each copy counts for one photo), and returns one
     * call per photo that some destination still lacks.
     */
    private List<TransferCall> notCopied(TransferRequest request) {
        List<OrderPhoto> photos = client.listPhotos(request.orderId());
        Map<Long, List<String>> copies = new HashMap<>();
        for (long destination : request.transferTo()) {
            copies.put(destination, copyNames(destination, request.orderId()));
        }
        Map<Long, Long> ours = photoIdsOf(request.orderId());
        List<TransferRecord> succeeded = succeeded(request);
        Set<Long> noted = records.unsettled(request.requestId());
        List<TransferCall> rest = new ArrayList<>();
        for (OrderPhoto photo : photos) {
            TransferCall one = new TransferCall(request, photo.id(), false);
            List<Long> pending = pending(request, photo.id(), succeeded);
            boolean lacking = false;
            for (long destination : request.transferTo()) {
                boolean copied = photo.filename() != null && copies.get(destination).remove(photo.filename());
                if (!pending.contains(destination)) {
                    continue; // recorded by an earlier try; its copy is not another photo's
                }
                if (copied) {
                    records.record(request.requestId(), request.requestedBy(), request.orderId(), photo.id(), ours.get(photo.id()),
                            destination, "SUCCESS", "found in order " + destination
                                    + ": a copy is there, looked up after a whole-order call whose outcome was unknown");
                } else {
                    lacking = true;
                }
            }
            if (lacking) {
                rest.add(one);
            } else if (noted.contains(photo.id())) {
                records.settled(request.requestId(), photo.id());
            }
        }
        return rest;
    }

    /** The file names of the copies an order holds of another order's photos. */
    private List<String> copyNames(long destination, long sourceOrderId) {
        try {
            return client.listPhotos(destination).stream().filter(p -> p.parentAttachmentOrderId() != null
                    && p.parentAttachmentOrderId() == sourceOrderId && p.filename() != null).map(OrderPhoto::filename)
                    .collect(Collectors.toCollection(ArrayList::new));
        } catch (RetryableVendorException e) {
            throw e;
        } catch (VendorException e) {
            return new ArrayList<>(); // e.g. an order RecoveryConnect does not know: the transfer itself will answer fail for it
        }
    }

    /** The call's destinations that do not hold its photo yet by this request (a retry found copies, a file came back). */
    private List<Long> pending(TransferCall call) {
        return call.photoId() == null ? call.request().transferTo() : pending(call.request(), call.photoId(), succeeded(call.request()));
    }

    private static List<Long> pending(TransferRequest request, long photoId, List<TransferRecord> succeeded) {
        Set<Long> done = succeeded.stream().filter(r -> r.rcAttachmentId() != null && r.rcAttachmentId() == photoId)
                .map(TransferRecord::transferTo).collect(Collectors.toSet());
        return request.transferTo().stream().filter(d -> !done.contains(d)).toList();
    }

    private List<TransferRecord> succeeded(TransferRequest request) {
        return records.ofRequest(request.requestId()).stream().filter(r -> r.status().equals("SUCCESS")).toList();
    }

    private void recordEach(TransferCall call, List<Long> destinations, String status, String detail) {
        TransferRequest request = call.request();
        Long ours = call.photoId() == null ? null : photoIdsOf(request.orderId()).get(call.photoId());
        for (long destination : destinations) {
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
            Map<String, Object> item = new LinkedHashMap<>();
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
