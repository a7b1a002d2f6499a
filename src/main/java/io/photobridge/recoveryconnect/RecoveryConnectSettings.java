package io.photobridge.recoveryconnect;

import java.net.URI;
import java.time.Duration;

/**
 * How to reach RecoveryConnect.
 *
 * @param baseUrl            scheme, host and port, e.g. https://api.mbsisystems.com
 * @param apiVersion         the path prefix of the photo endpoints, e.g. v140
 * @param transferApiVersion the path prefix of the two transfer endpoints (documented under v130 and v140)
 * @param staticToken        a fixed bearer token issued to integrated customers; when set, username/password are not used
 * @param username           the API user, for POST /api/{apiVersion}/auth
 * @param password           the API user's password
 * @param connectTimeout     TCP connect timeout
 * @param requestTimeout     time to wait for the answer to a small call
 * @param uploadTimeout      time to wait for the answer to a photo upload (bodies can be large)
 * @param tokenRefreshMargin re-authenticate this long before the token's {@code expires_in} runs out
 */
public record RecoveryConnectSettings(URI baseUrl, String apiVersion, String transferApiVersion, String staticToken,
                                      String username, String password, Duration connectTimeout, Duration requestTimeout,
                                      Duration uploadTimeout, Duration tokenRefreshMargin) {

    public boolean usesStaticToken() {
        return staticToken != null && !staticToken.isBlank();
    }

    /** Never shows the token or the password. */
    @Override
    public String toString() {
        return "RecoveryConnectSettings[baseUrl=" + baseUrl + ", apiVersion=" + apiVersion + ", transferApiVersion="
                + transferApiVersion + ", auth=" + (usesStaticToken() ? "static token" : "user " + username) + "]";
    }
}
