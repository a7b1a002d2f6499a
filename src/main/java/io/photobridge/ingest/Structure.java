package io.photobridge.ingest;

/**
 * A one-pass check of a file's container structure, fed the bytes as they are read (for the hash): it never holds more
 * than a few bytes of the file. {@link #finish()} names what is wrong, or returns null when the structure is sound.
 */
abstract class Structure {

    /** Bytes fed so far: the offset of the next byte. */
    protected long position;
    /** What follows the picture, once its end was found; null before. */
    protected Trailer trailer;

    /** Takes bytes[from..to) of the file, in order. */
    final void update(byte[] bytes, int from, int to) {
        if (trailer != null) {
            trailer.update(bytes, from, to);
        } else {
            walk(bytes, from, to);
        }
        position += to - from;
    }

    /** Takes bytes[from..to) of the picture itself, at {@link #position}; where the picture ends, starts the {@link #trailer} with the rest. */
    abstract void walk(byte[] bytes, int from, int to);

    /** At the end of the file: what is wrong with the structure (a rule text), or null. */
    abstract String finish();

    /** A video embedded after the picture (a motion photo), or null. Valid once {@link #finish()} returned null. */
    EmbeddedVideo embeddedVideo() {
        return trailer == null ? null : trailer.embeddedVideo();
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
