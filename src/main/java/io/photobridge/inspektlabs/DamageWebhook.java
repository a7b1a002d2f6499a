package io.photobridge.inspektlabs;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;

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
 * hour apart). A report for an unknown inspection is kept and flagged.
 */
public final class DamageWebhook {

    /** Header that may carry the secret instead of the path. */
    public static final String SECRET_HEADER = "X-PhotoBridge-Webhook-Secret";
    private static final Logger LOG = LoggerFactory.getLogger(DamageWebhook.class);

    private final DamageRecords damage;
    private final byte[] secret;
    private final int maxBytes;
    private final ObjectMapper json = new ObjectMapper();

    /** secret: the shared secret of callback URLs; maxBytes: the largest report accepted. */
    public DamageWebhook(DamageRecords damage, String secret, int maxBytes) {
        this.damage = damage;
        this.secret = secret.getBytes(StandardCharsets.UTF_8);
        this.maxBytes = maxBytes;
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
        boolean stored = damage.report(inspectionId, text(report, "caseId"), text(report, "status"), text(report, "uploadStatus"),
                text(report, "vehicleType"), raw(report, "vehicleReadings"), raw(report, "damages"),
                new String(body, StandardCharsets.UTF_8));
        boolean known = damage.bySession(inspectionId).isPresent();
        // a repeated delivery is answered 2xx (it must not be retried) and names the inspection already stored
        answer(exchange, 200, json.createObjectNode().put("status", stored ? (known ? "stored" : "stored-unmatched") : "duplicate")
                .put("inspectionId", inspectionId).toString());
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
