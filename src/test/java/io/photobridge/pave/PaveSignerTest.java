package io.photobridge.pave;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/** PAVE's request signature: HMAC-SHA256 over username, key and the very timestamp sent in API-Timestamp. */
class PaveSignerTest {

    private static final Instant AT = Instant.parse("2021-05-30T12:49:19.734Z");

    private static PaveSigner signer(Clock clock) {
        return new PaveSigner("sandbox@example.com", "sandbox-pave-key", "sandbox-pave-secret", clock);
    }

    @Test
    void tokenIsTheLowercaseHexHmacOfUsernameKeyAndTimestampKeyedWithTheSecret() {
        PaveSigner.Headers headers = signer(Clock.fixed(AT, ZoneOffset.UTC)).sign();

        assertThat(headers.apiTimestamp()).isEqualTo("2021-05-30T12:49:19Z");
        assertThat(headers.apiKey()).isEqualTo("sandbox-pave-key");
        assertThat(headers.apiToken())
                .isEqualTo(PaveStub.hmacHex("sandbox-pave-secret", "sandbox@example.com:sandbox-pave-key@2021-05-30T12:49:19Z"))
                // the same value from Python's hmac module, a third implementation
                .isEqualTo("fd459fe95a99f0d6dd453877bbd91a2693f0da4296f7e2185e62149a923b031e")
                .matches("[0-9a-f]{64}");
    }

    @Test
    void timestampIsUtcWithoutFractionWhateverTheClocksZone() {
        PaveSigner.Headers headers = signer(Clock.fixed(AT, ZoneId.of("America/New_York"))).sign();

        assertThat(headers.apiTimestamp()).isEqualTo("2021-05-30T12:49:19Z");
    }

    @Test
    void everySignatureReadsTheClockAfresh() {
        PaveSigner signer = signer(new TickingClock(AT, Duration.ofSeconds(1)));

        PaveSigner.Headers first = signer.sign();
        PaveSigner.Headers second = signer.sign();

        assertThat(first.apiTimestamp()).isEqualTo("2021-05-30T12:49:19Z");
        assertThat(second.apiTimestamp()).isEqualTo("2021-05-30T12:49:20Z");
        assertThat(second.apiToken()).isNotEqualTo(first.apiToken())
                .isEqualTo(PaveStub.hmacHex("sandbox-pave-secret", "sandbox@example.com:sandbox-pave-key@2021-05-30T12:49:20Z"));
    }

    @Test
    void headersToStringHidesKeyAndToken() {
        PaveSigner.Headers headers = signer(Clock.fixed(AT, ZoneOffset.UTC)).sign();

        assertThat(headers.toString()).doesNotContain(headers.apiToken()).doesNotContain("sandbox-pave-key")
                .contains("2021-05-30T12:49:19Z");
    }
}
