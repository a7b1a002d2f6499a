package io.photobridge.records;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;
import org.apache.camel.Exchange;

/** Answers GET /api/orders/{orderId}/records: an order's photos, damage jobs and reports, PAVE captures and timeline, for a bearer token. */
public final class OrderRecordsApi {

    private final Ledger ledger;
    private final DamageRecords damage;
    private final PaveRecords pave;
    private final TransferRecords transfers;
    private final ApiToken token;
    private final ObjectMapper json = new ObjectMapper().registerModule(new JavaTimeModule())
            .disable(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS);

    /** damage, pave: null when damage analysis or the PAVE relay is off; token: the API's bearer token. */
    public OrderRecordsApi(Ledger ledger, DamageRecords damage, PaveRecords pave, ApiToken token) {
        this(ledger, damage, pave, null, token);
    }

    /** transfers: the RecoveryConnect transfers from and to an order (null: none shown). */
    public OrderRecordsApi(Ledger ledger, DamageRecords damage, PaveRecords pave, TransferRecords transfers, ApiToken token) {
        this.ledger = ledger;
        this.damage = damage;
        this.pave = pave;
        this.transfers = transfers;
        this.token = token;
    }

    public void records(Exchange exchange) throws Exception {
        if (!token.admit(exchange)) {
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
        record.put("damageJobs", damage == null ? List.of() : damage.jobs(orderId));
        record.put("damageReports", damage == null ? List.of() : damage.reportsOf(orderId));
        record.put("paveSessions", pave == null ? List.of() : pave.sessionsOf(orderId));
        record.put("paveCaptures", pave == null ? List.of() : pave.capturesOf(orderId));
        record.put("transfers", transfers == null ? List.of() : transfers.of(orderId));
        record.put("timeline", ledger.timeline(orderId));
        answer(exchange, 200, record);
    }

    private void answer(Exchange exchange, int status, Object body) throws Exception {
        HttpAnswer.json(exchange, status, json.writeValueAsString(body));
    }
}
