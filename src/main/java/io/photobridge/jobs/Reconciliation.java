package io.photobridge.jobs;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.DigestInputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.function.Supplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import io.photobridge.ingest.FileMediaSource;
import io.photobridge.ingest.Incoming;
import io.photobridge.ingest.Manifests;
import io.photobridge.records.Ledger;
import io.photobridge.records.PhotoRecord;
import io.photobridge.records.PhotoState;
import io.photobridge.recoveryconnect.OrderPhoto;
import io.photobridge.recoveryconnect.PhotoUploader;
import io.photobridge.recoveryconnect.RecoveryConnectClient;
import io.photobridge.vendor.VendorException;
import org.apache.camel.Exchange;
import org.apache.camel.ProducerTemplate;

/**
 * Compares the ledger with RecoveryConnect for every order active in the last days: an UPLOADED photo RecoveryConnect no
 * longer holds is flagged (and, when set, sent again through the ingest pipeline and the upload route: exactly once, by the
 * ledger's claim), a RecoveryConnect photo with a PhotoBridge tag the ledger does not know is recorded, and a photo left
 * UPLOADING is resolved by looking it up by its tag.
 */
public final class Reconciliation implements Job {

    /** The tag {@link PhotoUploader#taggedFileName} puts before the extension: -pb + 12 hex digits of the sha256. */
    private static final Pattern TAG = Pattern.compile("-(pb[0-9a-f]{12})(?:\\.[^.]*)?$");

    private final JobRecords records;
    private final Ledger ledger;
    private final RecoveryConnectClient client;
    private final Supplier<ProducerTemplate> producer;
    private final Duration window;
    private final boolean reupload;
    private final Duration uploadingAfter;
    private final Path inbox;
    private final Supplier<Path> done;
    private final Path media;

    /**
     * @param window         orders with activity this recent are reconciled
     * @param reupload       send a photo missing in RecoveryConnect again
     * @param uploadingAfter a photo UPLOADING for longer than this is no upload in flight any more: it is resolved
     * @param inbox          the drop folder, and {@code done} its delivered files (read at each run: a route setting):
     *                       where the bytes of a re-upload are found
     * @param media          the damage media folder (bytes of recent photos, by sha256)
     */
    public Reconciliation(JobRecords records, Ledger ledger, RecoveryConnectClient client, Supplier<ProducerTemplate> producer,
                          Duration window, boolean reupload, Duration uploadingAfter, Path inbox, Supplier<Path> done, Path media) {
        this.records = records;
        this.ledger = ledger;
        this.client = client;
        this.producer = producer;
        this.window = window;
        this.reupload = reupload;
        this.uploadingAfter = uploadingAfter;
        this.inbox = inbox.toAbsolutePath().normalize();
        this.done = done;
        this.media = media.toAbsolutePath().normalize();
    }

    @Override
    public void run(JobReport report) {
        report.declare("orders", "checked", "missing", "reuploaded", "untracked", "transferredIn", "resolved", "unknownOrders");
        for (long order : records.activeOrders(Instant.now().minus(window))) {
            report.count("orders");
            reconcile(order, report);
        }
    }

    private void reconcile(long order, JobReport report) {
        List<OrderPhoto> held;
        try {
            held = client.listPhotos(order);
        } catch (VendorException e) {
            if (e.status() == 404) {
                report.count("unknownOrders");
                report.detail("order " + order + ": RecoveryConnect does not know this order (" + e.getMessage() + ")");
            } else {
                report.error("order " + order + ": cannot list its photos, checked again at the next run (" + e.getMessage() + ")");
            }
            return;
        }
        List<PhotoRecord> rows = ledger.photos(order).stream().filter(r -> r.sha256() != null).toList();
        Set<String> known = new HashSet<>();
        List<String> found = new ArrayList<>();
        for (PhotoRecord row : rows) {
            String tag = tag(row.sha256());
            known.add(tag);
            Optional<OrderPhoto> byId = held.stream().filter(p -> row.rcAttachmentId() != null && p.id() == row.rcAttachmentId())
                    .findFirst();
            Optional<OrderPhoto> byTag = held.stream().filter(p -> tag.equals(tagOf(p.filename()))).findFirst();
            if (row.state() == PhotoState.UPLOADED) {
                report.count("checked");
                if (byId.isEmpty() && byTag.isEmpty()) {
                    missing(row, tag, report);
                }
            } else if (row.state() == PhotoState.UPLOADING && row.updatedAt().isBefore(Instant.now().minus(uploadingAfter))) {
                report.count("resolved");
                if (byTag.isPresent()) {
                    ledger.markUploaded(row.id(), byTag.get().id(), "reconciled by the reconciliation job: RecoveryConnect holds "
                            + byTag.get().filename());
                    found.add("photo " + row.id() + " was left UPLOADING: RecoveryConnect holds it as attachment " + byTag.get().id());
                } else {
                    ledger.markFailed(row.id(), "left UPLOADING since " + row.updatedAt() + " and order " + order
                            + " holds no photo tagged " + tag + " (reconciliation job): put the file back to send it"
                            + " (it is looked up first)");
                    found.add("photo " + row.id() + " was left UPLOADING and is not in RecoveryConnect: FAILED");
                }
            }
        }
        for (OrderPhoto photo : held) {
            String tag = tagOf(photo.filename());
            if (tag != null && !known.contains(tag) && photo.parentAttachmentOrderId() != null
                    && photo.parentAttachmentOrderId() != order) {
                // a copy transferred from another order: that order's records know it
                report.count("transferredIn");
            } else if (tag != null && !known.contains(tag)) {
                report.count("untracked");
                String detail = "attachment " + photo.id() + " (" + photo.filename() + ") carries the PhotoBridge tag " + tag;
                if (!records.hasEvent(order, "RC_UNTRACKED", detail)) {
                    ledger.event(null, order, null, "RC_UNTRACKED", detail + ", but the order records hold no photo with it"
                            + " (sent by another PhotoBridge, or its records were lost)");
                }
                found.add("untracked " + detail);
            }
        }
        found.forEach(line -> report.detail("order " + order + ": " + line));
    }

