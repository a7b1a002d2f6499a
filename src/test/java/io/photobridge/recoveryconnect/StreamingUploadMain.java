package io.photobridge.recoveryconnect;

import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;

import io.photobridge.ingest.FileMediaSource;

/** Forked by {@link StreamingUploadTest}: uploads one file with the real client from a JVM whose heap is smaller than the body. */
public final class StreamingUploadMain {

    private StreamingUploadMain() {
    }

    public static void main(String[] args) {
        RecoveryConnectClient client = new RecoveryConnectClient(new RecoveryConnectSettings(URI.create(args[0]), "v140", "v140",
                "sandbox-demo-token", null, null, Duration.ofSeconds(5), Duration.ofSeconds(30), Duration.ofSeconds(120),
                Duration.ofSeconds(60)));
        CreatedPhoto created = client.createPhoto(Long.parseLong(args[2]),
                new NewPhoto("big.jpg", "big", "2025-01-01 00:00:00", 2), new FileMediaSource(Path.of(args[1])));
        System.out.println("attachment=" + created.attachmentId()
                + " maxHeap=" + Runtime.getRuntime().maxMemory());
    }
}
