package io.photobridge.records;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;
import io.photobridge.console.ApiRefusal;
import io.photobridge.console.Paging;
import org.apache.camel.Exchange;

/**
 * The order records API (routes/records-api.camel.yaml): the orders, an order's whole record, its photos and timeline by
 * page, as JSON objects (damage reports included, never as JSON text).
 */
public final class OrderRecordsApi {

    private final Ledger ledger;
    private final DamageRecords damage;
    private final PaveRecords pave;
    private final TransferRecords transfers;
    private final Map<Integer, String> typeLabels;
    private final ObjectMapper json = new ObjectMapper().registerModule(new JavaTimeModule())
            .disable(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS);

    /**
     * damage, pave: null when damage analysis or the PAVE relay is off; transfers: the RecoveryConnect transfers from and to
     * an order (null: none shown); typeLabels: RecoveryConnect's photo type names.
     */
    public OrderRecordsApi(Ledger ledger, DamageRecords damage, PaveRecords pave, TransferRecords transfers,
            Map<Integer, String> typeLabels) {
        this.ledger = ledger;
        this.damage = damage;
        this.pave = pave;
        this.transfers = transfers;
        this.typeLabels = Map.copyOf(typeLabels);
    }

    /** GET /api/orders/{orderId}/records: photos (and the names of their types), damage jobs and reports (with a summary), PAVE sessions and captures, timeline. */
    public void records(Exchange exchange) throws Exception {
        long orderId = orderId(exchange);
        Map<String, Object> record = new LinkedHashMap<>();
        record.put("orderId", orderId);
        List<PhotoRecord> photos = ledger.photos(orderId);
        record.put("photos", photos);
        Map<Integer, String> types = new java.util.TreeMap<>();
        photos.stream().map(PhotoRecord::typeId).filter(t -> t != null && typeLabels.containsKey(t))
                .forEach(t -> types.put(t, typeLabels.get(t)));
        record.put("typeLabels", types);
        record.put("damageJobs", damage == null ? List.of() : damage.jobs(orderId));
        List<Map<String, Object>> reports = damage == null ? List.of() : damage.reportsOf(orderId).stream().map(this::report).toList();
        record.put("damageReports", reports);
        record.put("damageSummary", summary(reports));
        record.put("paveSessions", pave == null ? List.of() : pave.sessionsOf(orderId));
        record.put("paveCaptures", pave == null ? List.of() : pave.capturesOf(orderId));
        record.put("transfers", transfers == null ? List.of() : transfers.of(orderId));
        record.put("timeline", ledger.timeline(orderId));
        answer(exchange, record);
    }

    /** GET /api/orders?limit=&amp;offset=: orders with photos, most recently active first, with their photo counts by state. */
    public void orders(Exchange exchange) throws Exception {
        Paging paging = Paging.of(exchange, 50);
        List<Map<String, Object>> items = new ArrayList<>();
        long total;
        try (Connection c = ledger.dataSource().getConnection()) {
            try (PreparedStatement st = c.prepareStatement("select count(distinct order_id) from photo");
                 ResultSet rs = st.executeQuery()) {
                rs.next();
                total = rs.getLong(1);
            }
            try (PreparedStatement st = c.prepareStatement("select order_id, count(*) as photos,"
                    + " sum(case when state = 'UPLOADED' then 1 else 0 end) as uploaded,"
                    + " sum(case when state = 'FAILED' then 1 else 0 end) as failed,"
                    + " max(updated_at) as last_activity from photo group by order_id"
                    + " order by max(updated_at) desc, order_id limit ? offset ?")) {
                st.setInt(1, paging.limit());
                st.setInt(2, paging.offset());
                try (ResultSet rs = st.executeQuery()) {
                    while (rs.next()) {
                        Map<String, Object> order = new LinkedHashMap<>();
                        order.put("orderId", rs.getLong("order_id"));
                        order.put("photos", rs.getLong("photos"));
                        order.put("uploaded", rs.getLong("uploaded"));
                        order.put("failed", rs.getLong("failed"));
                        order.put("lastActivity", rs.getTimestamp("last_activity").toInstant());
                        items.add(order);
                    }
                }
            }
        } catch (SQLException e) {
            throw new LedgerException("cannot list the orders", e);
        }
        answer(exchange, paging.page(total, items));
    }

