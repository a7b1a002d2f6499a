package io.photobridge.vendor;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import io.micrometer.core.instrument.Metrics;
import io.micrometer.core.instrument.Timer;

/** What every vendor client is built on: one long-lived HTTP/1.1 client with an explicit connect timeout, and snake_case JSON. */
public final class VendorHttp {

    private VendorHttp() {
    }

    /** The client a vendor client keeps for its whole life; no redirects are followed (an answer is the vendor's own). */
    public static HttpClient client(Duration connectTimeout) {
        return HttpClient.newBuilder()
                .version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(connectTimeout)
                .followRedirects(HttpClient.Redirect.NEVER)
                .build();
    }

    /** Timer of every vendor call (Micrometer's global registry, which PhotoBridge joins to the one /observe/metrics shows). */
    public static final String CALLS = "photobridge.vendor.calls";
    /** The status tag of a call that got no HTTP answer (timeout, refused or dropped connection, interrupt). */
    public static final String NO_ANSWER = "no-answer";

    /**
     * Sends a request once; no answer at all (timeout, refused or dropped connection, interrupt) is a RetryableVendorException.
     * Each call is timed in {@link #CALLS}, tagged with the vendor, the operation and the HTTP status (or {@link #NO_ANSWER}).
     */
    public static HttpResponse<InputStream> send(HttpClient http, HttpRequest request, String vendor, String operation) {
        Timer.Sample sample = Timer.start();
        String status = NO_ANSWER;
        try {
            HttpResponse<InputStream> response = http.send(request, HttpResponse.BodyHandlers.ofInputStream());
            status = String.valueOf(response.statusCode());
            return response;
        } catch (IOException e) {
            throw new RetryableVendorException(vendor, operation, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new RetryableVendorException(vendor, operation, e);
        } catch (UncheckedIOException e) {
            throw new RetryableVendorException(vendor, operation, e.getCause());
        } finally {
            sample.stop(Timer.builder(CALLS).description("Calls to the vendors' APIs until the answer's headers, by status")
                    .tag("vendor", vendor).tag("operation", operationTag(operation)).tag("status", status)
                    .register(Metrics.globalRegistry));
        }
    }

    /**
     * The kind of an operation, without the ids a log line names: its leading lower-case words ("get session photos SBX-1"
     * is "get session photos", "create photo (order 7, a.jpg)" is "create photo"), so that a metric keeps few series.
     */
    static String operationTag(String operation) {
        StringBuilder tag = new StringBuilder();
        int words = 0;
        for (String word : operation.split(" ")) {
            if (words == 4 || word.isEmpty() || !word.chars().allMatch(c -> c >= 'a' && c <= 'z')) {
                break;
            }
            tag.append(words++ == 0 ? "" : " ").append(word);
        }
        return tag.length() == 0 ? "other" : tag.toString();
    }

    /** snake_case JSON that ignores fields a vendor adds later. */
    public static ObjectMapper json() {
        return new ObjectMapper()
                .setPropertyNamingStrategy(PropertyNamingStrategies.SNAKE_CASE)
                .configure(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES, false);
    }
}
