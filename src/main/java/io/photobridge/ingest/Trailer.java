package io.photobridge.ingest;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * Checks what a picture file holds after the picture itself, part by part. Accepted, as cameras write them: zero
 * padding, further JPEG images (MPF previews, gain maps: each walked to its end-of-image marker), an ISO-BMFF video
 * (a motion photo: Google's right after the image, Samsung's after the "MotionPhoto_Data" mark of its SEF trailer,
 * walked box by box) and any other vendor trailer (Samsung SEF, BlackBerry, Fujifilm...). Rejected: a part that starts
 * as an archive or an executable, a zip archive whose end record closes the file (zip readers find it behind any
 * leading data), and a further image or video that is cut off.
 */
final class Trailer {

    private enum State { GAP, JPEG, VIDEO, VENDOR, REJECTED }

    private static final int HEAD = 12;
    /** A zip's end record (22 bytes) and the longest comment it may carry. */
    private static final int ZIP_END_MAX = 22 + 65_535;
    private static final byte[] SAMSUNG_MOTION_PHOTO = "MotionPhoto_Data".getBytes(StandardCharsets.US_ASCII);

    private final String format;
    private final String endMark;
    private final long maxPixels;
    private final long start;
    private byte[] tail;
    private long tailBytes;
    private State state = State.GAP;
    private long position;
    private final byte[] head = new byte[HEAD];
    private int headLength;
    private long partStart;
    private JpegWalker image;
    private BoxWalker video;
    private int matched;
    private EmbeddedVideo embeddedVideo;
    private String problem;

    /** format, endMark: how the note names the picture and its end, e.g. "JPEG", "end-of-image marker". */
    Trailer(long start, String format, String endMark, long maxPixels) {
        this.position = start;
        this.start = start;
        this.format = format;
        this.endMark = endMark;
        this.maxPixels = maxPixels;
    }

    void update(byte[] bytes, int from, int to) {
        keepTail(bytes, from, to);
        process(bytes, from, to);
    }

    private void process(byte[] bytes, int from, int to) {
        int i = from;
        while (i < to && state != State.REJECTED) {
            switch (state) {
                case GAP -> {
                    if (headLength == 0) {
                        partStart = position;
                    }
                    head[headLength++] = bytes[i++];
                    position++;
                    if (headLength == HEAD) {
                        decide(false);
                    }
                }
                case JPEG -> {
                    int stop = image.feed(bytes, i, to);
                    position += stop - i;
                    i = stop;
                    if (image.broken()) {
                        reject(image.problem() + " (in the image after the first one, at byte " + partStart + ")");
                    } else if (image.ended()) {
                        state = State.GAP;
                    }
                }
                case VIDEO -> {
                    int stop = video.feed(bytes, i, to);
                    position += stop - i;
                    i = stop;
                    if (video.stopped()) {
                        videoEnds();
                        byte[] rest = video.pending();
                        position = video.end();
                        state = State.GAP;
                        process(rest, 0, rest.length);
                    }
                }
                case VENDOR -> {
                    byte b = bytes[i++];
                    position++;
                    if (b == SAMSUNG_MOTION_PHOTO[matched]) {
                        if (++matched == SAMSUNG_MOTION_PHOTO.length) {
                            matched = 0;
                            state = State.GAP; // the video follows the mark
                        }
                    } else {
                        matched = b == SAMSUNG_MOTION_PHOTO[0] ? 1 : 0;
                    }
                }
                default -> throw new IllegalStateException(state.name());
            }
        }
    }

    /** Decides what the part starting with head[0..headLength) is, then feeds it those bytes. */
    private void decide(boolean atEnd) {
        boolean box = headLength >= 8 && head[4] == 'f' && head[5] == 't' && head[6] == 'y' && head[7] == 'p';
        while (!box && headLength > 0 && head[0] == 0) {
            // zero padding; a box's size starts with zeros too, so the padding is dropped a byte at a time
            System.arraycopy(head, 1, head, 0, --headLength);
            partStart++;
            if (!atEnd) {
                return;
            }
        }
        if (headLength == 0) {
            return;
        }
        String forbidden = forbidden(head, headLength);
        if (forbidden != null) {
            reject(format + " has " + forbidden + " after its " + endMark + " (at byte " + partStart
                    + "): a camera may append its own data there, never an archive or executable");
            return;
        }
        if (atEnd) {
            return;
        }
        if ((head[0] & 0xFF) == 0xFF && (head[1] & 0xFF) == 0xD8 && (head[2] & 0xFF) == 0xFF) {
            image = new JpegWalker(partStart, maxPixels);
            state = State.JPEG;
        } else if (box) {
            video = new BoxWalker(partStart);
            state = State.VIDEO;
        } else {
            state = State.VENDOR;
        }
        byte[] bytes = Arrays.copyOf(head, headLength);
        headLength = 0;
        position = partStart;
        process(bytes, 0, bytes.length);
    }

