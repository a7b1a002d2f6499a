package io.photobridge.pave;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.time.Clock;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;
import java.util.HexFormat;
import java.util.Objects;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * Signs PAVE calls: {@code API-Token} is the lowercase hex HMAC-SHA256 of {@code "<username>:<api_key>@<timestamp>"}
 * keyed with the API secret, and {@code API-Timestamp} is that same timestamp string (UTC, {@code yyyy-MM-dd'T'HH:mm:ss'Z'}).
 */
public final class PaveSigner {

    /** The format of {@code API-Timestamp}, e.g. 2021-05-30T12:49:19Z. */
    public static final DateTimeFormatter TIMESTAMP = DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss'Z'")
            .withZone(ZoneOffset.UTC);

    private static final String HMAC = "HmacSHA256";

    private final String username;
    private final String apiKey;
    private final SecretKeySpec secret;
    private final Clock clock;

    public PaveSigner(String username, String apiKey, String apiSecret, Clock clock) {
        this.username = nullToEmpty(username);
        this.apiKey = nullToEmpty(apiKey);
        this.secret = new SecretKeySpec(nullToEmpty(apiSecret).getBytes(StandardCharsets.UTF_8), HMAC);
        this.clock = Objects.requireNonNull(clock, "clock");
    }

    /** A fresh signature for one request: the timestamp is read from the clock once and used both in the HMAC and in the header. */
    public Headers sign() {
        String timestamp = TIMESTAMP.format(clock.instant().truncatedTo(ChronoUnit.SECONDS));
        return new Headers(apiKey, token(timestamp), timestamp);
    }

    /** The lowercase hex HMAC-SHA256 of {@code "<username>:<api_key>@<timestamp>"}. */
    String token(String timestamp) {
        try {
            Mac mac = Mac.getInstance(HMAC);
            mac.init(secret);
            byte[] digest = mac.doFinal((username + ":" + apiKey + "@" + timestamp).getBytes(StandardCharsets.UTF_8));
            return HexFormat.of().formatHex(digest);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HMAC-SHA256 is not available", e);
        }
    }

    private static String nullToEmpty(String s) {
        return s == null ? "" : s;
    }

    /** The three headers of a signed PAVE call: {@code API-Key}, {@code API-Token}, {@code API-Timestamp}. */
    public record Headers(String apiKey, String apiToken, String apiTimestamp) {

        /** Never shows the API key or the token. */
        @Override
        public String toString() {
            return "PaveSigner.Headers[apiKey=***, apiToken=***, apiTimestamp=" + apiTimestamp + "]";
        }
    }
}
