package io.photobridge.ingest;

import java.io.IOException;
import java.io.InputStream;
import java.time.Instant;
import java.util.Optional;

/** Where a photo's bytes come from: a file today, an S3 object or a PAVE download tomorrow; open() gives a fresh stream each call. */
public interface MediaSource {

    /** The original file name, e.g. {@code IMG_0001.JPG} (the last path segment); rule violations name the input by it. */
    String displayName();

    /** Where the bytes live, e.g. {@code file:///abs/path/IMG_0001.JPG}. */
    String uri();

    /** The size in bytes, or -1 when it is not known before the bytes are read. */
    long size() throws IOException;

    /** A new stream over the bytes from the start; the caller closes it. */
    InputStream open() throws IOException;

    /** When the bytes were last changed, if the source knows. */
    Optional<Instant> lastModified();

    /** When the source says the picture was taken (PAVE's capture time): it comes before the file's own metadata. */
    default Optional<Instant> captureTime() {
        return Optional.empty();
    }

    /** The source's own version of the bytes (an S3 ETag), when it has one. */
    default Optional<String> version() {
        return Optional.empty();
    }
}
