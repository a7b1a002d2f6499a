package io.photobridge.ingest;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * Walks the top-level boxes of an ISO base media file (HEIF, MP4, QuickTime): each box's size and four-character type,
 * its body skipped. The walk stops, as {@link #stopped()}, at a header that is no box (a size under 8, a type that is
 * not letters, digits or spaces): what follows is not part of the file's box structure.
 */
final class BoxWalker {

    private enum State { HEADER, BODY, TO_END, STOPPED }

    private State state = State.HEADER;
    private long position;
    private final byte[] header = new byte[16];
    private int headerLength;
    private long remaining;
    private long boxStart;
    private long boxSize;
    private String type;
    private String firstType;
    private boolean metaSeen;
    private long end;

    /** start: the offset of the first box in the file. */
    BoxWalker(long start) {
        this.position = start;
        this.end = start;
    }

    /** Takes bytes[from..to); returns where it stopped: {@code to}, or where the bytes that are no box header begin. */
    int feed(byte[] bytes, int from, int to) {
        long base = position - from;
        int i = from;
        while (i < to) {
            switch (state) {
                case BODY -> {
                    int n = (int) Math.min(remaining, to - i);
                    i += n;
                    remaining -= n;
                    if (remaining == 0) {
                        end = base + i;
                        state = State.HEADER;
                    }
                }
                case TO_END -> i = to;
                case STOPPED -> {
                    position = base + i;
                    return i;
                }
                case HEADER -> {
                    if (headerLength == 0) {
                        boxStart = base + i;
                    }
                    header[headerLength++] = bytes[i++];
                    headerDone();
                }
                default -> throw new IllegalStateException(state.name());
            }
        }
        position = base + i;
        return i;
    }

    private void headerDone() {
        if (headerLength == 8) {
            long size = u32(header, 0);
            String fourCc = new String(header, 4, 4, StandardCharsets.ISO_8859_1);
            if (!isBoxType(fourCc) || (size > 1 && size < 8)) {
                state = State.STOPPED;
                return;
            }
            type = fourCc;
            if (firstType == null) {
                firstType = type;
            }
            metaSeen |= type.equals("meta");
            if (size == 1) {
                return; // a 64-bit size follows
            }
            boxSize = size;
            startBody(size == 0 ? -1 : size - 8);
        } else if (headerLength == 16) {
            long size = u32(header, 8) << 32 | u32(header, 12);
            if (size < 16) {
                state = State.STOPPED;
                return;
            }
            boxSize = size;
            startBody(size - 16);
        }
    }

    private void startBody(long bodyBytes) {
        headerLength = 0;
        if (bodyBytes < 0) {
            state = State.TO_END; // size 0: the box runs to the end of the file
        } else if (bodyBytes == 0) {
            end = boxStart + boxSize;
        } else {
            remaining = bodyBytes;
            state = State.BODY;
        }
    }

    private static boolean isBoxType(String fourCc) {
        for (int k = 0; k < 4; k++) {
            char c = fourCc.charAt(k);
            if (!(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == ' ')) {
                return false;
            }
        }
        return true;
    }

    private static long u32(byte[] bytes, int at) {
        return (bytes[at] & 0xFFL) << 24 | (bytes[at + 1] & 0xFFL) << 16 | (bytes[at + 2] & 0xFFL) << 8 | (bytes[at + 3] & 0xFFL);
    }

    /** Whether the walk met bytes that are no box header; they begin at {@link #end()}. */
    boolean stopped() {
        return state == State.STOPPED;
    }

    /** At the end of the file: whether the file ends inside a box's body (cut off). */
    boolean insideBox() {
        return state == State.BODY;
    }

    /** The offset just after the last whole box (the file's end once a size-0 box was met). */
    long end() {
        return state == State.TO_END ? position : end;
    }

    /** The header bytes read since the last whole box, from {@link #end()}: bytes that are not (or not yet) a box. */
    byte[] pending() {
        return state == State.HEADER || state == State.STOPPED ? Arrays.copyOf(header, headerLength) : new byte[0];
    }

    /** The box the file ends in, for the note: its type, offset, and declared size. */
    String openBox() {
        return "'" + type + "' box at byte " + boxStart + " declares " + boxSize + " bytes, but the file ends "
                + remaining + " bytes short of it";
    }

    String firstType() {
        return firstType;
    }

    boolean metaSeen() {
        return metaSeen;
    }
}
