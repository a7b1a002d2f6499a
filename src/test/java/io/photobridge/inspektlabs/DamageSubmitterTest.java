package io.photobridge.inspektlabs;

import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import io.photobridge.ingest.FileMediaSource;
import io.photobridge.records.DamageJob;
import io.photobridge.records.DamageJobState;
import io.photobridge.records.DamageRecords;
import io.photobridge.records.Ledger;
import io.photobridge.records.NewPhotoRecord;
import io.photobridge.sandbox.InspektlabsSandbox;
import io.photobridge.sandbox.InspektlabsUpload;
import org.apache.camel.Exchange;
import org.apache.camel.impl.DefaultCamelContext;
import org.apache.camel.support.DefaultExchange;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;

/** The submitter's answers to Inspektlabs' per-item rules, against the sandbox's real rules. */
class DamageSubmitterTest {

    private static final long ORDER = 57076503L;

    @TempDir
    Path dir;

    private InspektlabsSandbox sandbox;
    private Ledger ledger;

    @BeforeEach
    void start() {
        sandbox = new InspektlabsSandbox(InspektlabsSandbox.Settings.defaults().withDataDir(dir.resolve("sandbox"))
                .withRequireCallbackUrl(false).withCallbackDelay(Duration.ofHours(1)));
        sandbox.start();
        ledger = Ledger.open("jdbc:h2:file:" + dir.resolve("ledger").toAbsolutePath(), "sa", "", 2);
    }

    @AfterEach
    void stop() throws Exception {
        sandbox.stop();
        ledger.close();
    }

    private long photo(MediaStore store, Path file, String name, String mime, String kind, String sha) throws Exception {
        long id = ledger.admit(new NewPhotoRecord(ORDER, sha, file.toUri().toString(), name, kind, mime, Files.size(file), 2,
                null, null, null, null)).record().id();
        store.stage(new FileMediaSource(file), sha, name);
        return id;
    }

    @Test
    void itemsOfAnInvalidTypeAreExcludedWithTheVendorMessageAndTheRestIsResent() throws Exception {
        MediaStore store = new MediaStore(dir.resolve("media"));
        Path text = Files.writeString(dir.resolve("notes.txt"), "not a photo");
        long bad = photo(store, text, "notes.txt", "text/plain", "IMAGE", "a".repeat(64));
        long good1 = photo(store, Path.of("src/test/resources/media/key-exif.jpg"), "key.jpg", "image/jpeg", "IMAGE", "b".repeat(64));
        long good2 = photo(store, Path.of("src/test/resources/media/offset-exif.jpg"), "front.jpg", "image/jpeg", "IMAGE", "c".repeat(64));
        InspektlabsClient client = new InspektlabsClient(new InspektlabsSettings(URI.create(sandbox.baseUrl()),
                InspektlabsSandbox.Settings.defaults().apiKey(), null, "access_token", Duration.ofSeconds(2),
                Duration.ofSeconds(10), Duration.ofSeconds(30)));
        DamageRecords damage = new DamageRecords(ledger);
        DamageSubmitter submitter = new DamageSubmitter(client, damage, ledger, store, "http://127.0.0.1:9/webhooks/inspektlabs/s",
                Map.of(), null, null);

        Exchange exchange = new DefaultExchange(new DefaultCamelContext());
        exchange.getIn().setHeader("PhotoBridgeOrderId", ORDER);
        exchange.getIn().setHeader("PhotoBridgeMediaKind", "IMAGE");
        submitter.submit(List.of(bad, good1, good2), exchange);

        DamageJob job = damage.jobs(ORDER).get(0);
        assertThat(job.state()).isEqualTo(DamageJobState.SUBMITTED);
        assertThat(damage.includedPhotos(job.id())).containsExactly(good1, good2);
        assertThat(sandbox.uploads()).singleElement().satisfies(u ->
                assertThat(u.files()).extracting(InspektlabsUpload.UploadedFile::name).containsExactlyInAnyOrder("key.jpg", "front.jpg"));
        assertThat(ledger.timeline(ORDER)).anySatisfy(e -> {
            assertThat(e.kind()).isEqualTo("DAMAGE_EXCLUDED");
            assertThat(e.photoId()).isEqualTo(bad);
            assertThat(e.detail()).contains("Invalid file type, only image or video allowed");
        });
    }
}
