package io.photobridge.inspektlabs;

import java.io.IOException;
import java.net.ConnectException;
import java.net.http.HttpConnectTimeoutException;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

import io.photobridge.ingest.FileMediaSource;
import io.photobridge.ingest.MediaSource;
import io.photobridge.ingest.S3Urls;
import io.photobridge.records.DamageJob;
import io.photobridge.records.DamageJobState;
import io.photobridge.records.DamageRecords;
import io.photobridge.records.Ledger;
import io.photobridge.records.PhotoRecord;
import io.photobridge.records.PhotoState;
import io.photobridge.recoveryconnect.RecoveryConnectClient;
import io.photobridge.vendor.RetryableVendorException;
import org.apache.camel.Exchange;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Sends one batch of an order's media to Inspektlabs with a fresh session, and gives every answer of the spec its defined
 * behaviour: too many images → split and resend; invalid items → excluded with the vendor's message, the rest resent;
 * session already used → new session, resent once; missing callback_url → configuration error, batch kept; 429 / 503 /
 * 5xx / no answer → thrown for the route's redelivery (the batch stays in the aggregation repository). Each session is
 * recorded on the job before its upload is sent; when the upload's answer is lost (sent, then a timeout or a dropped
 * connection) the batch is not sent again before the lost-answer wait is over, since Inspektlabs may have accepted it and
 * its report will then come for that session.
 */
public final class DamageSubmitter {

    private static final Logger LOG = LoggerFactory.getLogger(DamageSubmitter.class);
    private static final Set<String> ACCEPTED = Set.of("jpg", "jpeg", "png", "jfif", "heic", "mp4", "webm", "mov", "mkv", "avi");
    private static final long ONE_MB = 1024 * 1024;

    /** How a source's media reach Inspektlabs: uploaded bytes, or links it fetches itself. */
    public enum Mode {
        /** Multipart upload of the staged bytes (works for every source and kind). */
        FILE,
        /** Pre-signed links to the delivered S3 objects. */
        S3_URL,
        /** Fresh RecoveryConnect photo_url links (images already uploaded there). */
        RECOVERYCONNECT_URL;

        /** file, s3-url or recoveryconnect-url. */
        public static Mode of(String setting) {
            return Mode.valueOf(setting.trim().toUpperCase(Locale.ROOT).replace('-', '_'));
        }
    }

    private final InspektlabsClient client;
    private final DamageRecords damage;
    private final Ledger ledger;
    private final MediaStore store;
    private final String callbackUrl;
    private final Map<String, Mode> modes;
    private final S3Urls s3Urls;
    private final RecoveryConnectClient recoveryConnect;
    private final Duration lostAnswerWait;
    private final Duration claimFor;
    private final Clock clock;

    /**
     * callbackUrl: PhotoBridge's public webhook URL for reports, secret included; modes: per source kind (folder, s3);
     * s3Urls and recoveryConnect: for the URL modes (s3Urls null when there is no S3 source); lostAnswerWait: how long a
     * batch whose upload answer was lost waits for that upload's report before it is sent again.
     */
    public DamageSubmitter(InspektlabsClient client, DamageRecords damage, Ledger ledger, MediaStore store, String callbackUrl,
                           Map<String, Mode> modes, S3Urls s3Urls, RecoveryConnectClient recoveryConnect, Duration lostAnswerWait) {
        this(client, damage, ledger, store, callbackUrl, modes, s3Urls, recoveryConnect, lostAnswerWait, Clock.systemUTC());
    }

