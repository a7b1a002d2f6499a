package io.photobridge.ingest;

import java.io.IOException;

/**
 * A media item a source hands to the ingest pipeline: its bytes, the path the name rules read
 * ({@code <order_id>/[<type-folder>/]<file>}), and where the source keeps an error note when it fails.
 */
public record Incoming(MediaSource media, String path, String sourceKind, ErrorNotes notes) {

    /** Writes the note that explains a failure beside the failed input (a {@code .error.txt} file, an S3 object...). */
    @FunctionalInterface
    public interface ErrorNotes {
        void write(String text) throws IOException;
    }
}
