package io.photobridge.ingest;

/**
 * A one-pass check of a file's container structure, fed the bytes as they are read (for the hash): it never holds more
 * than a few bytes of the file. {@link #finish()} names what is wrong, or returns null when the structure is sound.
 */
abstract class Structure {

    /** Bytes fed so far: the offset of the next byte. */
    protected long position;

    /** Takes bytes[from..to) of the file, in order. */
    abstract void update(byte[] bytes, int from, int to);

    /** At the end of the file: what is wrong with the structure (a rule text), or null. */
    abstract String finish();

    /** A video embedded after the picture (a motion photo), or null. Valid once {@link #finish()} returned null. */
    EmbeddedVideo embeddedVideo() {
        return null;
    }

    /** The structure check of a format, or null when the format has none. */
    static Structure of(String mimeType, long maxPixels) {
        return switch (mimeType) {
            case "image/jpeg" -> new JpegStructure(maxPixels);
            case "image/png" -> new PngStructure(maxPixels);
            case "image/heic", "image/heif" -> new HeifStructure(maxPixels);
            default -> null;
        };
    }

    static String hex(int b) {
        return String.format("%02X", b & 0xFF);
    }
}