    DamageSubmitter(InspektlabsClient client, DamageRecords damage, Ledger ledger, MediaStore store, String callbackUrl,
                    Map<String, Mode> modes, S3Urls s3Urls, RecoveryConnectClient recoveryConnect, Duration lostAnswerWait,
                    Clock clock) {
        this.client = client;
        this.damage = damage;
        this.ledger = ledger;
        this.store = store;
        this.callbackUrl = callbackUrl;
        this.modes = Map.copyOf(modes);
        this.s3Urls = s3Urls;
        this.recoveryConnect = recoveryConnect;
        this.lostAnswerWait = lostAnswerWait;
        // one upload at most: authentication, then the upload's own timeout, with a margin
        InspektlabsSettings settings = client.settings();
        this.claimFor = settings.connectTimeout().multipliedBy(2).plus(settings.requestTimeout()).plus(settings.uploadTimeout())
                .plusMinutes(1);
        this.clock = clock;
    }

    /** Submits the batch in the body (photo ids); the batch key is the aggregated exchange's id, stable across retries. */
    public void submit(List<Long> photoIds, Exchange exchange) {
        exchange.getIn().removeHeader(Exchange.REDELIVERY_DELAY);
        long orderId = exchange.getIn().getHeader("PhotoBridgeOrderId", Long.class);
        String kind = exchange.getIn().getHeader("PhotoBridgeMediaKind", String.class);
        String caseId = exchange.getIn().getHeader("PhotoBridgeCaseId", String.valueOf(orderId), String.class);
        DamageJob job = damage.open(exchange.getExchangeId(), orderId, kind, caseId, photoIds);
        try {
            send(job, true);
        } catch (RetryableVendorException e) {
            damage.problem(job.id(), e.getMessage());
            e.retryAfter().ifPresent(d -> exchange.getIn().setHeader(Exchange.REDELIVERY_DELAY, d.toMillis()));
            throw e;
        }
    }

    /** Marks the batch FAILED after its retries ran out. */
    public void giveUp(Exchange exchange) {
        Throwable cause = exchange.getProperty(Exchange.EXCEPTION_CAUGHT, Throwable.class);
        damage.byBatch(exchange.getExchangeId()).ifPresent(job -> damage.failed(job.id(),
                "retries exhausted: " + (cause == null ? "unknown" : cause.getMessage())));
    }

    private void send(DamageJob job, boolean mayRenewSession) {
        if (job.state() != DamageJobState.PENDING) {
            sendSplitHalves(job);
            return;
        }
        if (!damage.claim(job.id(), clock.instant().plus(claimFor))) {
            DamageJob current = damage.get(job.id()).orElseThrow();
            if (current.state() != DamageJobState.PENDING) {
                sendSplitHalves(current);
                return;
            }
            throw new InspektlabsBatchBusy(job.id());
        }
        Refused refused;
        try {
            refused = sendClaimed(job);
        } finally {
            damage.release(job.id());
        }
        if (refused != null) {
            handle(job, refused.photos(), refused.rejection(), mayRenewSession);
        }
    }

    /** An upload Inspektlabs refused with a rule of its spec, and the photos it held. */
    private record Refused(List<PhotoRecord> photos, InspektlabsRejection rejection) {
    }

