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

    /** Sends a request once; no answer at all (timeout, refused or dropped connection, interrupt) is a RetryableVendorException. */
    public static HttpResponse<InputStream> send(HttpClient http, HttpRequest request, String vendor, String operation) {
        try {
            return http.send(request, HttpResponse.BodyHandlers.ofInputStream());
        } catch (IOException e) {
            throw new RetryableVendorException(vendor, operation, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new RetryableVendorException(vendor, operation, e);
        } catch (UncheckedIOException e) {
            throw new RetryableVendorException(vendor, operation, e.getCause());
        }
    }

    /** snake_case JSON that ignores fields a vendor adds later. */
    public static ObjectMapper json() {
        return new ObjectMapper()
                .setPropertyNamingStrategy(PropertyNamingStrategies.SNAKE_CASE)
                .configure(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES, false);
    }
}
