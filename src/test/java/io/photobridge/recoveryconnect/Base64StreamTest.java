package io.photobridge.recoveryconnect;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Random;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class Base64StreamTest {

    @ParameterizedTest
    @ValueSource(ints = {0, 1, 2, 3, 4, 3_071, 3_072, 3_073, 6_144, 49_151, 49_152, 49_153, 65_537, 98_304, 100_000, 1_000_001})
    void readsTheSameTextAsTheJdkEncoderOnOneLine(int size) throws IOException {
        byte[] bytes = new byte[size];
        new Random(size).nextBytes(bytes);

        String expected = Base64.getEncoder().encodeToString(bytes);

        assertThat(readAll(bytes, 7)).isEqualTo(expected);
        assertThat(readAll(bytes, 65_536)).isEqualTo(expected);
        assertThat(expected.length()).isEqualTo(RecoveryConnectClient.base64Length(size));
    }

    /** Reads in chunks of {@code chunk} characters (the HTTP client's reads are of any size), and by single bytes at the start. */
    private static String readAll(byte[] bytes, int chunk) throws IOException {
        StringBuilder text = new StringBuilder();
        try (InputStream in = new Base64Stream(new ByteArrayInputStream(bytes))) {
            for (int i = 0; i < 5; i++) {
                int c = in.read();
                if (c == -1) {
                    return text.toString();
                }
                text.append((char) c);
            }
            byte[] buffer = new byte[chunk];
            int n;
            while ((n = in.read(buffer, 0, chunk)) != -1) {
                text.append(new String(buffer, 0, n, StandardCharsets.US_ASCII));
            }
        }
        return text.toString();
    }
}
