package io.photobridge.console;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.apache.camel.Exchange;

/** The ?limit=&amp;offset= of a list request, checked, and the page it answers: {total, limit, offset, items}. */
public record Paging(int limit, int offset) {

    /** Largest page a request may ask for. */
    public static final int MAX_LIMIT = 500;

    /** Reads limit (default {@code defaultLimit}, 1..500) and offset (default 0, at least 0); anything else is a 400. */
    public static Paging of(Exchange exchange, int defaultLimit) {
        return new Paging(number(exchange, "limit", defaultLimit, 1, MAX_LIMIT), number(exchange, "offset", 0, 0, Integer.MAX_VALUE));
    }

    private static int number(Exchange exchange, String name, int otherwise, int min, int max) {
        String value = exchange.getIn().getHeader(name, String.class);
        if (value == null || value.isBlank()) {
            return otherwise;
        }
        try {
            int n = Integer.parseInt(value.trim());
            if (n >= min && n <= max) {
                return n;
            }
        } catch (NumberFormatException e) {
            // answered below
        }
        throw new ApiRefusal(400, name + " '" + value + "' is not a whole number from " + min + " to " + max);
    }

    /** This page of a whole list. */
    public <T> Map<String, Object> page(List<T> all) {
        int from = Math.min(offset, all.size());
        return page(all.size(), all.subList(from, Math.min(all.size(), from + limit)));
    }

    /** A page whose items were already cut from a list of {@code total}. */
    public Map<String, Object> page(long total, List<?> items) {
        Map<String, Object> page = new LinkedHashMap<>();
        page.put("total", total);
        page.put("limit", limit);
        page.put("offset", offset);
        page.put("items", items);
        return page;
    }
}