    private void videoEnds() {
        if (embeddedVideo == null && video.end() > partStart) {
            embeddedVideo = new EmbeddedVideo(partStart, video.end() - partStart);
        }
    }

    /** Keeps the last {@link #ZIP_END_MAX} bytes after the picture, where a zip archive's end record would be. */
    private void keepTail(byte[] bytes, int from, int to) {
        if (to <= from) {
            return;
        }
        if (tail == null) {
            tail = new byte[ZIP_END_MAX];
        }
        int skipped = Math.max(0, (to - from) - ZIP_END_MAX);
        tailBytes += skipped;
        for (int i = from + skipped; i < to; ) {
            int at = (int) (tailBytes % ZIP_END_MAX);
            int n = Math.min(to - i, ZIP_END_MAX - at);
            System.arraycopy(bytes, i, tail, at, n);
            i += n;
            tailBytes += n;
        }
    }

    /**
     * Where a zip archive's end-of-central-directory record sits at the very end of the file (its comment length
     * reaching exactly to the end), as zip readers find it behind any leading data; -1 when there is none.
     */
    private long zipEndRecord() {
        if (tail == null) {
            return -1;
        }
        int n = (int) Math.min(tailBytes, ZIP_END_MAX);
        byte[] last = new byte[n];
        for (int k = 0; k < n; k++) {
            last[k] = tail[(int) ((tailBytes - n + k) % ZIP_END_MAX)];
        }
        for (int at = n - 22; at >= 0; at--) {
            if (last[at] == 'P' && last[at + 1] == 'K' && last[at + 2] == 5 && last[at + 3] == 6
                    && at + 22 + ((last[at + 20] & 0xFF) | (last[at + 21] & 0xFF) << 8) == n) {
                return start + tailBytes - n + at;
            }
        }
        return -1;
    }

    /** What the bytes start as, when that is an archive or an executable; else null. */
    static String forbidden(byte[] b, int n) {
        if (n >= 4 && b[0] == 'P' && b[1] == 'K' && (b[2] == 3 && b[3] == 4 || b[2] == 5 && b[3] == 6 || b[2] == 7 && b[3] == 8)) {
            return "a zip archive";
        }
        if (n >= 6 && b[0] == 'R' && b[1] == 'a' && b[2] == 'r' && b[3] == '!' && b[4] == 0x1A && b[5] == 0x07) {
            return "a RAR archive";
        }
        if (n >= 6 && b[0] == '7' && b[1] == 'z' && (b[2] & 0xFF) == 0xBC && (b[3] & 0xFF) == 0xAF && b[4] == 0x27 && b[5] == 0x1C) {
            return "a 7z archive";
        }
        if (n >= 4 && b[0] == '%' && b[1] == 'P' && b[2] == 'D' && b[3] == 'F') {
            return "a PDF document";
        }
        if (n >= 4 && b[0] == 0x7F && b[1] == 'E' && b[2] == 'L' && b[3] == 'F') {
            return "an ELF executable";
        }
        if (n >= 2 && b[0] == 'M' && b[1] == 'Z') {
            return "a Windows (PE) executable";
        }
        return null;
    }

    private void reject(String why) {
        problem = why;
        state = State.REJECTED;
    }

    /** At the end of the file: what is wrong after the picture, or null. */
    String finish() {
        switch (state) {
            case GAP -> {
                if (headLength > 0) {
                    decide(true);
                }
            }
            case JPEG -> reject(format + " is truncated: the image after the first one (at byte " + partStart
                    + ", e.g. a preview or gain map) has no end-of-image marker (cut off)");
            case VIDEO -> {
                if (video.insideBox()) {
                    reject(format + " is truncated: the video after the image (a motion photo, at byte " + partStart + ") is cut off: its "
                            + video.openBox());
                } else {
                    videoEnds();
                }
            }
            default -> { }
        }
        if (problem == null) {
            long zipEnd = zipEndRecord();
            if (zipEnd >= 0) {
                reject(format + " has a zip archive after its " + endMark + " (its end record at byte " + zipEnd
                        + "): a camera may append its own data there, never an archive or executable");
            }
        }
        return problem;
    }

    /** The first video found after the picture, or null. */
    EmbeddedVideo embeddedVideo() {
        return problem == null ? embeddedVideo : null;
    }
}
