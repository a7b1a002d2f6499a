package io.photobridge.recoveryconnect;

import java.time.Duration;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

import io.micrometer.core.instrument.Metrics;
import io.micrometer.core.instrument.Timer;
import io.photobridge.ingest.IngestItem;
import io.photobridge.ingest.IngestOutcomes;
import io.photobridge.ingest.PictureTime;
import io.photobridge.records.Ledger;
import io.photobridge.records.PhotoRecord;
import io.photobridge.records.PhotoState;
import io.photobridge.vendor.RetryableVendorException;
import io.photobridge.vendor.VendorException;
import org.apache.camel.Exchange;
import org.apache.camel.support.SynchronizationAdapter;

/**
 * Uploads an ingested photo to its RecoveryConnect order exactly once: claims it in the ledger, reconciles an attempt whose
 * outcome is unknown (crash, dropped connection) against the order's photo list by the hash tag in {@code file_name}, then uploads.
 */
public final class PhotoUploader {

    /** Header set to what happened: UPLOADED, RECONCILED or DUPLICATE. */
    public static final String OUTCOME = "PhotoBridgeOutcome";
    private static final String CLAIMED = IngestOutcomes.UPLOAD_CLAIMED;
    private static final int TAG_HEX = 12;
    /**
     * Time of each upload step, claim to outcome (Micrometer's global registry, which PhotoBridge joins to the one
     * /observe/metrics shows): recorded here rather than by two micrometer:timer steps in the route, whose header handling
     * cost 5% of the CPU per photo.
     */
    private static final Timer UPLOAD_TIME = Timer.builder("photobridge.upload")
            .description("RecoveryConnect upload steps: claim, reconciliation if due, upload and its record").register(Metrics.globalRegistry);

    private final RecoveryConnectClient client;
    private final Ledger ledger;
    private final String runId;
    private final DateTimeFormatter pictureTimeFormat;
    private final ZoneId pictureTimeZone;
    private final Duration maxRetryAfter;
    private final Duration unknownOutcomeDelay;
    /** Photos an exchange of this process has claimed and not finished with. */
    private final Set<Long> inFlight = ConcurrentHashMap.newKeySet();

    /**
     * @param runId             identifies this process run in the ledger, to tell a crashed attempt from one in flight
     * @param pictureTimeFormat the {@code picture_time} format, e.g. yyyy-MM-dd HH:mm:ss
     * @param pictureTimeZone   zone to convert picture times to when their offset is known; null keeps the camera's local time
     * @param maxRetryAfter     the longest {@code Retry-After} honoured
     * @param unknownOutcomeDelay after an upload that got no answer, the least wait before the retry looks for the photo in the
     *                          order's list (RecoveryConnect may still be storing the photo the client gave up on)
     */
    public PhotoUploader(RecoveryConnectClient client, Ledger ledger, String runId, String pictureTimeFormat,
                         ZoneId pictureTimeZone, Duration maxRetryAfter, Duration unknownOutcomeDelay) {
        this.client = client;
        this.ledger = ledger;
        this.runId = runId;
        this.pictureTimeFormat = DateTimeFormatter.ofPattern(pictureTimeFormat, Locale.ROOT);
        this.pictureTimeZone = pictureTimeZone;
        this.maxRetryAfter = maxRetryAfter;
        this.unknownOutcomeDelay = unknownOutcomeDelay;
    }

    /**
     * How long (ms) the upload step must still wait before it may look up an earlier attempt whose outcome is unknown
     * (RecoveryConnect may still be storing it); 0 when no lookup is due. The route waits this long without holding a thread.
     */
    public long lookupDelay(IngestItem item) {
        if (item.record().state() == PhotoState.RECEIVED) {
            // never tried (the usual case: no query). Should another exchange claim it meanwhile, upload's claim sees that.
            return 0;
        }
        long photoId = item.record().id();
        return ledger.unconfirmedSince(photoId, runId, inFlight.contains(photoId)).map(this::remainingWait)
                .orElse(Duration.ZERO).toMillis();
    }

    private Duration remainingWait(Instant lastTry) {
        Duration wait = Duration.between(Instant.now(), lastTry.plus(unknownOutcomeDelay));
        return wait.isNegative() ? Duration.ZERO : wait;
    }

    public void upload(IngestItem item, Exchange exchange) {
        Timer.Sample sample = Timer.start();
        try {
            send(item, exchange);
        } finally {
            sample.stop(UPLOAD_TIME);
        }
    }

