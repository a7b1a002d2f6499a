package io.photobridge.recoveryconnect;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.photobridge.records.ApiToken;
import io.photobridge.records.HttpAnswer;
import io.photobridge.records.TransferRecord;
import io.photobridge.vendor.RetryableVendorException;
import io.photobridge.vendor.VendorException;
import org.apache.camel.Exchange;

/**
 * POST /api/orders/{orderId}/transfers with {"transfer_to": [order ids], "photo_ids": [attachment ids] | "all"} (no photo_ids:
 * all): checks the request (bearer token, body, RecoveryConnect knows the order and the photos) and answers what was done.
 */
public final class TransferApi {

    private static final String SHAPE = "{\"transfer_to\": [order ids], \"photo_ids\": [photo ids] or \"all\"}";

    private final PhotoTransfers transfers;
    private final ApiToken token;
    private final ObjectMapper json = new ObjectMapper();

    public TransferApi(PhotoTransfers transfers, ApiToken token) {
        this.transfers = transfers;
        this.token = token;
    }

    /** Leaves a checked {@link TransferRequest} as the body, or answers the refusal (401, 400, 404, 415, 502, 503). */
    public void request(Exchange exchange) {
        if (!token.admit(exchange)) {
            return;
        }
        try {
            TransferRequest request = parse(exchange);
            transfers.verify(request, "photo_ids:");
            exchange.getIn().setBody(request);
        } catch (TransferRefused e) {
            ApiToken.answer(exchange, e.status(), e.getMessage());
        } catch (RetryableVendorException e) {
            ApiToken.answer(exchange, 503, "RecoveryConnect is unavailable, nothing was transferred; try again later ("
                    + e.getMessage() + ")");
        } catch (VendorException e) {
            ApiToken.answer(exchange, 502, e.getMessage());
        }
    }

    /** 200 with each attachment's outcome, and counts. */
    public void answer(TransferRequest request, Exchange exchange) throws Exception {
        List<TransferRecord> rows = transfers.results(request);
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("request_id", request.requestId());
        body.put("order_id", request.orderId());
        body.put("transfer_to", request.transferTo());
        body.put("photo_ids", request.all() ? "all" : request.photoIds());
        body.put("succeeded", rows.stream().filter(r -> r.status().equals("SUCCESS")).count());
        body.put("failed", rows.stream().filter(r -> !r.status().equals("SUCCESS")).count());
        body.put("attachments", PhotoTransfers.describe(rows));
        HttpAnswer.json(exchange, 200, json.writeValueAsString(body));
    }

    private TransferRequest parse(Exchange exchange) {
        String id = exchange.getIn().getHeader("orderId", "", String.class);
        if (!id.matches("\\d{1,18}")) {
            throw new TransferRefused(400, "order id '" + id + "' is not a number");
        }
        long orderId = Long.parseLong(id);
        String contentType = exchange.getIn().getHeader(Exchange.CONTENT_TYPE, "", String.class).toLowerCase();
        if (!contentType.isEmpty() && !contentType.startsWith("application/json")) {
            throw new TransferRefused(415, "send the body as application/json: " + SHAPE);
        }
        String text = exchange.getIn().getBody(String.class);
        JsonNode body;
        try {
            body = text == null || text.isBlank() ? null : json.readTree(text);
        } catch (Exception e) {
            throw new TransferRefused(400, "the body is not JSON; expected " + SHAPE);
        }
        if (body == null || !body.isObject()) {
            throw new TransferRefused(400, "the body must be a JSON object " + SHAPE);
        }
        List<Long> transferTo = ids(body.get("transfer_to"), "transfer_to", "RecoveryConnect order ids");
        if (transferTo == null) {
            throw new TransferRefused(400, "transfer_to is required: a list of the RecoveryConnect order ids to copy the photos to");
        }
        if (transferTo.contains(orderId)) {
            throw new TransferRefused(400, "transfer_to: order " + orderId + " is the order the photos come from");
        }
        JsonNode photos = body.get("photo_ids");
        List<Long> photoIds;
        if (photos == null || photos.isNull() || photos.isTextual() && photos.asText().trim().equalsIgnoreCase("all")) {
            photoIds = List.of();
        } else {
            photoIds = ids(photos, "photo_ids", "RecoveryConnect photo (attachment) ids, or \"all\"");
        }
        return new TransferRequest(UUID.randomUUID().toString(), "API", orderId, transferTo, photoIds);
    }

    /** A non-empty list of distinct ids (numbers or digit strings), or null when the field is absent. */
    private static List<Long> ids(JsonNode node, String field, String what) {
        if (node == null || node.isNull()) {
            return null;
        }
        if (!node.isArray()) {
            throw new TransferRefused(400, field + " must be a list of " + what + ", not " + node.getNodeType().name().toLowerCase());
        }
        if (node.isEmpty()) {
            throw new TransferRefused(400, field + " must not be empty: a list of " + what);
        }
        Set<Long> ids = new LinkedHashSet<>();
        for (int i = 0; i < node.size(); i++) {
            JsonNode item = node.get(i);
            String text = item.isIntegralNumber() || item.isTextual() ? item.asText().trim() : "";
            if (!text.matches("\\d{1,18}") || Long.parseLong(text) == 0) {
                throw new TransferRefused(400, field + "[" + i + "] must be a positive whole number, not " + item);
            }
            ids.add(Long.parseLong(text));
        }
        return new ArrayList<>(ids);
    }
}
