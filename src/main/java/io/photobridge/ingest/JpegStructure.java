package io.photobridge.ingest;

/** A JPEG's structure: the image walked from start-of-image to end-of-image (see {@link JpegWalker}), then its trailer. */
final class JpegStructure extends Structure {

    private final JpegWalker image;
    private final long maxPixels;

    JpegStructure(long maxPixels) {
        this.image = new JpegWalker(0, maxPixels);
        this.maxPixels = maxPixels;
    }

    @Override
    void walk(byte[] bytes, int from, int to) {
        int stop = image.feed(bytes, from, to);
        if (image.ended()) {
            trailer = new Trailer(image.position(), "JPEG", "end-of-image marker", maxPixels);
            trailer.update(bytes, stop, to);
        }
    }

    @Override
    String finish() {
        if (image.broken()) {
            return image.problem();
        }
        if (trailer == null) {
            return "JPEG is truncated: no end-of-image marker (FF D9) at the end of the file (the image data is cut off)";
        }
        return trailer.finish();
    }
}
