package io.photobridge.ingest;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;

/**
 * Keeps the ftyp and moov boxes of an MP4 or QuickTime video while it is read for the hash, so its metadata (creation
 * times, Apple's keys, the encoder's name) is read from them without reading the video again; the media data is never
 * kept, and a moov larger than {@link #MAX_KEPT} bytes is not kept either.
 */
final class MovieBoxes {

    /** A movie header of a 100 MB phone video is some hundreds of KB. */
    static final int MAX_KEPT = 8 * 1024 * 1024;

    private final ByteArrayOutputStream kept = new ByteArrayOutputStream();
    private final byte[] header = new byte[16];
    private int headerLength;
    private long remaining;
    private boolean keeping;
    private boolean stopped;
    private boolean moov;

    void update(byte[] bytes, int from, int to) {
        int i = from;
        while (i < to && !stopped) {
            if (remaining > 0) {
                int n = (int) Math.min(remaining, to - i);
                if (keeping) {
                    kept.write(bytes, i, n);
                }
                i += n;
                remaining -= n;
                continue;
            }
            header[headerLength++] = bytes[i++];
            if (headerLength == 8 || headerLength == 16) {
                box();
            }
        }
    }

    private void box() {
        long size = u32(0);
        if (headerLength == 8 && size == 1) {
            return; // a 64-bit size follows
        }
        if (headerLength == 16) {
            size = u32(8) << 32 | u32(12);
        }
        String type = new String(header, 4, 4, StandardCharsets.ISO_8859_1);
        if (size == 0 || size < headerLength) {
            stopped = true; // to the end of the file, or no box: nothing more to keep
            return;
        }
        keeping = (type.equals("ftyp") || type.equals("moov")) && size <= MAX_KEPT && kept.size() + size <= 2L * MAX_KEPT;
        if (keeping) {
            kept.write(header, 0, headerLength);
            moov |= type.equals("moov");
        }
        remaining = size - headerLength;
        headerLength = 0;
        if (remaining == 0) {
            keeping = false;
        }
    }

    private long u32(int at) {
        return (header[at] & 0xFFL) << 24 | (header[at + 1] & 0xFFL) << 16 | (header[at + 2] & 0xFFL) << 8 | (header[at + 3] & 0xFFL);
    }

    /** The kept ftyp and moov boxes as a small movie file, or null when no whole moov box was kept. */
    byte[] movie() {
        return moov && !(keeping && remaining > 0) ? kept.toByteArray() : null;
    }
}
