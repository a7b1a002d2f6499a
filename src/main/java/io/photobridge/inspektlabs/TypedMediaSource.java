package io.photobridge.inspektlabs;

import java.io.IOException;
import java.io.InputStream;
import java.time.Instant;
import java.util.Objects;
import java.util.Optional;

import io.photobridge.ingest.MediaSource;

/** A media source with a known MIME type (e.g. the one inspection detected), used as the file part's Content-Type instead of the one guessed from the name. */
public record TypedMediaSource(MediaSource source, String contentType) implements MediaSource {

    public TypedMediaSource {
        Objects.requireNonNull(source, "source");
        if (contentType == null || contentType.isBlank() || contentType.indexOf('\r') >= 0 || contentType.indexOf('\n') >= 0) {
            throw new IllegalArgumentException("A content type is required and must be one line");
        }
    }

    @Override
    public String displayName() {
        return source.displayName();
    }

    @Override
    public String uri() {
        return source.uri();
    }

    @Override
    public long size() throws IOException {
        return source.size();
    }

    @Override
    public InputStream open() throws IOException {
        return source.open();
    }

    @Override
    public Optional<Instant> lastModified() {
        return source.lastModified();
    }

    @Override
    public Optional<String> version() {
        return source.version();
    }
}
