package io.photobridge.ingest;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;

/**
 * Walks one JPEG image from its start-of-image to its end-of-image marker: the marker segments up to each start-of-scan,
 * then the entropy-coded data (stuffed {@code FF 00} bytes and restart markers skipped) to the next marker, so the
 * several scans of a progressive JPEG are followed too. Fill bytes and stray bytes between segments are passed over,
 * as libjpeg does.
 */
final class JpegWalker {

    private static final VarHandle LONGS = MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);
    private static final long ONES = 0x0101010101010101L;
    private static final long HIGHS = 0x8080808080808080L;

    private enum State { SOI_FF, SOI_D8, MARKER, MARKER_CODE, LENGTH_HIGH, LENGTH_LOW, SEGMENT, ENTROPY, ENTROPY_FF, END, BROKEN }

    private final long maxPixels;
    private State state = State.SOI_FF;
    private long position;
    private int code;
    private long markerAt;
    private int lengthHigh;
    private long remaining;
    private final byte[] frame = new byte[5];
    private int frameLength;
    private boolean scanSeen;
    private String problem;

    /** start: the offset of the image's first byte in the file. */
    JpegWalker(long start, long maxPixels) {
        this.position = start;
        this.maxPixels = maxPixels;
    }

    /** Takes bytes[from..to); returns where it stopped: {@code to}, or just after the end-of-image marker or the fault. */
    int feed(byte[] bytes, int from, int to) {
        long base = position - from;
        int i = from;
        while (i < to) {
            switch (state) {
                case ENTROPY -> {
                    i = indexOfFF(bytes, i, to);
                    if (i < to) {
                        i++;
                        state = State.ENTROPY_FF;
                    }
                }
                case SEGMENT -> {
                    int n = (int) Math.min(remaining, to - i);
                    if (isFrameHeader(code)) {
                        for (int k = 0; k < n && frameLength < frame.length; k++) {
                            frame[frameLength++] = bytes[i + k];
                        }
                    }
                    i += n;
                    remaining -= n;
                    if (remaining == 0) {
                        segmentDone();
                    }
                }
                case END, BROKEN -> {
                    position = base + i;
                    return i;
                }
                default -> {
                    step(bytes[i] & 0xFF, base + i);
                    i++;
                }
            }
        }
        position = base + i;
        return i;
    }

    /**
     * The index of the first FF byte in bytes[from..to), or {@code to}: eight bytes at a time (FF becomes a zero byte under
     * the complement, found by the classic has-zero-byte test), since nearly all of a JPEG is entropy-coded data to scan.
     */
    static int indexOfFF(byte[] bytes, int from, int to) {
        int i = from;
        for (; i + Long.BYTES <= to; i += Long.BYTES) {
            long v = ~(long) LONGS.get(bytes, i);
            long zeros = (v - ONES) & ~v & HIGHS;
            if (zeros != 0) {
                return i + (Long.numberOfTrailingZeros(zeros) >>> 3);
            }
        }
        while (i < to && bytes[i] != (byte) 0xFF) {
            i++;
        }
        return i;
    }

    private void step(int b, long at) {
        switch (state) {
            case SOI_FF -> {
                if (b == 0xFF) {
                    state = State.SOI_D8;
                } else {
                    broken("JPEG does not start with a start-of-image marker (FF D8)");
                }
            }
            case SOI_D8 -> {
                if (b == 0xD8) {
                    state = State.MARKER;
                } else {
                    broken("JPEG does not start with a start-of-image marker (FF D8)");
                }
            }
            case MARKER -> {
                if (b == 0xFF) {
                    state = State.MARKER_CODE;
                }
            }
            case MARKER_CODE, ENTROPY_FF -> {
                boolean inScan = state == State.ENTROPY_FF;
                if (b == 0xFF) {
                    return; // fill byte
                }
                if (inScan && (b == 0x00 || (b >= 0xD0 && b <= 0xD7))) {
                    state = State.ENTROPY; // stuffed byte or restart marker
                    return;
                }
                marker(b, at - 1);
            }
            case LENGTH_HIGH -> {
                lengthHigh = b;
                state = State.LENGTH_LOW;
            }
            case LENGTH_LOW -> {
                int length = lengthHigh << 8 | b;
                if (length < 2) {
                    broken("JPEG is damaged: segment FF " + Structure.hex(code) + " at byte " + markerAt + " declares a length of "
                            + length + " (at least 2)");
                    return;
                }
                remaining = length - 2;
                frameLength = 0;
                if (remaining == 0) {
                    segmentDone();
                } else {
                    state = State.SEGMENT;
                }
            }
            default -> throw new IllegalStateException(state.name());
        }
    }

    private void marker(int b, long at) {
        if (b == 0xD9) {
            if (scanSeen) {
                state = State.END;
            } else {
                broken("JPEG has no image data: its end-of-image marker (at byte " + at + ") comes before any start-of-scan");
            }
        } else if (b == 0x00 || b == 0x01 || b == 0xD8 || (b >= 0xD0 && b <= 0xD7)) {
            state = State.MARKER; // markers without a length (and a stray FF 00), passed over
        } else {
            code = b;
            markerAt = at;
            state = State.LENGTH_HIGH;
        }
    }

    private void segmentDone() {
        state = State.MARKER;
        if (code == 0xDA) {
            scanSeen = true;
            state = State.ENTROPY;
        } else if (isFrameHeader(code) && frameLength == frame.length) {
            long height = (frame[1] & 0xFFL) << 8 | (frame[2] & 0xFFL);
            long width = (frame[3] & 0xFFL) << 8 | (frame[4] & 0xFFL);
            if (width == 0) {
                broken("JPEG is damaged: its frame header (at byte " + markerAt + ") declares a width of 0 pixels");
            } else if (width * height > maxPixels) {
                broken("JPEG declares " + width + " x " + height + " pixels, more than the limit of " + maxPixels
                        + " pixels (photobridge.ingest.max-image-pixels)");
            }
        }
    }

    private static boolean isFrameHeader(int code) {
        return code >= 0xC0 && code <= 0xCF && code != 0xC4 && code != 0xC8 && code != 0xCC;
    }

    private void broken(String why) {
        problem = why;
        state = State.BROKEN;
    }

    /** Whether the end-of-image marker was reached. */
    boolean ended() {
        return state == State.END;
    }

    /** Whether the walk stopped on a fault; {@link #problem()} says which. */
    boolean broken() {
        return state == State.BROKEN;
    }

    String problem() {
        return problem;
    }

    /** The offset of the next byte: after the end-of-image marker once {@link #ended()}. */
    long position() {
        return position;
    }
}
