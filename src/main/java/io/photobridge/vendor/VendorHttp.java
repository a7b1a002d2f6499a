package io.photobridge.vendor;

import java.net.http.HttpClient;
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

    /** snake_case JSON that ignores fields a vendor adds later. */
    public static ObjectMapper json() {
        return new ObjectMapper()
                .setPropertyNamingStrategy(PropertyNamingStrategies.SNAKE_CASE)
                .configure(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES, false);
    }
}
