package io.photobridge;

import java.net.URI;
import java.util.Map;

import org.gaul.s3proxy.S3Proxy;
import org.gaul.s3proxy.auth.AuthenticationType;
import org.gaul.s3proxy.nio2blob.TransientNio2BlobStore;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3Client;

import static org.awaitility.Awaitility.await;

/** An in-process S3 server (s3proxy over a transient blob store) on a chosen loopback port, and a client for it. */
public final class InProcessS3 implements AutoCloseable {

    public static final String ACCESS_KEY = "pb-test-access";
    public static final String SECRET_KEY = "pb-test-secret-value";

    private final int port;
    private final S3Proxy proxy;

    private InProcessS3(int port) throws Exception {
        this.port = port;
        this.proxy = S3Proxy.builder().blobStore(new TransientNio2BlobStore()).endpoint(URI.create(endpoint()))
                .awsAuthentication(AuthenticationType.AWS_V2_OR_V4, ACCESS_KEY, SECRET_KEY).build();
        proxy.start();
        await().until(() -> proxy.getState().equals("STARTED"));
    }

    public static InProcessS3 start(int port) throws Exception {
        return new InProcessS3(port);
    }

    public String endpoint() {
        return "http://127.0.0.1:" + port;
    }

    public S3Client client() {
        return S3Client.builder().endpointOverride(URI.create(endpoint())).region(Region.US_EAST_1).forcePathStyle(true)
                .credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create(ACCESS_KEY, SECRET_KEY)))
                .build();
    }

    /** The settings that point PhotoBridge at this server and bucket. */
    public Map<String, String> settings(String bucket) {
        return Map.of("photobridge.s3.bucket", bucket, "photobridge.s3.endpoint", endpoint(), "photobridge.s3.path-style", "true",
                "photobridge.s3.access-key", ACCESS_KEY, "photobridge.s3.secret-key", SECRET_KEY, "photobridge.s3.poll-ms", "200");
    }

    @Override
    public void close() throws Exception {
        proxy.stop();
    }
}
