package io.photobridge.ingest;

import java.io.IOException;

/**
 * A media item a source hands to the ingest pipeline: its bytes, the path the name rules read (relative to the source's
 * root, e.g. {@code <order_id>/[<type-folder>/]<file>}), the dump folder's manifest lookup, and what the source does to
 * keep a failed input recoverable.
 */
public record Incoming(MediaSource media, String path, String sourceKind, Manifests manifests, OnFailure onFailure) {

    /** Keeps a failed input recoverable with a note that says why (a .error/ file and its .error.txt, an error/ S3 object...). */
    @FunctionalInterface
    public interface OnFailure {
        void keep(String note) throws IOException;
    }
}
