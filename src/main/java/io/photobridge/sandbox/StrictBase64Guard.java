package io.photobridge.sandbox;

import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.util.HashSet;
import java.util.Set;

/**
 * Watches the raw bytes of a UTF-8 JSON document on their way to Jackson and remembers which string values are not
 * strict one-line Base64 (a character outside {@code A-Z a-z 0-9 + /}, a line break or space, or data after padding).
 * <p>
 * Jackson's {@code readBinaryValue} skips white space (raw or escaped) between 4-character units, so it alone would accept
 * MIME-style multi-line Base64; RecoveryConnect does not. Strings are identified by the byte offset of their opening
 * quote, which is what {@code JsonParser.currentTokenLocation().getByteOffset()} reports.
 */
final class StrictBase64Guard extends FilterInputStream {

    private static final int MAX_REMEMBERED = 256;

    private enum State { OUTSIDE, IN_STRING, ESCAPE, UNICODE }

    private final Set<Long> notBase64 = new HashSet<>();
    private boolean overflow;
    private long position;
    private State state = State.OUTSIDE;
    private long stringStart;
    private boolean stringBad;
    private boolean padding;
    private int unicodeDigits;
    private int unicodeValue;

    StrictBase64Guard(InputStream in) {
        super(in);
    }

    /** True when the string value whose opening quote is at this byte offset was not strict one-line Base64. */
    boolean isNotStrictBase64(long quoteOffset) {
        return overflow || quoteOffset < 0 || notBase64.contains(quoteOffset);
    }

    @Override
    public int read() throws IOException {
        int b = super.read();
        if (b >= 0) {
            inspect(b);
        }
        return b;
    }

    @Override
    public int read(byte[] buffer, int off, int len) throws IOException {
        int n = super.read(buffer, off, len);
        for (int i = 0; i < n; i++) {
            inspect(buffer[off + i] & 0xFF);
        }
        return n;
    }

    @Override
    public long skip(long n) {
        throw new UnsupportedOperationException("skip");
    }

    @Override
    public boolean markSupported() {
        return false;
    }

    private void inspect(int b) {
        long at = position++;
        switch (state) {
            case OUTSIDE:
                if (b == '"') {
                    state = State.IN_STRING;
                    stringStart = at;
                    stringBad = false;
                    padding = false;
                }
                break;
            case IN_STRING:
                if (b == '"') {
                    state = State.OUTSIDE;
                    if (stringBad) {
                        remember(stringStart);
                    }
                } else if (b == '\\') {
                    state = State.ESCAPE;
                } else {
                    character(b);
                }
                break;
            case ESCAPE:
                if (b == 'u') {
                    state = State.UNICODE;
                    unicodeDigits = 0;
                    unicodeValue = 0;
                } else {
                    state = State.IN_STRING;
                    // \/ is a slash; \" \\ \b \f \n \r \t are never Base64
                    character(b == '/' ? '/' : -1);
                }
                break;
            case UNICODE:
                int digit = Character.digit(b, 16);
                unicodeValue = unicodeValue << 4 | Math.max(digit, 0);
                if (digit < 0) {
                    stringBad = true;
                }
                if (++unicodeDigits == 4) {
                    state = State.IN_STRING;
                    character(unicodeValue);
                }
                break;
            default:
                throw new IllegalStateException(state.name());
        }
    }

    private void character(int c) {
        boolean alphabet = c >= 'A' && c <= 'Z' || c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '+' || c == '/';
        if (c == '=') {
            padding = true;
        } else if (!alphabet || padding) {
            stringBad = true;
        }
    }

    private void remember(long offset) {
        if (notBase64.size() >= MAX_REMEMBERED) {
            overflow = true;
        } else {
            notBase64.add(offset);
        }
    }
}
