package io.photobridge.ingest;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Date;

import org.apache.camel.Exchange;
import org.apache.camel.Message;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.CopyObjectRequest;
import software.amazon.awssdk.services.s3.model.DeleteObjectRequest;
import software.amazon.awssdk.services.s3.model.PutObjectRequest;

/**
 * Describes an object polled from an S3 bucket for the ingest pipeline: keys are {@code <prefix><order_id>/[<type-folder>/]<file>};
 * a failed object moves to {@code <error prefix><key>} with a {@code <key>.error.txt} object beside it.
 */
public final class S3Source {

    private final S3Client s3;
    private final String prefix;
    private final String errorPrefix;

    /** prefix: where incoming objects are; errorPrefix: where failed objects and their notes go. */
    public S3Source(S3Client s3, String prefix, String errorPrefix) {
        this.s3 = s3;
        this.prefix = prefix == null ? "" : prefix;
        this.errorPrefix = errorPrefix;
    }

    public Incoming describe(Exchange exchange) {
        Message in = exchange.getIn();
        String bucket = in.getHeader("CamelAwsS3BucketName", String.class);
        String key = in.getHeader("CamelAwsS3Key", String.class);
        Long length = in.getHeader("CamelAwsS3ContentLength", Long.class);
        // camel-aws2-s3 4.x sets an Instant here; reading it as a Date gave null, so objects without EXIF lost their time
        Object modified = in.getHeader("CamelAwsS3LastModified");
        String etag = in.getHeader("CamelAwsS3ETag", String.class);
        S3MediaSource media = new S3MediaSource(s3, bucket, key, length == null ? -1 : length,
                instant(modified), etag);
        String path = key.startsWith(prefix) ? key.substring(prefix.length()) : key;
        Incoming incoming = new Incoming(media, path, "s3", Manifests.NONE, note -> keepFailed(bucket, key, etag, note));
        exchange.setProperty(IngestPipeline.INCOMING, incoming);
        return incoming;
    }

    private static Instant instant(Object modified) {
        if (modified instanceof Instant instant) {
            return instant;
        }
        return modified instanceof Date date ? date.toInstant() : null;
    }

    /** Copies the object under the error prefix, writes the note beside it, then removes the original (in that order). */
    private void keepFailed(String bucket, String key, String etag, String note) {
        String target = errorPrefix + key;
        CopyObjectRequest.Builder copy = CopyObjectRequest.builder()
                .sourceBucket(bucket).sourceKey(key).destinationBucket(bucket).destinationKey(target);
        if (etag != null) {
            copy.copySourceIfMatch(etag);
        }
        s3.copyObject(copy.build());
        s3.putObject(PutObjectRequest.builder().bucket(bucket).key(target + ".error.txt")
                        .contentType("text/plain; charset=utf-8").build(),
                RequestBody.fromString(note, StandardCharsets.UTF_8));
        s3.deleteObject(DeleteObjectRequest.builder().bucket(bucket).key(key).build());
    }
}
