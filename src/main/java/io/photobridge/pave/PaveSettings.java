package io.photobridge.pave;

import java.net.URI;
import java.time.Duration;
import java.util.Objects;

/**
 * How to reach PAVE's OpenAPI.
 *
 * @param baseUrl        the API root including its version, e.g. https://openapi.paveapi.com/v1
 * @param username       the PAVE account's username, the first part of the signed string
 * @param apiKey         the account's API key, sent as {@code API-Key} and signed
 * @param apiSecret      the account's API secret, the HMAC key of every signature; never sent
 * @param connectTimeout TCP connect timeout
 * @param requestTimeout time to wait for the answer to a call (for a photo download: until its headers arrive)
 */
public record PaveSettings(URI baseUrl, String username, String apiKey, String apiSecret, Duration connectTimeout,
                           Duration requestTimeout) {

    /** PAVE's production API root. */
    public static final URI PRODUCTION = URI.create("https://openapi.paveapi.com/v1");

    public PaveSettings {
        Objects.requireNonNull(baseUrl, "baseUrl");
        Objects.requireNonNull(connectTimeout, "connectTimeout");
        Objects.requireNonNull(requestTimeout, "requestTimeout");
    }

    /** Never shows the API key or the API secret. */
    @Override
    public String toString() {
        return "PaveSettings[baseUrl=" + baseUrl + ", username=" + username
                + ", apiKey=" + (apiKey == null || apiKey.isBlank() ? "(none)" : "***")
                + ", apiSecret=" + (apiSecret == null || apiSecret.isBlank() ? "(none)" : "***") + "]";
    }
}
