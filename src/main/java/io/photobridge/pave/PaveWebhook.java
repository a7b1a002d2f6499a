package io.photobridge.pave;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.Set;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.photobridge.records.ApiToken;
import io.photobridge.records.PaveRecords;
import org.apache.camel.Exchange;
import org.apache.camel.component.platform.http.vertx.VertxPlatformHttpConstants;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Receives PAVE's session webhooks, authenticated by a configured header: STAGE_CHANGE, STATUS_CHANGE and COMPLETE of a
 * linked session queue an immediate poll (the body becomes its session key); other events and unknown sessions are ignored.
 */
public final class PaveWebhook {

    /** Exchange property set when a poll should follow. */
    public static final String POLL = "PhotoBridgePavePoll";
    private static final Logger LOG = LoggerFactory.getLogger(PaveWebhook.class);
    private static final Set<String> POLLING_EVENTS = Set.of("SESSION:STAGE_CHANGE", "SESSION:STATUS_CHANGE", "SESSION:COMPLETE");

    private final PaveRecords records;
    private final String header;
    private final byte[] secret;
    private final ObjectMapper json = new ObjectMapper();

    /** header: the HTTP header that carries the secret; secret: its value, set when the callback was registered. */
    public PaveWebhook(PaveRecords records, String header, String secret) {
        this.records = records;
        this.header = header;
        this.secret = secret.getBytes(StandardCharsets.UTF_8);
    }

    public void receive(Exchange exchange) {
        String given = exchange.getIn().getHeader(header, "", String.class);
        if (!MessageDigest.isEqual(secret, given.getBytes(StandardCharsets.UTF_8))) {
            LOG.warn("PAVE webhook refused: missing or wrong {} (from {})", header,
                    exchange.getIn().getHeader(VertxPlatformHttpConstants.REMOTE_ADDRESS));
            ApiToken.answer(exchange, 401, "missing or wrong " + header);
            return;
        }
        if (!exchange.getIn().getHeader(Exchange.CONTENT_TYPE, "", String.class).toLowerCase().startsWith("application/json")) {
            ApiToken.answer(exchange, 415, "a PAVE event must be application/json");
            return;
        }
        JsonNode event;
        try {
            String body = exchange.getIn().getBody(String.class);
            event = body == null || body.isBlank() ? null : json.readTree(body);
        } catch (Exception e) {
            ApiToken.answer(exchange, 400, "the body must be a JSON PAVE event: "
                    + String.valueOf(e.getMessage()).lines().findFirst().orElse(""));
            return;
        }
        if (event == null || !event.isObject() || !event.path("event").isTextual()) {
            // an empty body or a bare value is no event: say so rather than answer "ignored"
            ApiToken.answer(exchange, 400, "the body must be a JSON PAVE event: an object with \"event\" and \"session_key\"");
            return;
        }
        String name = event.path("event").asText("");
        String sessionKey = event.path("session_key").asText("");
        if (!POLLING_EVENTS.contains(name) || records.session(sessionKey).isEmpty()) {
            String why = POLLING_EVENTS.contains(name) ? "session '" + sessionKey + "' is not linked to an order"
                    : "event '" + name + "' needs no poll (polled: " + String.join(", ", POLLING_EVENTS.stream().sorted().toList()) + ")";
            LOG.info("PAVE webhook {} for session {} ignored ({})", name, sessionKey, why);
            ApiToken.answer(exchange, 200, "ignored: " + why);
            return;
        }
        exchange.setProperty(POLL, sessionKey);
        ApiToken.answer(exchange, 202, "poll queued for session '" + sessionKey + "'");
    }
}
