package io.photobridge.ingest;

import java.io.IOException;
import java.io.InputStream;
import java.time.Instant;
import java.util.Optional;

import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.GetObjectRequest;

/** An S3 object as a media source: each open() is a fresh streamed GET of that exact version (If-Match on its ETag). */
public record S3MediaSource(S3Client s3, String bucket, String key, long size, Instant lastModifiedAt, String etag)
        implements MediaSource {

    @Override
    public String displayName() {
        return key.substring(key.lastIndexOf('/') + 1);
    }

    @Override
    public String uri() {
        return "s3://" + bucket + "/" + key;
    }

    @Override
    public InputStream open() throws IOException {
        GetObjectRequest.Builder request = GetObjectRequest.builder().bucket(bucket).key(key);
        if (etag != null && !etag.isBlank()) {
            request.ifMatch(etag);
        }
        try {
            return s3.getObject(request.build());
        } catch (SdkException e) {
            throw new IOException("cannot read " + uri() + ": " + e.getMessage(), e);
        }
    }

    @Override
    public Optional<Instant> lastModified() {
        return Optional.ofNullable(lastModifiedAt);
    }

    @Override
    public Optional<String> version() {
        return Optional.ofNullable(etag);
    }

    /** Never shows the client. */
    @Override
    public String toString() {
        return uri();
    }
}
