package io.photobridge.ingest;

import java.time.Duration;

import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.NoSuchKeyException;
import software.amazon.awssdk.services.s3.presigner.S3Presigner;

/** Pre-signed GET links to ingested S3 objects where they are now (under the done prefix once delivered), for URL-mode vendors. */
public final class S3Urls implements AutoCloseable {

    private final S3Client s3;
    private final S3Presigner presigner;
    private final String donePrefix;
    private final boolean movedToDone;
    private final Duration expiry;

    /** movedToDone: whether delivered objects are copied under donePrefix; expiry: how long a link is valid. */
    public S3Urls(S3Client s3, S3Presigner presigner, String donePrefix, boolean movedToDone, Duration expiry) {
        this.s3 = s3;
        this.presigner = presigner;
        this.donePrefix = donePrefix;
        this.movedToDone = movedToDone;
        this.expiry = expiry;
    }

    /** A pre-signed link to the delivered object of this s3:// URI, or null when the object is no longer kept anywhere. */
    public String presigned(String sourceUri) {
        String path = sourceUri.substring("s3://".length());
        String bucket = path.substring(0, path.indexOf('/'));
        String key = path.substring(path.indexOf('/') + 1);
        for (String candidate : movedToDone ? new String[] {donePrefix + key, key} : new String[] {key}) {
            try {
                s3.headObject(b -> b.bucket(bucket).key(candidate));
            } catch (NoSuchKeyException e) {
                continue;
            }
            return presigner.presignGetObject(b -> b.signatureDuration(expiry).getObjectRequest(g -> g.bucket(bucket).key(candidate)))
                    .url().toString();
        }
        return null;
    }

    @Override
    public void close() {
        presigner.close();
    }
}