    /** One upload of a job this sender holds; the refusal to handle once the job is let go, or null. */
    private Refused sendClaimed(DamageJob job) {
        Optional<DamageRecords.LostAnswer> lost = damage.lostAnswer(job.id());
        if (lost.isPresent()) {
            Instant until = lost.get().at().plus(lostAnswerWait);
            if (clock.instant().isBefore(until)) {
                throw new InspektlabsAnswerLost(job.id(), lost.get().session(), until);
            }
            LOG.warn("Damage job {}: no report for inspection {} {} after its upload answer was lost; sending the batch again",
                    job.id(), lost.get().session(), lostAnswerWait);
            damage.noReport(lost.get().session());
        }
        List<PhotoRecord> photos = damage.includedPhotos(job.id()).stream().map(id -> ledger.get(id).orElseThrow()).toList();
        if (photos.isEmpty()) {
            damage.failed(job.id(), "no media left to send");
            return null;
        }
        List<String> urls = urls(photos);
        damage.attempt(job.id());
        InspektlabsSession session = client.authenticate();
        // before the upload: a report for this session finds its job, whatever becomes of the upload's answer
        damage.sessionOpened(job.id(), session.session());
        try {
            UploadOptions options = new UploadOptions(callbackUrl, null, null, null);
            if (urls == null) {
                client.uploadFiles(session, job.caseId(), sources(photos), options);
            } else {
                client.uploadUrls(session, job.caseId(), new UrlUpload(urls, List.of(),
                        photos.stream().map(PhotoRecord::originalName).toList(), List.of(), null, Map.of()), options);
            }
        } catch (InspektlabsRejection rejection) {
            damage.sessionRefused(session.session());
            return new Refused(photos, rejection);
        } catch (RetryableVendorException e) {
            if (!answerLost(e)) {
                damage.sessionRefused(session.session());
                throw e;
            }
            InspektlabsAnswerLost wait = new InspektlabsAnswerLost(job.id(), session.session(), clock.instant().plus(lostAnswerWait));
            damage.answerLost(job.id(), session.session(), e.getMessage() + "; Inspektlabs may have accepted it: waiting until "
                    + wait.until() + " for its report before sending again");
            throw wait;
        } catch (RuntimeException e) {
            // another error answer, or a staged file that could not be read: the upload was not accepted
            damage.sessionRefused(session.session());
            throw e;
        }
        damage.submitted(job.id(), session.session());
        for (PhotoRecord photo : photos) {
            try {
                store.release(photo.sha256());
            } catch (IOException e) {
                LOG.warn("Cannot drop the staged copy of {}: {}", photo.originalName(), e.toString());
            }
        }
        return null;
    }

    private void handle(DamageJob job, List<PhotoRecord> photos, InspektlabsRejection rejection, boolean mayRenewSession) {
        switch (rejection.reason()) {
            case SESSION_USED -> {
                if (!mayRenewSession) {
                    damage.failed(job.id(), rejection.getMessage() + " (again, with a new session)");
                    return;
                }
                send(job, false);
            }
            case TOO_MANY_IMAGES -> {
                int half = photos.size() / 2;
                List<Long> ids = photos.stream().map(PhotoRecord::id).toList();
                DamageJob first = damage.open(job.batchKey() + "/1", job.orderId(), job.mediaKind(), job.caseId(), ids.subList(0, half));
                DamageJob second = damage.open(job.batchKey() + "/2", job.orderId(), job.mediaKind(), job.caseId(),
                        ids.subList(half, ids.size()));
                damage.failed(job.id(), rejection.getMessage() + "; split into jobs " + first.id() + " and " + second.id());
                sendSplitHalves(damage.get(job.id()).orElseThrow());
            }
            case INVALID_FILE_TYPE, UNSUPPORTED_MEDIA_TYPE -> exclude(job, photos, rejection,
                    p -> !ACCEPTED.contains(extension(p.originalName()))
                            || p.mimeType() == null || !(p.mimeType().startsWith("image/") || p.mimeType().startsWith("video/")));
            case VIDEO_TOO_SMALL -> exclude(job, photos, rejection,
                    p -> "VIDEO".equals(p.mediaKind()) && p.sizeBytes() != null && p.sizeBytes() <= ONE_MB);
            case CALLBACK_URL_MISSING -> {
                String message = "Inspektlabs needs a callback_url: set photobridge.inspektlabs.public-base-url to the address"
                        + " Inspektlabs can reach PhotoBridge at (" + rejection.getMessage() + ")";
                LOG.error("Configuration error, damage batch {} kept: {}", job.id(), message);
                throw new RetryableVendorException(rejection.vendor(), rejection.operation(), rejection.status(), message, null);
            }
            default -> damage.failed(job.id(), rejection.getMessage());
        }
    }

