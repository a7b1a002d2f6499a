package io.photobridge.recoveryconnect;

import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.HexFormat;
import java.util.UUID;

import io.photobridge.ingest.FileMediaSource;
import io.photobridge.ingest.Incoming;
import io.photobridge.ingest.IngestItem;
import io.photobridge.ingest.IngestOutcomes;
import io.photobridge.ingest.Inspection;
import io.photobridge.ingest.Manifests;
import io.photobridge.ingest.MediaKind;
import io.photobridge.ingest.NameRules;
import io.photobridge.records.Ledger;
import io.photobridge.records.NewPhotoRecord;
import io.photobridge.records.PhotoEvent;
import io.photobridge.records.PhotoState;
import io.photobridge.sandbox.FaultInjector;
import io.photobridge.sandbox.RecoveryConnectSandbox;
import io.photobridge.sandbox.StoredPhoto;
import io.photobridge.vendor.RetryableVendorException;
import io.photobridge.vendor.VendorException;
import org.apache.camel.Exchange;
import org.apache.camel.impl.DefaultCamelContext;
import org.apache.camel.support.DefaultExchange;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

/** The uploader against the RecoveryConnect sandbox: when it waits and looks a photo up, and how it reports a refusal. */
class PhotoUploaderTest {

    private static final long ORDER = 57076503L;
    private static final Path JPEG = Path.of("src/test/resources/media/key-exif.jpg");
    private static final Duration UNKNOWN_OUTCOME_DELAY = Duration.ofSeconds(30);

    @TempDir
    Path dir;

    private RecoveryConnectSandbox sandbox;
    private Ledger ledger;
    private PhotoUploader uploader;
    private String sha;

    @BeforeEach
    void start() throws Exception {
        sandbox = new RecoveryConnectSandbox(RecoveryConnectSandbox.Settings.defaults().withDataDir(dir.resolve("sandbox")));
        sandbox.start();
        ledger = Ledger.open("jdbc:h2:file:" + dir.resolve(UUID.randomUUID().toString()).toAbsolutePath(), "sa", "", 2);
        RecoveryConnectClient client = new RecoveryConnectClient(new RecoveryConnectSettings(URI.create(sandbox.baseUrl()), "v140",
                "v140", null, "sandbox@example.com", "sandbox", Duration.ofSeconds(2), Duration.ofSeconds(5),
                Duration.ofSeconds(30), Duration.ofSeconds(5)));
        uploader = new PhotoUploader(client, ledger, "run-2", "yyyy-MM-dd HH:mm:ss", null, Duration.ofSeconds(60),
                UNKNOWN_OUTCOME_DELAY);
        sha = HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(Files.readAllBytes(JPEG)));
    }

    @AfterEach
    void stop() throws Exception {
        ledger.close();
        sandbox.stop();
    }

    @Test
    void recentUnknownOutcomeIsLookedUpOnlyAfterTheDelayAndTheWaitIsNoAttempt() throws Exception {
        long id = admit();
        String tagged = PhotoUploader.taggedFileName("a.jpg", sha);
        ledger.claim(id, "crashed-run", tagged);
        StoredPhoto stored = sandbox.seedPhoto(ORDER, tagged, 27, Files.readAllBytes(JPEG), "2025-06-14 09:31:07");
        IngestItem item = item(id);

        assertThat(uploader.lookupDelay(item)).isBetween(UNKNOWN_OUTCOME_DELAY.toMillis() - 5000, UNKNOWN_OUTCOME_DELAY.toMillis());

        // the route's delay step edited out: the uploader itself asks for a redelivery after the rest of the delay
        Exchange exchange = new DefaultExchange(new DefaultCamelContext());
        PhotoUploader.OutcomePending pending = catchThrowableOfType(PhotoUploader.OutcomePending.class,
                () -> uploader.upload(item, exchange));
        assertThat(pending).isInstanceOf(RetryableVendorException.class).hasMessageContaining("looking it up in");
        assertThat(exchange.getIn().getHeader(Exchange.REDELIVERY_DELAY, Long.class)).isGreaterThan(20_000L);
        assertThat(sandbox.createRequests()).isZero();

        exchange.setProperty(Exchange.EXCEPTION_CAUGHT, pending);
        uploader.upload(item, exchange);

        assertThat(exchange.getIn().getHeader(PhotoUploader.OUTCOME)).isEqualTo("RECONCILED");
        assertThat(sandbox.createRequests()).isZero();
        assertThat(ledger.get(id).orElseThrow().state()).isEqualTo(PhotoState.UPLOADED);
        assertThat(ledger.get(id).orElseThrow().rcAttachmentId()).isEqualTo(stored.id());
        assertThat(ledger.get(id).orElseThrow().attempts()).isEqualTo(2);
        assertThat(ledger.timeline(ORDER)).extracting(PhotoEvent::kind).doesNotContain("RETRY");
    }

    @Test
    void freshPhotoHasNothingToWaitFor() {
        assertThat(uploader.lookupDelay(item(admit()))).isZero();
    }

    @Test
    void uploadRefusedWith4xxIsMarkedAsADefiniteRefusal() {
        sandbox.faults().failNext(1, "/photos", new FaultInjector.Status(422, "The picture time is invalid.", null));
        Exchange exchange = new DefaultExchange(new DefaultCamelContext());

        assertThatThrownBy(() -> uploader.upload(item(admit()), exchange)).isInstanceOf(VendorException.class)
                .isNotInstanceOf(RetryableVendorException.class);

        assertThat(exchange.getProperty(IngestOutcomes.UPLOAD_REFUSED, false, Boolean.class)).isTrue();
        assertThat(exchange.getProperty(IngestOutcomes.UPLOAD_CLAIMED, false, Boolean.class)).isTrue();
    }

    @Test
    void uploadAnsweredWith5xxIsNoDefiniteRefusal() {
        sandbox.faults().failNext(1, "/photos", new FaultInjector.Status(503));
        Exchange exchange = new DefaultExchange(new DefaultCamelContext());

        assertThatThrownBy(() -> uploader.upload(item(admit()), exchange)).isInstanceOf(RetryableVendorException.class);

        assertThat(exchange.getProperty(IngestOutcomes.UPLOAD_REFUSED, false, Boolean.class)).isFalse();
    }

    private long admit() {
        return ledger.admit(new NewPhotoRecord(ORDER, sha, JPEG.toUri().toString(), "a.jpg", "IMAGE", "image/jpeg",
                JPEG.toFile().length(), 27, null, null, null, null)).record().id();
    }

    private IngestItem item(long id) {
        return new IngestItem(new Incoming(new FileMediaSource(JPEG), ORDER + "/key/a.jpg", "folder", Manifests.NONE, note -> { }),
                new NameRules.Identity(ORDER, 27, "key", "a.jpg"),
                new Inspection(sha, JPEG.toFile().length(), "image/jpeg", MediaKind.IMAGE, "jpg", null), ledger.get(id).orElseThrow());
    }
}
