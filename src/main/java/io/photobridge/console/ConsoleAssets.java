package io.photobridge.console;

import java.io.IOException;
import java.io.InputStream;
import java.util.Map;

import io.photobridge.records.HttpAnswer;
import org.apache.camel.Exchange;

/** Serves the console's static page (HTML, JS, CSS) and the OpenAPI description from the jar; nothing else is reachable. */
public final class ConsoleAssets {

    private static final Map<String, String> FILES = Map.of(
            "", "text/html; charset=utf-8",
            "index.html", "text/html; charset=utf-8",
            "console.js", "text/javascript; charset=utf-8",
            "console.css", "text/css; charset=utf-8",
            "openapi.yaml", "application/yaml; charset=utf-8");

    /** GET /console/{file}: the file's bytes, or a 404. */
    public void serve(Exchange exchange) throws IOException {
        String path = exchange.getIn().getHeader(Exchange.HTTP_PATH, "", String.class);
        String name = path.substring(path.lastIndexOf('/') + 1);
        if (path.endsWith("/console")) {
            redirect(exchange, "/console/");
            return;
        }
        file(exchange, name);
    }

    /** GET /api/openapi.yaml. */
    public void openapi(Exchange exchange) throws IOException {
        file(exchange, "openapi.yaml");
    }

    /** GET /: to the console. */
    public void root(Exchange exchange) {
        redirect(exchange, "/console/");
    }

    private void file(Exchange exchange, String name) throws IOException {
        String type = FILES.get(name);
        InputStream in = type == null ? null : ConsoleAssets.class.getResourceAsStream("/console/" + (name.isEmpty() ? "index.html" : name));
        if (in == null) {
            HttpAnswer.message(exchange, 404, "no console file '" + name + "'");
            return;
        }
        byte[] bytes;
        try (in) {
            bytes = in.readAllBytes();
        }
        exchange.getMessage().removeHeaders("*");
        exchange.getMessage().setHeader(Exchange.HTTP_RESPONSE_CODE, 200);
        exchange.getMessage().setHeader(Exchange.CONTENT_TYPE, type);
        exchange.getMessage().setHeader("Cache-Control", "no-cache");
        exchange.getMessage().setHeader("Content-Security-Policy", "default-src 'self'; img-src 'self' blob:; frame-ancestors 'none'");
        exchange.getMessage().setHeader("X-Content-Type-Options", "nosniff");
        exchange.getMessage().setBody(bytes);
    }

    private static void redirect(Exchange exchange, String to) {
        exchange.getMessage().removeHeaders("*");
        exchange.getMessage().setHeader(Exchange.HTTP_RESPONSE_CODE, 302);
        exchange.getMessage().setHeader("Location", to);
        exchange.getMessage().setBody("");
    }
}