    private void send(IngestItem item, Exchange exchange) {
        exchange.getIn().removeHeader(Exchange.REDELIVERY_DELAY);
        long photoId = item.record().id();
        long orderId = item.identity().orderId();
        String fileName = taggedFileName(item.identity().fileName(), item.inspection().sha256());
        String tag = tag(item.inspection().sha256());

        boolean retry = exchange.getProperty(CLAIMED, false, Boolean.class);
        boolean reconcileFirst;
        if (retry) {
            // the previous attempt of this exchange may have reached RecoveryConnect before the connection broke
            Throwable previous = exchange.getProperty(Exchange.EXCEPTION_CAUGHT, Throwable.class);
            if (!(previous instanceof OutcomePending)) {
                ledger.retrying(photoId, previous == null ? "retry" : previous.toString());
            }
            reconcileFirst = true;
        } else {
            // one upload per photo in this process; the ledger tells other runs apart. A row this run left UPLOADING that no
            // exchange holds any more (it ended without recording an outcome) is stale, not busy.
            Ledger.Claim claim = Ledger.Claim.BUSY;
            if (inFlight.add(photoId)) {
                exchange.getExchangeExtension().addOnCompletion(new SynchronizationAdapter() {
                    @Override
                    public void onDone(Exchange done) {
                        inFlight.remove(photoId);
                    }
                });
                claim = ledger.claim(photoId, runId, fileName, false);
            }
            switch (claim) {
                case DONE, BUSY -> {
                    PhotoRecord row = ledger.get(photoId).orElseThrow();
                    ledger.event(photoId, orderId, item.incoming().media().uri(), "DUPLICATE", item.incoming().path()
                            + " has the same bytes as photo " + photoId + " (" + row.state()
                            + (row.rcAttachmentId() == null ? "" : ", attachment " + row.rcAttachmentId()) + "): not sent again");
                    exchange.getIn().setHeader(OUTCOME, "DUPLICATE");
                    return;
                }
                case STALE, UNCONFIRMED -> reconcileFirst = true;
                default -> reconcileFirst = false;
            }
            exchange.setProperty(CLAIMED, true);
            if (reconcileFirst) {
                // the route's delay step normally waited already; if it was edited out, wait by a redelivery (never a sleep)
                Duration wait = remainingWait(item.record().updatedAt());
                if (wait.toMillis() > 0) {
                    exchange.getIn().setHeader(Exchange.REDELIVERY_DELAY, wait.toMillis());
                    throw new OutcomePending(orderId, fileName, wait);
                }
            }
        }
        boolean creating = false;
        try {
            if (reconcileFirst) {
                Optional<OrderPhoto> existing = client.listPhotos(orderId).stream()
                        .filter(p -> p.filename() != null && p.filename().contains(tag)).findFirst();
                if (existing.isPresent()) {
                    ledger.markUploaded(photoId, existing.get().id(), "reconciled: RecoveryConnect already holds "
                            + existing.get().filename());
                    exchange.getIn().setHeader(OUTCOME, "RECONCILED");
                    exchange.getIn().setHeader("PhotoBridgeAttachmentId", existing.get().id());
                    return;
                }
                ledger.event(photoId, orderId, item.incoming().media().uri(), "LOOKED_UP",
                        "order " + orderId + " holds no photo tagged " + tag + ": sending " + fileName);
            }
            String imageName = exchange.getIn().getHeader("PhotoBridgeImageName", item.identity().fileName(), String.class);
            NewPhoto photo = new NewPhoto(fileName, imageName, pictureTime(item.inspection().pictureTime()),
                    item.identity().typeId());
            creating = true;
            CreatedPhoto created = client.createPhoto(orderId, photo, item.incoming().media());
            ledger.markUploaded(photoId, created.attachmentId(), "uploaded");
            exchange.getIn().setHeader(OUTCOME, "UPLOADED");
            exchange.getIn().setHeader("PhotoBridgeAttachmentId", created.attachmentId());
        } catch (RetryableVendorException e) {
            e.retryAfter().ifPresent(delay -> exchange.getIn().setHeader(Exchange.REDELIVERY_DELAY,
                    Math.min(delay.toMillis(), maxRetryAfter.toMillis())));
            if (creating && e.status() == 0) {
                // No answer to the upload: RecoveryConnect may have it and still be storing it. A retry that looked for it at once
                // would not find it yet and send a second copy, so the lookup waits.
                long delay = Math.max(unknownOutcomeDelay.toMillis(),
                        exchange.getIn().getHeader(Exchange.REDELIVERY_DELAY, 0L, Long.class));
                exchange.getIn().setHeader(Exchange.REDELIVERY_DELAY, delay);
            }
            throw e;
        } catch (VendorException e) {
            if (creating && e.status() / 100 == 4) {
                // a definite refusal of the upload itself: nothing was stored, a re-send needs no lookup
                exchange.setProperty(IngestOutcomes.UPLOAD_REFUSED, true);
            }
            throw e;
        }
    }

    /** Waiting for an earlier attempt's unknown outcome to settle before looking the photo up (retried after the delay). */
    public static final class OutcomePending extends RetryableVendorException {
        private final String message;

        OutcomePending(long orderId, String fileName, Duration wait) {
            super(RecoveryConnectClient.VENDOR, "look up " + fileName + " (order " + orderId + ")", 0, null, wait);
            this.message = "RecoveryConnect may still be storing an earlier upload of " + fileName + " (order " + orderId
                    + "): looking it up in " + wait.toMillis() + " ms, before sending anything";
        }

        @Override
        public String getMessage() {
            return message;
        }
    }

    /** {@code IMG_0001.JPG} becomes {@code IMG_0001-pb3f9a2c1d4e5f.JPG}: the original name plus a short content-hash tag. */
    public static String taggedFileName(String original, String sha256) {
        int dot = original.lastIndexOf('.');
        String base = dot > 0 ? original.substring(0, dot) : original;
        String ext = dot > 0 ? original.substring(dot) : "";
        return base + "-" + tag(sha256) + ext;
    }

    static String tag(String sha256) {
        return "pb" + sha256.substring(0, TAG_HEX);
    }

    String pictureTime(PictureTime time) {
        if (time == null) {
            return pictureTimeFormat.format(LocalDateTime.now(pictureTimeZone == null ? ZoneId.systemDefault() : pictureTimeZone));
        }
        LocalDateTime local = time.local();
        if (pictureTimeZone != null && time.offset() != null) {
            local = time.local().atOffset(time.offset()).atZoneSameInstant(pictureTimeZone).toLocalDateTime();
        }
        return pictureTimeFormat.format(local);
    }
}
