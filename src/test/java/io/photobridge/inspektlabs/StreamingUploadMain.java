package io.photobridge.inspektlabs;

import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

import io.photobridge.ingest.FileMediaSource;
import io.photobridge.sandbox.InspektlabsSandbox;

/** Forked by {@link StreamingUploadTest}: authenticates and uploads one video with the real client from a JVM whose heap is smaller than the file. */
public final class StreamingUploadMain {

    private StreamingUploadMain() {
    }

    public static void main(String[] args) {
        InspektlabsClient client = new InspektlabsClient(new InspektlabsSettings(URI.create(args[0]),
                InspektlabsSandbox.DEFAULT_API_KEY, null, null, Duration.ofSeconds(5), Duration.ofSeconds(30),
                Duration.ofSeconds(180)));
        InspektlabsSession session = client.authenticate();
        UploadAccepted accepted = client.uploadFiles(session, args[2], List.of(new FileMediaSource(Path.of(args[1]))),
                UploadOptions.callback(args[3]));
        System.out.println("session=" + session.session() + " status=" + accepted.status()
                + " maxHeap=" + Runtime.getRuntime().maxMemory());
    }
}