    /** GET /api/orders/{orderId}/photos?limit=&amp;offset=: an order's photos, oldest first. */
    public void photos(Exchange exchange) throws Exception {
        long orderId = orderId(exchange);
        answer(exchange, Paging.of(exchange, 100).page(ledger.photos(orderId)));
    }

    /** GET /api/orders/{orderId}/timeline?limit=&amp;offset=: an order's timeline, oldest first. */
    public void timeline(Exchange exchange) throws Exception {
        long orderId = orderId(exchange);
        answer(exchange, Paging.of(exchange, 100).page(ledger.timeline(orderId)));
    }

    /** The {orderId} of the path: digits, else a 400. */
    public static long orderId(Exchange exchange) {
        String id = exchange.getIn().getHeader("orderId", "", String.class);
        if (!id.matches("\\d{1,18}")) {
            throw new ApiRefusal(400, "order id '" + id + "' is not a number");
        }
        return Long.parseLong(id);
    }

    /** A stored report with its JSON fields as JSON. */
    private Map<String, Object> report(DamageReport r) {
        Map<String, Object> report = new LinkedHashMap<>();
        report.put("id", r.id());
        report.put("inspectionId", r.inspectionId());
        report.put("jobId", r.jobId());
        report.put("caseId", r.caseId());
        report.put("status", r.status());
        report.put("uploadStatus", r.uploadStatus());
        report.put("vehicleType", r.vehicleType());
        report.put("vehicleReadings", tree(r.vehicleReadings()));
        report.put("damages", tree(r.damages()));
        report.put("body", tree(r.body()));
        report.put("receivedAt", r.receivedAt());
        return report;
    }

    /** JSON text as a tree; text that is not JSON stays a string (stored as received, never lost). */
    private JsonNode tree(String text) {
        if (text == null) {
            return null;
        }
        try {
            return json.readTree(text);
        } catch (JsonProcessingException e) {
            return json.getNodeFactory().textNode(text);
        }
    }

    /** Every damage of the reports (any object with a "part"), with its severity and type, and how many per severity. */
    private static Map<String, Object> summary(List<Map<String, Object>> reports) {
        List<Map<String, Object>> parts = new ArrayList<>();
        for (Map<String, Object> report : reports) {
            collect((JsonNode) report.get("damages"), null, (String) report.get("inspectionId"), parts);
        }
        Map<String, Long> bySeverity = new LinkedHashMap<>();
        parts.forEach(p -> bySeverity.merge(String.valueOf(p.getOrDefault("severity", "unknown")), 1L, Long::sum));
        Map<String, Object> summary = new LinkedHashMap<>();
        summary.put("damagedParts", parts);
        summary.put("bySeverity", bySeverity);
        return summary;
    }

    private static void collect(JsonNode node, String file, String inspectionId, List<Map<String, Object>> into) {
        if (node == null) {
            return;
        }
        if (node.isArray()) {
            node.forEach(n -> collect(n, file, inspectionId, into));
        } else if (node.isObject()) {
            String here = node.hasNonNull("file") ? node.get("file").asText() : file;
            if (node.hasNonNull("part")) {
                Map<String, Object> part = new LinkedHashMap<>();
                part.put("part", node.get("part").asText());
                if (node.hasNonNull("damageType")) {
                    part.put("damageType", node.get("damageType").asText());
                }
                if (node.hasNonNull("severity")) {
                    part.put("severity", node.get("severity").asText());
                }
                if (node.hasNonNull("confidence")) {
                    part.put("confidence", node.get("confidence").asDouble());
                }
                part.put("file", here);
                part.put("inspectionId", inspectionId);
                into.add(part);
                return;
            }
            node.fields().forEachRemaining(e -> collect(e.getValue(), here, inspectionId, into));
        }
    }

    private void answer(Exchange exchange, Object body) throws Exception {
        HttpAnswer.json(exchange, 200, json.writeValueAsString(body));
    }
}
