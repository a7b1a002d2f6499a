package io.photobridge.pave;

import java.util.LinkedHashMap;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.photobridge.records.ApiToken;
import io.photobridge.records.HttpAnswer;
import io.photobridge.records.PaveRecords;
import io.photobridge.vendor.VendorException;
import org.apache.camel.Exchange;

/**
 * POST /api/orders/{orderId}/pave-sessions: links an existing PAVE session ({"session_key": ...}) to an order, or creates
 * one (optional "vehicle", "redirect_url", "theme") and answers its key and capture link. Requires the API token.
 */
public final class PaveLinkApi {

    private final PaveClient client;
    private final PaveRecords records;
    private final ApiToken token;
    private final ObjectMapper json = new ObjectMapper();

    public PaveLinkApi(PaveClient client, PaveRecords records, ApiToken token) {
        this.client = client;
        this.records = records;
        this.token = token;
    }

    public void link(Exchange exchange) throws Exception {
        if (!token.admit(exchange)) {
            return;
        }
        try {
            linkAdmitted(exchange);
        } catch (PaveSessionNotFound e) {
            ApiToken.answer(exchange, 404, "PAVE does not know session " + e.sessionKey());
        } catch (VendorException e) {
            ApiToken.answer(exchange, 502, e.getMessage());
        }
    }

    private void linkAdmitted(Exchange exchange) throws Exception {
        String id = exchange.getIn().getHeader("orderId", "", String.class);
        if (!id.matches("\\d{1,18}")) {
            ApiToken.answer(exchange, 400, "order id '" + id + "' is not a number");
            return;
        }
        String contentType = exchange.getIn().getHeader(Exchange.CONTENT_TYPE, "", String.class).toLowerCase();
        if (!contentType.isEmpty() && !contentType.startsWith("application/json")) {
            // a form body would be parsed into headers and read as "no session key": refuse it rather than create a session
            ApiToken.answer(exchange, 415, "send the body as application/json");
            return;
        }
        String text = exchange.getIn().getBody(String.class);
        JsonNode body;
        try {
            body = text == null || text.isBlank() ? json.createObjectNode() : json.readTree(text);
        } catch (Exception e) {
            ApiToken.answer(exchange, 400, "the body must be JSON: {\"session_key\": ...} or {\"vehicle\": {...}}");
            return;
        }
        if (!body.isObject()) {
            // [] or null would otherwise read as "no session key" and create a PAVE session nobody asked for
            ApiToken.answer(exchange, 400, "the body must be a JSON object: {\"session_key\": ...} or {\"vehicle\": {...}}, not "
                    + body.getNodeType().name().toLowerCase());
            return;
        }
        long orderId = Long.parseLong(id);
        String sessionKey = body.path("session_key").asText("");
        String status;
        String captureUrl;
        if (!sessionKey.isBlank()) {
            PaveSessionData data = client.session(sessionKey);
            status = data.status();
            captureUrl = data.captureUrl();
        } else {
            JsonNode v = body.path("vehicle");
            PaveVehicle vehicle = v.isObject() ? new PaveVehicle(v.path("vin").asText(null),
                    v.hasNonNull("year") ? v.path("year").asInt() : null, v.path("make").asText(null), v.path("model").asText(null))
                    : null;
            PaveSession created = client.createSession(vehicle, body.path("redirect_url").asText(null), body.path("theme").asText(null));
            sessionKey = created.sessionKey();
            status = created.status();
            captureUrl = created.captureUrl();
        }
        try {
            records.link(orderId, sessionKey, status, captureUrl);
        } catch (IllegalArgumentException e) {
            ApiToken.answer(exchange, 409, e.getMessage());
            return;
        }
        Map<String, Object> answer = new LinkedHashMap<>();
        answer.put("order_id", orderId);
        answer.put("session_key", sessionKey);
        answer.put("status", status);
        answer.put("capture_url", captureUrl);
        HttpAnswer.json(exchange, 201, json.writeValueAsString(answer));
    }
}
