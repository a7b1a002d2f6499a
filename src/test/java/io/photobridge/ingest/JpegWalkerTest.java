package io.photobridge.ingest;

import java.util.Random;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class JpegWalkerTest {

    @Test
    void theWordAtATimeScanFindsTheFirstFfByteWhereverItIs() {
        Random random = new Random(42);
        for (int round = 0; round < 2_000; round++) {
            byte[] bytes = new byte[random.nextInt(40)];
            for (int i = 0; i < bytes.length; i++) {
                // mostly bytes next to FF (FE, 7F, 80), which a wrong bit trick would take for it
                bytes[i] = (byte) new int[] {0xFE, 0x7F, 0x80, 0x00, 0x01, random.nextInt(256)}[random.nextInt(6)];
            }
            int ffs = random.nextInt(3);
            for (int k = 0; k < ffs && bytes.length > 0; k++) {
                bytes[random.nextInt(bytes.length)] = (byte) 0xFF;
            }
            int from = bytes.length == 0 ? 0 : random.nextInt(bytes.length + 1);
            int to = from + random.nextInt(bytes.length - from + 1);

            assertThat(JpegWalker.indexOfFF(bytes, from, to)).as("round %d", round).isEqualTo(naive(bytes, from, to));
        }
    }

    private static int naive(byte[] bytes, int from, int to) {
        int i = from;
        while (i < to && bytes[i] != (byte) 0xFF) {
            i++;
        }
        return i;
    }
}