    /**
     * A job split in two (400 "Maximum 99 images") whose halves may not all have been sent: a retry of the batch sends them.
     * A half waiting for a lost answer does not hold the other back.
     */
    private void sendSplitHalves(DamageJob job) {
        InspektlabsAnswerLost waiting = null;
        for (String half : List.of("/1", "/2")) {
            Optional<DamageJob> part = damage.byBatch(job.batchKey() + half);
            if (part.isPresent()) {
                try {
                    send(part.get(), true);
                } catch (InspektlabsAnswerLost e) {
                    waiting = e;
                }
            }
        }
        if (waiting != null) {
            throw waiting;
        }
    }

    /** An upload sent without an answer (timeout, dropped connection): Inspektlabs may have it. Refused connections never reached it. */
    static boolean answerLost(RetryableVendorException e) {
        if (e.status() != 0) {
            return false;
        }
        Throwable cause = e.getCause();
        return !(cause instanceof ConnectException || cause instanceof HttpConnectTimeoutException);
    }

    private void exclude(DamageJob job, List<PhotoRecord> photos, InspektlabsRejection rejection,
                         java.util.function.Predicate<PhotoRecord> offending) {
        List<PhotoRecord> bad = photos.stream().filter(offending).toList();
        if (bad.isEmpty()) {
            damage.failed(job.id(), rejection.getMessage() + " (no item of the batch could be singled out)");
            return;
        }
        for (PhotoRecord photo : bad) {
            damage.excludePhoto(job.id(), photo.id(), "not sent for damage analysis: " + rejection.getMessage());
        }
        send(damage.get(job.id()).orElseThrow(), true);
    }

    /** Links for a URL-mode batch, or null to upload the bytes (a mixed batch, videos for RecoveryConnect, a link missing). */
    private List<String> urls(List<PhotoRecord> photos) {
        Mode mode = modeOf(photos.get(0));
        if (mode == Mode.FILE || photos.stream().anyMatch(p -> modeOf(p) != mode)) {
            return null;
        }
        List<String> urls = new ArrayList<>();
        for (PhotoRecord photo : photos) {
            String url = null;
            if (mode == Mode.S3_URL && s3Urls != null) {
                if (photo.state() == PhotoState.RECEIVED || photo.state() == PhotoState.UPLOADING) {
                    // the object moves under the done prefix when its ingest ends: link it there, not before
                    throw new RetryableVendorException(InspektlabsClient.VENDOR, "link " + photo.sourceUri(), 0,
                            "waiting for the ingest of " + photo.originalName() + " to finish", null);
                }
                url = s3Urls.presigned(photo.sourceUri());
            } else if (mode == Mode.RECOVERYCONNECT_URL && photo.state() == PhotoState.UPLOADED && photo.rcAttachmentId() != null) {
                url = recoveryConnect.getPhoto(photo.orderId(), photo.rcAttachmentId()).photoUrl();
            }
            if (url == null) {
                LOG.info("Damage batch of order {}: no {} link for {}; uploading the bytes instead", photo.orderId(),
                        mode.name().toLowerCase(Locale.ROOT), photo.originalName());
                return null;
            }
            urls.add(url);
        }
        return urls;
    }

    private Mode modeOf(PhotoRecord photo) {
        String source = photo.sourceUri() != null && photo.sourceUri().startsWith("s3://") ? "s3" : "folder";
        return modes.getOrDefault(source, Mode.FILE);
    }

    private List<MediaSource> sources(List<PhotoRecord> photos) {
        List<MediaSource> sources = new ArrayList<>();
        for (PhotoRecord photo : photos) {
            Path staged = store.path(photo.sha256(), photo.originalName());
            sources.add(photo.mimeType() == null ? new FileMediaSource(staged)
                    : new TypedMediaSource(new FileMediaSource(staged), photo.mimeType()));
        }
        return sources;
    }

    private static String extension(String name) {
        int dot = name.lastIndexOf('.');
        return dot < 0 ? "" : name.substring(dot + 1).toLowerCase(Locale.ROOT);
    }
}
