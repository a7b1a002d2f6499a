package io.photobridge.records;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;
import org.apache.camel.Exchange;

/** Answers GET /api/orders/{orderId}/records: an order's photos, damage jobs and reports, and timeline, for a bearer token. */
public final class OrderRecordsApi {

    private final Ledger ledger;
    private final DamageRecords damage;
    private final byte[] token;
    private final ObjectMapper json = new ObjectMapper().registerModule(new JavaTimeModule())
            .disable(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS);

    /** damage: null when damage analysis is off; token: the bearer token the API requires. */
    public OrderRecordsApi(Ledger ledger, DamageRecords damage, String token) {
        this.ledger = ledger;
        this.damage = damage;
        this.token = token.getBytes(StandardCharsets.UTF_8);
    }

    public void records(Exchange exchange) throws Exception {
        if (token.length == 0) {
            answer(exchange, 403, Map.of("message", "the order records API is off: set photobridge.api.token (env PHOTOBRIDGE_API_TOKEN)"));
            return;
        }
        String auth = exchange.getIn().getHeader("Authorization", "", String.class);
        String given = auth.startsWith("Bearer ") ? auth.substring(7) : "";
        if (!MessageDigest.isEqual(token, given.getBytes(StandardCharsets.UTF_8))) {
            answer(exchange, 401, Map.of("message", "a valid bearer token is required (photobridge.api.token)"));
            return;
        }
        String id = exchange.getIn().getHeader("orderId", "", String.class);
        if (!id.matches("\\d{1,18}")) {
            answer(exchange, 400, Map.of("message", "order id '" + id + "' is not a number"));
            return;
        }
        long orderId = Long.parseLong(id);
        Map<String, Object> record = new LinkedHashMap<>();
        record.put("orderId", orderId);
        record.put("photos", ledger.photos(orderId));
        List<DamageJob> jobs = damage == null ? List.of() : damage.jobs(orderId);
        record.put("damageJobs", jobs);
        record.put("damageReports", damage == null ? List.of() : damage.reports().stream()
                .filter(r -> r.jobId() != null && jobs.stream().anyMatch(j -> j.id() == r.jobId())).toList());
        record.put("timeline", ledger.timeline(orderId));
        answer(exchange, 200, record);
    }

    private void answer(Exchange exchange, int status, Object body) throws Exception {
        exchange.getMessage().setHeader(Exchange.HTTP_RESPONSE_CODE, status);
        exchange.getMessage().setHeader(Exchange.CONTENT_TYPE, "application/json");
        exchange.getMessage().setBody(json.writeValueAsString(body));
    }
}
