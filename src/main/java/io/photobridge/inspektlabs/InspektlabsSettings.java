package io.photobridge.inspektlabs;

import java.net.URI;
import java.time.Duration;

/**
 * How to reach the Inspektlabs Damage API.
 *
 * @param baseUrl        scheme, host and port, e.g. https://reports.inspektlabs.com
 * @param apiKey         the account's API key, sent to POST /api/authenticate as {@code key}
 * @param clientId       the optional {@code client_id} sent with the key; null or blank: not sent
 * @param bearer         which token of the authentication answer is the bearer: {@code access_token} (the default when null or blank) or {@code refresh_token}
 * @param connectTimeout TCP connect timeout
 * @param requestTimeout time to wait for the answer to a small call (authentication, URL upload, feedback)
 * @param uploadTimeout  time to send a file upload and wait for its answer (bodies of up to 99 photos or a 100 MB video)
 */
public record InspektlabsSettings(URI baseUrl, String apiKey, String clientId, String bearer, Duration connectTimeout,
                                  Duration requestTimeout, Duration uploadTimeout) {

    /** The bearer used when none is configured. */
    public static final String ACCESS_TOKEN = "access_token";

    /** The other token of the authentication answer, which one page of the docs names as the bearer. */
    public static final String REFRESH_TOKEN = "refresh_token";

    public InspektlabsSettings {
        bearer = bearer == null || bearer.isBlank() ? ACCESS_TOKEN : bearer.trim();
        if (!ACCESS_TOKEN.equals(bearer) && !REFRESH_TOKEN.equals(bearer)) {
            throw new IllegalArgumentException("The Inspektlabs bearer must be " + ACCESS_TOKEN + " or " + REFRESH_TOKEN
                    + ", not " + bearer);
        }
    }

    /** Never shows the API key. */
    @Override
    public String toString() {
        return "InspektlabsSettings[baseUrl=" + baseUrl + ", clientId=" + clientId + ", bearer=" + bearer
                + ", apiKey=" + (apiKey == null || apiKey.isBlank() ? "(none)" : "***") + "]";
    }
}