    /**
     * The ledger is set right first (FAILED, no attachment: a put-back file is sent again, without a lookup), so the photo is
     * flagged once; then, when set and its bytes are still here, it is sent again.
     */
    private void missing(PhotoRecord row, String tag, JobReport report) {
        report.count("missing");
        long order = row.orderId();
        String what = "attachment " + row.rcAttachmentId() + " (" + row.rcFileName() + ") of photo " + row.id();
        String gone = what + " is no longer in RecoveryConnect (order " + order + " holds no photo tagged " + tag + ")";
        Optional<Path> bytes = reupload ? bytesOf(row) : Optional.empty();
        String next = !reupload ? "not sent again (photobridge.reconcile.reupload=false); put the file back into the inbox to send it"
                : bytes.isPresent() ? "sending it again from " + bytes.get()
                : "its bytes are no longer here (" + row.sourceUri() + "): put the file back into the inbox to send it";
        if (!records.missingInRecoveryConnect(row.id(), order, row.sourceUri(), gone + ": " + next)) {
            report.detail("order " + order + ": photo " + row.id() + " changed while it was checked: left to the next run");
            return;
        }
        if (!reupload) {
            report.detail("order " + order + ": " + gone + ", " + next);
            return;
        }
        if (bytes.isEmpty()) {
            report.error("order " + order + ": " + gone + " and its bytes are gone: not sent again");
            return;
        }
        String path = order + "/" + (row.typeId() == null ? "" : row.typeId() + "/") + row.originalName();
        List<String> notes = new ArrayList<>();
        Incoming incoming = new Incoming(new FileMediaSource(bytes.get()), path, "reconcile", Manifests.NONE, notes::add);
        Exchange result = producer.get().send("direct:ingest", e -> e.getIn().setBody(incoming));
        if (result.isFailed()) {
            Throwable cause = result.getException();
            report.error("order " + order + ": photo " + row.id() + " not sent again: "
                    + (cause == null ? String.join("; ", notes) : cause.getMessage()) + " (the ledger says why; the file stays at "
                    + bytes.get() + ")");
            return;
        }
        report.count("reuploaded");
        report.detail("order " + order + ": " + what + " of photo " + row.id() + " was missing: "
                + result.getMessage().getHeader(PhotoUploader.OUTCOME, "sent", String.class) + " again as attachment "
                + result.getMessage().getHeader("PhotoBridgeAttachmentId", String.class));
    }

    /** Where the photo's bytes still are: its delivered copy in .done/, its source file, or the damage media folder. */
    private Optional<Path> bytesOf(PhotoRecord row) {
        List<Path> candidates = new ArrayList<>();
        if (row.sourceUri() != null && row.sourceUri().startsWith("file:")) {
            Path source = Path.of(URI.create(row.sourceUri())).toAbsolutePath().normalize();
            if (source.startsWith(inbox)) {
                candidates.add(done.get().toAbsolutePath().normalize().resolve(inbox.relativize(source).toString()));
            }
            candidates.add(source);
        }
        if (row.originalName() != null) {
            Path staged = media.resolve(row.sha256());
            if (Files.isDirectory(staged)) {
                try (var files = Files.list(staged)) {
                    files.filter(Files::isRegularFile).forEach(candidates::add);
                } catch (IOException e) {
                    // not there after all: the other candidates remain
                }
            }
        }
        return candidates.stream().filter(Files::isRegularFile).filter(p -> row.sha256().equals(sha256(p))).findFirst();
    }

    private static String sha256(Path file) {
        try (InputStream in = new DigestInputStream(Files.newInputStream(file), MessageDigest.getInstance("SHA-256"))) {
            in.transferTo(OutputStream.nullOutputStream());
            return HexFormat.of().formatHex(((DigestInputStream) in).getMessageDigest().digest());
        } catch (IOException | NoSuchAlgorithmException e) {
            return null;
        }
    }

    static String tag(String sha256) {
        return "pb" + sha256.substring(0, 12);
    }

    /** The PhotoBridge tag in a RecoveryConnect file name, or null. */
    static String tagOf(String fileName) {
        if (fileName == null) {
            return null;
        }
        Matcher m = TAG.matcher(fileName);
        return m.find() ? m.group(1) : null;
    }
}
