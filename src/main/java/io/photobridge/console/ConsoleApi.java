package io.photobridge.console;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Supplier;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;
import io.photobridge.ingest.IngestProgress;
import io.photobridge.records.HttpAnswer;
import io.photobridge.records.Ledger;
import io.photobridge.records.LedgerException;
import io.photobridge.records.OrderRecordsApi;
import io.photobridge.records.PhotoRecord;
import io.photobridge.routes.Reload;
import io.photobridge.vendor.VendorModes;
import org.apache.camel.CamelContext;
import org.apache.camel.Exchange;
import org.apache.camel.health.HealthCheck;

/** The console's own API (routes/console-api.camel.yaml): the dashboard, the failed inputs and their retry, photo previews. */
public final class ConsoleApi {

    /** Minutes of the uploads-per-minute series. */
    static final int MINUTES = 30;

    private final CamelContext context;
    private final Ledger ledger;
    private final IngestProgress progress;
    private final VendorModes modes;
    private final Supplier<List<Reload>> reloads;
    private final FailedFiles failed;
    private final Thumbnails thumbnails;
    private final ObjectMapper json = new ObjectMapper().registerModule(new JavaTimeModule())
            .disable(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS);

    /** reloads: the recent route reloads, newest first (empty when reload is off). */
    public ConsoleApi(CamelContext context, Ledger ledger, IngestProgress progress, VendorModes modes, Supplier<List<Reload>> reloads,
                      FailedFiles failed, Thumbnails thumbnails) {
        this.context = context;
        this.ledger = ledger;
        this.progress = progress;
        this.modes = modes;
        this.reloads = reloads;
        this.failed = failed;
        this.thumbnails = thumbnails;
    }

    /** GET /api/console/dashboard. */
    public void dashboard(Exchange exchange) throws Exception {
        Map<String, Object> d = new LinkedHashMap<>();
        d.put("at", Instant.now());
        d.put("mode", modes.mode());
        Map<String, Object> inbox = new LinkedHashMap<>();
        inbox.put("backlog", progress.backlog());
        inbox.put("inFlight", progress.inflight());
        inbox.put("lastProgress", progress.lastLine());
        d.put("inbox", inbox);
        d.put("photosByState", photosByState());
        d.put("uploadsPerMinute", uploadsPerMinute());
        d.put("failuresLast24h", failuresByReason());
        d.put("failedInputs", failed.list().size());
        d.put("vendors", vendors());
        List<Reload> recent = reloads.get();
        d.put("lastReload", recent.isEmpty() ? null : recent.get(0));
        answer(exchange, d);
    }

    /** GET /api/failures?limit=&amp;offset=: the failed inputs, newest first, and how many per reason. */
    public void failures(Exchange exchange) throws Exception {
        Paging paging = Paging.of(exchange, 100);
        List<FailedFiles.Failed> all = failed.list();
        Map<String, Long> byReason = new LinkedHashMap<>();
        all.forEach(f -> byReason.merge(f.reasonGroup(), 1L, Long::sum));
        Map<String, Object> page = paging.page(all);
        page.put("byReason", byReason);
        page.put("problem", failed.s3Problem());
        answer(exchange, page);
    }

    /** POST /api/failures/retry {"id": ...}: puts one failed input back. */
    public void retry(Exchange exchange) throws Exception {
        answer(exchange, failed.retry(field(exchange, "id")));
    }

    /** POST /api/failures/retry-all {"reason": ...}: puts back every failed input with exactly this reason. */
    public void retryAll(Exchange exchange) throws Exception {
        answer(exchange, failed.retryAll(field(exchange, "reason")));
    }

    /** GET /api/orders/{orderId}/photos/{photoId}/thumbnail: a JPEG preview, 404 when there is none. */
    public void thumbnail(Exchange exchange) throws Exception {
        long orderId = OrderRecordsApi.orderId(exchange);
        String id = exchange.getIn().getHeader("photoId", "", String.class);
        if (!id.matches("\\d{1,18}")) {
            throw new ApiRefusal(400, "photo id '" + id + "' is not a number");
        }
        PhotoRecord photo = ledger.get(Long.parseLong(id)).filter(p -> p.orderId() == orderId)
                .orElseThrow(() -> new ApiRefusal(404, "order " + orderId + " has no photo " + id));
        Optional<Path> thumb = thumbnails.of(photo);
        if (thumb.isEmpty()) {
            throw new ApiRefusal(404, "no preview of photo " + id + " (" + photo.mimeType()
                    + "): its file is not kept in the drop folder, or it is not a picture PhotoBridge can scale");
        }
        exchange.getMessage().removeHeaders("*");
        exchange.getMessage().setHeader(Exchange.HTTP_RESPONSE_CODE, 200);
        exchange.getMessage().setHeader(Exchange.CONTENT_TYPE, "image/jpeg");
        exchange.getMessage().setHeader("Cache-Control", "private, max-age=86400");
        exchange.getMessage().setBody(Files.newInputStream(thumb.get()));
    }

