package io.photobridge.vendor;

import java.io.IOException;
import java.io.InputStream;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

/** Turns a vendor's error answer into the typed exception that says what to do about it. */
public final class VendorResponses {

    private static final int MAX_MESSAGE = 500;

    private VendorResponses() {
    }

    /** The exception for a non-2xx answer: retryable for 429 and 5xx, plain otherwise; the body is read (bounded) for the vendor's message. */
    public static VendorException error(String vendor, String operation, HttpResponse<InputStream> response, ObjectMapper json) {
        int status = response.statusCode();
        String message = vendorMessage(response.body(), json);
        Duration retryAfter = response.headers().firstValue("Retry-After").map(VendorResponses::parseRetryAfter).orElse(null);
        if (status == 429 || status >= 500) {
            return new RetryableVendorException(vendor, operation, status, message, retryAfter);
        }
        return new VendorException(vendor, operation, status, message, retryAfter);
    }

    /** The vendor's message: the JSON {@code message} (or {@code error}) field, else the start of the body. */
    static String vendorMessage(InputStream body, ObjectMapper json) {
        String text;
        try (InputStream in = body) {
            text = new String(in.readNBytes(16 * 1024), StandardCharsets.UTF_8).trim();
        } catch (IOException e) {
            return "(answer unreadable: " + e.getClass().getSimpleName() + ")";
        }
        if (text.startsWith("{")) {
            try {
                JsonNode node = json.readTree(text);
                for (String field : new String[] {"message", "error", "detail"}) {
                    JsonNode value = node.get(field);
                    if (value != null && value.isTextual() && !value.asText().isBlank()) {
                        return truncate(value.asText());
                    }
                }
            } catch (IOException e) {
                // not JSON after all: fall through to the raw text
            }
        }
        return truncate(text);
    }

    /** Retry-After as seconds or as an HTTP date; null when unparseable. */
    static Duration parseRetryAfter(String value) {
        String v = value.trim();
        try {
            return Duration.ofSeconds(Math.max(0, Long.parseLong(v)));
        } catch (NumberFormatException notSeconds) {
            try {
                Duration d = Duration.between(ZonedDateTime.now(), ZonedDateTime.parse(v, DateTimeFormatter.RFC_1123_DATE_TIME));
                return d.isNegative() ? Duration.ZERO : d;
            } catch (RuntimeException notDate) {
                return null;
            }
        }
    }

    private static String truncate(String s) {
        String oneLine = s.replaceAll("\\s+", " ");
        return oneLine.length() <= MAX_MESSAGE ? oneLine : oneLine.substring(0, MAX_MESSAGE) + "...";
    }
}
