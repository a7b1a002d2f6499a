package io.photobridge.ingest;

import java.nio.charset.StandardCharsets;
import java.util.zip.CRC32;

/**
 * A PNG's structure: the signature, then chunks (length up to 2^31-1, a type of four letters, the data, a CRC that
 * matches), IHDR first and sane (size within the pixel limit, a valid bit depth for its colour type), image data,
 * IEND; bytes after IEND follow the trailer rules ({@link Trailer}).
 */
final class PngStructure extends Structure {

    private enum State { SIGNATURE, LENGTH, TYPE, DATA, CRC, BROKEN }

    private static final byte[] SIGNATURE = {(byte) 0x89, 'P', 'N', 'G', '\r', '\n', 0x1A, '\n'};

    private final long maxPixels;
    private State state = State.SIGNATURE;
    private final byte[] field = new byte[13];
    private int fieldLength;
    private long chunkStart;
    private long length;
    private long remaining;
    private String type;
    private final CRC32 crc = new CRC32();
    private int chunks;
    private boolean imageData;
    private String problem;

    PngStructure(long maxPixels) {
        this.maxPixels = maxPixels;
    }

    @Override
    void walk(byte[] bytes, int from, int to) {
        long base = position - from;
        int i = from;
        while (i < to) {
            if (trailer != null) {
                trailer.update(bytes, i, to);
                return;
            }
            switch (state) {
                case BROKEN -> {
                    return;
                }
                case DATA -> {
                    int n = (int) Math.min(remaining, to - i);
                    crc.update(bytes, i, n);
                    if (type.equals("IHDR")) {
                        for (int k = 0; k < n && fieldLength < field.length; k++) {
                            field[fieldLength++] = bytes[i + k];
                        }
                    }
                    i += n;
                    remaining -= n;
                    if (remaining == 0) {
                        next(State.CRC);
                    }
                }
                default -> {
                    if (fieldLength == 0 && state == State.LENGTH) {
                        chunkStart = base + i;
                    }
                    field[fieldLength++] = bytes[i++];
                    fieldDone(base + i);
                }
            }
        }
    }

    private void fieldDone(long position) {
        switch (state) {
            case SIGNATURE -> {
                if (fieldLength == SIGNATURE.length) {
                    for (int k = 0; k < SIGNATURE.length; k++) {
                        if (field[k] != SIGNATURE[k]) {
                            broken("PNG does not start with the PNG signature");
                            return;
                        }
                    }
                    next(State.LENGTH);
                }
            }
            case LENGTH -> {
                if (fieldLength == 4) {
                    length = u32(field, 0);
                    if (length > Integer.MAX_VALUE) {
                        broken("PNG is damaged: the chunk at byte " + chunkStart + " declares a length of " + length + " bytes (at most 2^31-1)");
                        return;
                    }
                    next(State.TYPE);
                }
            }
            case TYPE -> {
                if (fieldLength == 4) {
                    for (int k = 0; k < 4; k++) {
                        int c = field[k];
                        if (!(c >= 'A' && c <= 'Z' || c >= 'a' && c <= 'z')) {
                            broken("PNG is damaged: the chunk at byte " + chunkStart + " has the type " + Structure.hex(field[0]) + " "
                                    + Structure.hex(field[1]) + " " + Structure.hex(field[2]) + " " + Structure.hex(field[3])
                                    + ", which is not four letters");
                            return;
                        }
                    }
                    type = new String(field, 0, 4, StandardCharsets.US_ASCII);
                    if (chunks++ == 0 && (!type.equals("IHDR") || length != 13)) {
                        broken("PNG is damaged: its first chunk is " + type + " of " + length + " bytes, not the 13-byte IHDR");
                        return;
                    }
                    imageData |= type.equals("IDAT");
                    crc.reset();
                    crc.update(field, 0, 4);
                    remaining = length;
                    next(length == 0 ? State.CRC : State.DATA);
                }
            }
            case CRC -> {
                if (fieldLength == 4) {
                    if (u32(field, 0) != crc.getValue()) {
                        broken("PNG is damaged: its " + type + " chunk at byte " + chunkStart + " fails its CRC check");
                        return;
                    }
                    if (type.equals("IEND")) {
                        if (!imageData) {
                            broken("PNG has no image data (no IDAT chunk before IEND)");
                            return;
                        }
                        trailer = new Trailer(position, "PNG", "IEND chunk", maxPixels);
                        return;
                    }
                    next(State.LENGTH);
                }
            }
            default -> throw new IllegalStateException(state.name());
        }
    }

    /** Checks IHDR's width, height, bit depth, colour type and methods, kept in field[0..13) when its data was read. */
    private void checkHeader() {
        long width = u32(field, 0);
        long height = u32(field, 4);
        int depth = field[8];
        int colour = field[9];
        if (width < 1 || width > Integer.MAX_VALUE || height < 1 || height > Integer.MAX_VALUE) {
            broken("PNG is damaged: its IHDR declares " + width + " x " + height + " pixels (each side must be 1 to 2^31-1)");
        } else if (width * height > maxPixels) {
            broken("PNG declares " + width + " x " + height + " pixels, more than the limit of " + maxPixels
                    + " pixels (photobridge.ingest.max-image-pixels)");
        } else if (!validDepth(colour, depth)) {
            broken("PNG is damaged: its IHDR declares bit depth " + depth + " with colour type " + colour + ", which PNG does not allow");
        } else if (field[10] != 0 || field[11] != 0 || (field[12] != 0 && field[12] != 1)) {
            broken("PNG is damaged: its IHDR declares compression " + field[10] + ", filter " + field[11] + ", interlace " + field[12]
                    + " (PNG knows 0, 0 and 0 or 1)");
        }
    }

    private static boolean validDepth(int colour, int depth) {
        return switch (colour) {
            case 0 -> depth == 1 || depth == 2 || depth == 4 || depth == 8 || depth == 16;
            case 3 -> depth == 1 || depth == 2 || depth == 4 || depth == 8;
            case 2, 4, 6 -> depth == 8 || depth == 16;
            default -> false;
        };
    }

    private void next(State state) {
        if (this.state == State.DATA && type.equals("IHDR")) {
            checkHeader();
            if (this.state == State.BROKEN) {
                return;
            }
        }
        this.state = state;
        fieldLength = 0;
    }

    private void broken(String why) {
        problem = why;
        state = State.BROKEN;
    }

    private static long u32(byte[] bytes, int at) {
        return (bytes[at] & 0xFFL) << 24 | (bytes[at + 1] & 0xFFL) << 16 | (bytes[at + 2] & 0xFFL) << 8 | (bytes[at + 3] & 0xFFL);
    }

    @Override
    String finish() {
        if (problem != null) {
            return problem;
        }
        if (trailer == null) {
            return "PNG is truncated: no IEND chunk at the end of the file (cut off)";
        }
        return trailer.finish();
    }
}
