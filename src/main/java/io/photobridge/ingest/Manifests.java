package io.photobridge.ingest;

import java.io.IOException;
import java.util.Optional;

/** Finds the {@code manifest.csv} row (file,order_id[,type]) that names a file of a flat camera dump. */
@FunctionalInterface
public interface Manifests {

    /** A source without manifests. */
    Manifests NONE = (folder, fileName) -> Optional.empty();

    /** folder: the dump folder relative to the source root ("" for the root); fileName: the file's name in it. */
    Optional<ManifestRow> lookup(String folder, String fileName) throws IOException;

    /** One manifest row; type is a type-folder name or a type id, or null. */
    record ManifestRow(String file, String orderId, String type, String manifest, int line) {
    }
}
