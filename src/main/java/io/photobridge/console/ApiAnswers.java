package io.photobridge.console;

import io.photobridge.records.HttpAnswer;
import org.apache.camel.Exchange;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Turns what an API route threw into its HTTP answer: an {@link ApiRefusal} into its status, anything else into a 500. */
public final class ApiAnswers {

    private static final Logger LOG = LoggerFactory.getLogger(ApiAnswers.class);

    public void refusal(Exchange exchange) {
        Throwable cause = exchange.getProperty(Exchange.EXCEPTION_CAUGHT, Throwable.class);
        if (cause instanceof ApiRefusal refusal) {
            HttpAnswer.message(exchange, refusal.status(), refusal.getMessage());
            return;
        }
        // the cause may carry a vendor's or the database's words: logged by its type only, answered without it
        LOG.error("API request {} {} failed: {}", exchange.getIn().getHeader(Exchange.HTTP_METHOD),
                exchange.getIn().getHeader(Exchange.HTTP_PATH), cause == null ? "unknown" : cause.getClass().getName());
        HttpAnswer.message(exchange, 500, "internal error; see PhotoBridge's log");
    }
}
