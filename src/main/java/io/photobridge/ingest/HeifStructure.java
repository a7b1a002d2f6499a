package io.photobridge.ingest;

/**
 * A HEIC/HEIF file's structure: ISO-BMFF boxes from an ftyp box to the end of the file, each box's size consistent with
 * the bytes there, a meta box among them; bytes after the last box follow the trailer rules ({@link Trailer}): Samsung
 * phones write their SEF trailer after a HEIC's boxes too.
 */
final class HeifStructure extends Structure {

    private final BoxWalker boxes = new BoxWalker(0);
    private final long maxPixels;

    HeifStructure(long maxPixels) {
        this.maxPixels = maxPixels;
    }

    @Override
    void walk(byte[] bytes, int from, int to) {
        int stop = boxes.feed(bytes, from, to);
        if (boxes.stopped()) {
            trailer = new Trailer(boxes.end(), "HEIF", "last box", maxPixels);
            byte[] pending = boxes.pending();
            trailer.update(pending, 0, pending.length);
            trailer.update(bytes, stop, to);
        }
    }

    @Override
    String finish() {
        if (!"ftyp".equals(boxes.firstType())) {
            return "HEIF does not start with an ftyp box";
        }
        if (boxes.insideBox()) {
            return "HEIF is truncated: its " + boxes.openBox() + " (cut off)";
        }
        if (!boxes.metaSeen()) {
            return "HEIF has no meta box" + (boxes.stopped() ? " before byte " + boxes.end() + ", where its box structure ends" : "")
                    + " (a HEIF image needs one to describe its image)";
        }
        return trailer == null ? null : trailer.finish();
    }
}
