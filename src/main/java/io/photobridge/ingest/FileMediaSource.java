package io.photobridge.ingest;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Objects;
import java.util.Optional;

/** A media file on the local file system. */
public record FileMediaSource(Path path) implements MediaSource {

    public FileMediaSource {
        Objects.requireNonNull(path, "path");
    }

    @Override
    public String displayName() {
        Path name = path.getFileName();
        return name == null ? path.toString() : name.toString();
    }

    @Override
    public String uri() {
        return path.toAbsolutePath().normalize().toUri().toString();
    }

    @Override
    public long size() throws IOException {
        return Files.size(path);
    }

    @Override
    public InputStream open() throws IOException {
        return Files.newInputStream(path);
    }

    @Override
    public Optional<Instant> lastModified() {
        try {
            return Optional.of(Files.getLastModifiedTime(path).toInstant());
        } catch (IOException e) {
            return Optional.empty();
        }
    }
}
