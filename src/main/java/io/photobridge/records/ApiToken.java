package io.photobridge.records;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;

import io.photobridge.console.ApiRefusal;
import org.apache.camel.Exchange;
import org.apache.camel.component.platform.http.vertx.VertxPlatformHttpConstants;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** The bearer token of PhotoBridge's own HTTP API (order records, PAVE linking), compared in constant time. */
public final class ApiToken {

    private static final Logger LOG = LoggerFactory.getLogger(ApiToken.class);

    private final byte[] token;

    /** token: photobridge.api.token; empty (or photobridge.api.enabled=false) = the API is off. */
    public ApiToken(String token) {
        this.token = token == null ? new byte[0] : token.getBytes(StandardCharsets.UTF_8);
    }

    /** True when the request carries the token; otherwise answers 403 (API off) or 401 and returns false. */
    public boolean admit(Exchange exchange) {
        try {
            require(exchange);
            return true;
        } catch (ApiRefusal refusal) {
            answer(exchange, refusal.status(), refusal.getMessage());
            return false;
        }
    }

    /** For routes whose refusals are mapped once (routeConfiguration api-errors): throws a 403 or 401 {@link ApiRefusal}. */
    public void require(Exchange exchange) {
        if (token.length == 0) {
            throw new ApiRefusal(403, "the API is off: set photobridge.api.token (env PHOTOBRIDGE_API_TOKEN) and photobridge.api.enabled=true");
        }
        String auth = exchange.getIn().getHeader("Authorization", "", String.class);
        String given = auth.startsWith("Bearer ") ? auth.substring(7) : "";
        if (!MessageDigest.isEqual(token, given.getBytes(StandardCharsets.UTF_8))) {
            LOG.warn("API request refused: {} bearer token for {} {} (from {})", auth.isEmpty() ? "no" : "wrong",
                    exchange.getIn().getHeader(Exchange.HTTP_METHOD), exchange.getIn().getHeader(Exchange.HTTP_PATH),
                    exchange.getIn().getHeader(VertxPlatformHttpConstants.REMOTE_ADDRESS));
            throw new ApiRefusal(401, "a valid bearer token is required (photobridge.api.token)");
        }
    }

    /** A JSON {"message": ...} answer. */
    public static void answer(Exchange exchange, int status, String message) {
        HttpAnswer.message(exchange, status, message);
    }
}
