package io.photobridge.inspektlabs;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Comparator;
import java.util.stream.Stream;

import io.photobridge.ingest.FileMediaSource;
import io.photobridge.ingest.MediaSource;

/**
 * Keeps the bytes of media waiting for damage analysis (a drop-folder file moves to .done/, an S3 object may be deleted
 * before its batch is sent): a hard link when the file is on the same disk, a streamed copy otherwise, under
 * {@code <dir>/<sha256>/<original name>}.
 */
public final class MediaStore {

    private final Path dir;

    /** dir: where staged media live until their batch is accepted. */
    public MediaStore(Path dir) {
        this.dir = dir;
    }

    /** Stages the media (idempotent per sha256). */
    public Path stage(MediaSource source, String sha256, String name) throws IOException {
        Path target = path(sha256, name);
        if (Files.exists(target)) {
            return target;
        }
        Files.createDirectories(target.getParent());
        if (source instanceof FileMediaSource file) {
            try {
                Files.createLink(target, file.path());
                return target;
            } catch (FileAlreadyExistsException e) {
                return target;
            } catch (IOException | UnsupportedOperationException notSameDisk) {
                // another file system, or links not supported: copy below
            }
        }
        Path partial = target.resolveSibling(target.getFileName() + ".part");
        try (InputStream in = source.open()) {
            Files.copy(in, partial, StandardCopyOption.REPLACE_EXISTING);
        }
        Files.move(partial, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        return target;
    }

    /** Where the staged media of this sha256 is. */
    public Path path(String sha256, String name) {
        return dir.resolve(sha256).resolve(safe(name));
    }

    /** Drops staged media once Inspektlabs holds it. */
    public void release(String sha256) throws IOException {
        Path folder = dir.resolve(sha256);
        if (!Files.exists(folder)) {
            return;
        }
        try (Stream<Path> files = Files.walk(folder)) {
            for (Path p : files.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        }
    }

    private static String safe(String name) {
        String cleaned = name.replaceAll("[/\\\\\\p{Cntrl}]", "_");
        return cleaned.isBlank() || cleaned.equals(".") || cleaned.equals("..") ? "media" : cleaned;
    }
}
