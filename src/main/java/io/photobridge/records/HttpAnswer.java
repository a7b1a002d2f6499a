package io.photobridge.records;

import com.fasterxml.jackson.core.io.JsonStringEncoder;
import org.apache.camel.Exchange;

/**
 * Writes the JSON answer of PhotoBridge's HTTP endpoints. It drops every header first: platform-http would otherwise echo
 * the request's headers (a webhook secret, the path's secret) back to the caller.
 */
public final class HttpAnswer {

    private HttpAnswer() {
    }

    /** A JSON body with this status. */
    public static void json(Exchange exchange, int status, String json) {
        exchange.getMessage().removeHeaders("*");
        exchange.getMessage().setHeader(Exchange.HTTP_RESPONSE_CODE, status);
        exchange.getMessage().setHeader(Exchange.CONTENT_TYPE, "application/json");
        exchange.getMessage().setBody(json);
    }

    /** {"message": ...} with this status. */
    public static void message(Exchange exchange, int status, String message) {
        // quoted by Jackson: a message may echo the request (an order id, a session key), control characters included
        json(exchange, status, "{\"message\":\"" + new String(JsonStringEncoder.getInstance().quoteAsString(message)) + "\"}");
    }
}