    private String field(Exchange exchange, String name) throws Exception {
        String body = exchange.getIn().getBody(String.class);
        JsonNode node;
        try {
            node = body == null || body.isBlank() ? null : json.readTree(body);
        } catch (Exception e) {
            throw new ApiRefusal(400, "the body is not JSON: send {\"" + name + "\": \"...\"}");
        }
        if (node == null || !node.path(name).isTextual() || node.path(name).asText().isBlank()) {
            throw new ApiRefusal(400, "the body needs a text field \"" + name + "\"");
        }
        return node.path(name).asText();
    }

    private Map<String, Long> photosByState() {
        Map<String, Long> states = new LinkedHashMap<>();
        query("select state, count(*) from photo group by state order by state", null, rs -> states.put(rs.getString(1), rs.getLong(2)));
        return states;
    }

    /** Photos delivered in each of the last MINUTES minutes, oldest first (the last one is the current minute). */
    private Map<String, Object> uploadsPerMinute() {
        Instant now = Instant.now();
        Instant start = now.truncatedTo(ChronoUnit.MINUTES).minus(Duration.ofMinutes(MINUTES - 1));
        long[] counts = new long[MINUTES];
        query("select at from photo_event where kind = 'UPLOADED' and at >= ?", start, rs -> {
            long minute = Duration.between(start, rs.getTimestamp(1).toInstant()).toMinutes();
            if (minute >= 0 && minute < MINUTES) {
                counts[(int) minute]++;
            }
        });
        List<Long> series = new ArrayList<>();
        for (long c : counts) {
            series.add(c);
        }
        Map<String, Object> uploads = new LinkedHashMap<>();
        uploads.put("from", start);
        uploads.put("perMinute", series);
        uploads.put("lastMinute", counts[MINUTES - 1]);
        return uploads;
    }

    /** Inputs failed or rejected in the last 24 hours, by reason group (FailedFiles.reasonGroup), most frequent first. */
    private List<Map<String, Object>> failuresByReason() {
        Map<String, Map<String, Object>> groups = new LinkedHashMap<>();
        query("select detail, at from photo_event where kind in ('FAILED', 'REJECTED') and at >= ? order by id desc",
                Instant.now().minus(Duration.ofHours(24)), rs -> {
            String reason = FailedFiles.reasonGroup(rs.getString("detail"));
            Instant at = rs.getTimestamp("at").toInstant();
            Map<String, Object> group = groups.computeIfAbsent(reason, r -> {
                Map<String, Object> g = new LinkedHashMap<>();
                g.put("reason", r);
                g.put("count", 0L);
                g.put("last", at);
                return g;
            });
            group.put("count", (Long) group.get("count") + 1);
        });
        List<Map<String, Object>> reasons = new ArrayList<>(groups.values());
        reasons.sort((a, b) -> Long.compare((Long) b.get("count"), (Long) a.get("count")));
        return reasons.size() > 50 ? reasons.subList(0, 50) : reasons;
    }

    /** Each vendor: OFF, SANDBOX (simulated in-process) or its readiness, UP or DOWN with the check's message. */
    private List<Map<String, Object>> vendors() {
        List<Map<String, Object>> vendors = new ArrayList<>();
        for (String vendor : VendorModes.vendors()) {
            Map<String, Object> v = new LinkedHashMap<>();
            v.put("vendor", vendor);
            VendorModes.State mode = modes.state(vendor);
            v.put("mode", mode.label());
            HealthCheck check = context.getRegistry().lookupByNameAndType(healthBean(vendor), HealthCheck.class);
            if (mode == VendorModes.State.OFF || check == null) {
                v.put("state", mode == VendorModes.State.OFF ? "OFF" : "UNKNOWN");
            } else {
                HealthCheck.Result result = check.call();
                v.put("state", mode == VendorModes.State.SIMULATED ? "SANDBOX" : result.getState().name());
                v.put("health", result.getState().name());
                result.getMessage().ifPresent(m -> v.put("message", m));
            }
            vendors.add(v);
        }
        return vendors;
    }

    private static String healthBean(String vendor) {
        return switch (vendor) {
            case VendorModes.RECOVERYCONNECT -> "recoveryConnectHealth";
            case VendorModes.INSPEKTLABS -> "inspektlabsHealth";
            default -> "paveHealth";
        };
    }

    private interface Row {
        void read(ResultSet rs) throws SQLException;
    }

    private void query(String sql, Instant since, Row row) {
        try (Connection c = ledger.dataSource().getConnection(); PreparedStatement st = c.prepareStatement(sql)) {
            if (since != null) {
                st.setTimestamp(1, Timestamp.from(since));
            }
            try (ResultSet rs = st.executeQuery()) {
                while (rs.next()) {
                    row.read(rs);
                }
            }
        } catch (SQLException e) {
            throw new LedgerException("cannot read the dashboard figures", e);
        }
    }

    private void answer(Exchange exchange, Object body) throws Exception {
        HttpAnswer.json(exchange, 200, json.writeValueAsString(body));
    }
}
