package io.photobridge.inspektlabs;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.photobridge.records.DamageRecords;
import io.photobridge.records.HttpAnswer;
import org.apache.camel.Exchange;
import org.apache.camel.Message;
import org.apache.camel.component.platform.http.vertx.VertxPlatformHttpConstants;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Receives Inspektlabs' damage reports: checks the shared secret (path or header, compared in constant time), the size and
 * the JSON, stores the whole report once per inspectionId, and only then answers 2xx (Inspektlabs retries only twice, an
 * hour apart). A report for any session PhotoBridge opened is linked to its job. A report for an inspection PhotoBridge never
 * opened is kept and flagged, up to a cap in count and bytes: past it, it is refused with 507 and counted, so that a flood of
 * them cannot fill the disk.
 */
public final class DamageWebhook {

    /** Header that may carry the secret instead of the path. */
    public static final String SECRET_HEADER = "X-PhotoBridge-Webhook-Secret";
    /** Exchange property set to true when a report for an unknown inspection was refused at the cap (the route counts it). */
    public static final String DROPPED = "PhotoBridgeReportDropped";
    private static final Logger LOG = LoggerFactory.getLogger(DamageWebhook.class);
    private static final long WARN_EVERY_NANOS = TimeUnit.MINUTES.toNanos(1);

    private final DamageRecords damage;
    private final byte[] secret;
    private final int maxBytes;
    private final int unmatchedMaxCount;
    private final long unmatchedMaxBytes;
    private final ObjectMapper json = new ObjectMapper();
    private final AtomicLong dropped = new AtomicLong();
    private final AtomicLong lastWarn = new AtomicLong(System.nanoTime() - WARN_EVERY_NANOS);

    /**
     * secret: the shared secret of callback URLs; maxBytes: the largest report accepted; unmatchedMaxCount, unmatchedMaxBytes:
     * how many reports for unknown inspections are kept, and how many bytes of them in all.
     */
    public DamageWebhook(DamageRecords damage, String secret, int maxBytes, int unmatchedMaxCount, long unmatchedMaxBytes) {
        this.damage = damage;
        this.secret = secret.getBytes(StandardCharsets.UTF_8);
        this.maxBytes = maxBytes;
        this.unmatchedMaxCount = unmatchedMaxCount;
        this.unmatchedMaxBytes = unmatchedMaxBytes;
    }

    /** Reports for unknown inspections refused at the cap since start. */
    public long dropped() {
        return dropped.get();
    }

    public void receive(Exchange exchange) throws IOException {
        Message in = exchange.getIn();
        String given = in.getHeader("secret", String.class);
        if (given == null || given.isEmpty()) {
            given = in.getHeader(SECRET_HEADER, String.class);
        }
        if (given == null || !MessageDigest.isEqual(secret, given.getBytes(StandardCharsets.UTF_8))) {
            // before the answer, which replaces the request's headers
            LOG.warn("Inspektlabs webhook refused: missing or wrong secret (from {})",
                    in.getHeader(VertxPlatformHttpConstants.REMOTE_ADDRESS));
            answer(exchange, 401, "{\"message\":\"missing or wrong webhook secret\"}");
            return;
        }
        String contentType = in.getHeader(Exchange.CONTENT_TYPE, "", String.class).toLowerCase();
        if (!contentType.startsWith("application/json")) {
            answer(exchange, 415, "{\"message\":\"a damage report must be application/json\"}");
            return;
        }
        byte[] body;
        try (InputStream stream = in.getBody(InputStream.class)) {
            body = stream == null ? new byte[0] : stream.readNBytes(maxBytes + 1);
        }
        if (body.length > maxBytes) {
            answer(exchange, 413, "{\"message\":\"a damage report may be at most " + maxBytes + " bytes\"}");
            return;
        }
        JsonNode report;
        try {
            report = json.readTree(body);
        } catch (IOException e) {
            answer(exchange, 400, "{\"message\":\"the body is not valid JSON\"}");
            return;
        }
        if (report == null || !report.isObject() || !report.path("inspectionId").isTextual()
                || report.path("inspectionId").asText().isBlank()) {
            answer(exchange, 400, "{\"message\":\"a damage report needs a JSON object with an inspectionId\"}");
            return;
        }
        String inspectionId = report.path("inspectionId").asText();
        if (damage.bySession(inspectionId).isEmpty() && !damage.reportStored(inspectionId)) {
            DamageRecords.Unmatched unmatched = damage.unmatched();
            if (unmatched.count() >= unmatchedMaxCount || unmatched.bytes() + body.length > unmatchedMaxBytes) {
                refuseUnmatched(exchange, unmatched);
                return;
            }
        }
        boolean stored = damage.report(inspectionId, text(report, "caseId"), text(report, "status"), text(report, "uploadStatus"),
                text(report, "vehicleType"), raw(report, "vehicleReadings"), raw(report, "damages"),
                new String(body, StandardCharsets.UTF_8));
        boolean known = damage.bySession(inspectionId).isPresent();
        // a repeated delivery is answered 2xx (it must not be retried) and names the inspection already stored
        answer(exchange, 200, json.createObjectNode().put("status", stored ? (known ? "stored" : "stored-unmatched") : "duplicate")
                .put("inspectionId", inspectionId).toString());
    }

    /** 507, so that the sender may retry once there is room; a WARN at most once a minute, with the count. */
    private void refuseUnmatched(Exchange exchange, DamageRecords.Unmatched unmatched) {
        long total = dropped.incrementAndGet();
        exchange.setProperty(DROPPED, true);
        String limits = "photobridge.inspektlabs.unmatched-max-count=" + unmatchedMaxCount
                + ", photobridge.inspektlabs.unmatched-max-bytes=" + unmatchedMaxBytes;
        answer(exchange, 507, json.createObjectNode().put("message", "not stored: reports for inspections PhotoBridge did not open"
                + " are at their cap (" + limits + ")").toString());
        long now = System.nanoTime();
        long last = lastWarn.get();
        if (now - last >= WARN_EVERY_NANOS && lastWarn.compareAndSet(last, now)) {
            LOG.warn("Inspektlabs webhook: a report for an inspection PhotoBridge did not open was refused (507): {} such reports"
                    + " ({} bytes) are kept, the cap is {}; {} refused since start", unmatched.count(), unmatched.bytes(), limits, total);
        }
    }

    private static void answer(Exchange exchange, int status, String body) {
        HttpAnswer.json(exchange, status, body);
    }

    private static String text(JsonNode node, String field) {
        JsonNode value = node.get(field);
        return value == null || value.isNull() ? null : value.asText();
    }

    private static String raw(JsonNode node, String field) {
        JsonNode value = node.get(field);
        return value == null || value.isNull() ? null : value.toString();
    }
}
