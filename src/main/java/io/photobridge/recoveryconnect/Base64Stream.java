package io.photobridge.recoveryconnect;

import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.util.Arrays;
import java.util.Base64;
import java.util.Objects;

/** A stream read as its Base64 text on one line (RFC 4648, padded), encoded a block at a time by the JDK's (intrinsic) encoder. */
final class Base64Stream extends InputStream {

    /**
     * Bytes encoded at a time: a multiple of 3, so that only the last block can need padding. Small on purpose: the JIT
     * replaces the encoder's loop by its vector intrinsic only once the encoder has been called some thousand times, which
     * 3 KB blocks reach after a few photos and 48 KB blocks only after about a hundred 2 MB photos (30 times slower until then).
     */
    private static final int BLOCK = 3 * 1024;
    /** Bytes read from the source at a time. */
    private static final int READ_BUFFER = 64 * 1024;
    private static final Base64.Encoder ENCODER = Base64.getEncoder();

    private final InputStream in;
    private final byte[] raw = new byte[BLOCK];
    private final byte[] encoded = new byte[BLOCK / 3 * 4];
    private int position;
    private int limit;
    private boolean ended;

    Base64Stream(InputStream in) {
        this.in = new BufferedInputStream(Objects.requireNonNull(in, "in"), READ_BUFFER);
    }

    @Override
    public int read() throws IOException {
        byte[] one = new byte[1];
        return read(one, 0, 1) == -1 ? -1 : one[0] & 0xFF;
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
        Objects.checkFromIndexSize(off, len, b.length);
        if (len == 0) {
            return 0;
        }
        int copied = 0;
        while (copied < len && (position < limit || fill())) {
            int n = Math.min(len - copied, limit - position);
            System.arraycopy(encoded, position, b, off + copied, n);
            position += n;
            copied += n;
        }
        return copied == 0 ? -1 : copied;
    }

    private boolean fill() throws IOException {
        if (ended) {
            return false;
        }
        // a whole block unless the source ends: padding only ever comes last
        int n = in.readNBytes(raw, 0, BLOCK);
        ended = n < BLOCK;
        position = 0;
        limit = n == 0 ? 0 : ENCODER.encode(n == BLOCK ? raw : Arrays.copyOf(raw, n), encoded);
        return limit > 0;
    }

    @Override
    public void close() throws IOException {
        in.close();
    }
}
