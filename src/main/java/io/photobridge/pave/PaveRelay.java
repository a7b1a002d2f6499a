package io.photobridge.pave;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;

import io.photobridge.ingest.FileMediaSource;
import io.photobridge.ingest.Incoming;
import io.photobridge.ingest.IngestPipeline;
import io.photobridge.ingest.Manifests;
import io.photobridge.ingest.MediaSource;
import io.photobridge.records.Ledger;
import io.photobridge.records.PaveCapture;
import io.photobridge.records.PaveRecords;
import io.photobridge.vendor.VendorException;
import org.apache.camel.Exchange;
import org.apache.camel.ProducerTemplate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Relays PAVE QA into the order records and approved photos into RecoveryConnect: polls each linked session (one instance
 * at a time, through a lease in the ledger), records every capture's verdict, and sends each newly approved photo, once,
 * through the ingest pipeline with its PAVE label mapped to a RecoveryConnect photo type.
 */
public final class PaveRelay {

    private static final Logger LOG = LoggerFactory.getLogger(PaveRelay.class);
    private static final Set<String> FINAL = Set.of("COMPLETE", "EXPIRED", "INVALID");

    private final PaveClient client;
    private final PaveRecords records;
    private final Ledger ledger;
    private final ProducerTemplate producer;
    private final Map<Integer, Integer> typeByCode;
    private final Path staging;
    private final String runId;
    private final Duration lease;
    /** Sessions being polled by this instance now (the ledger lease keeps other instances away, this keeps two pollers here apart). */
    private final Set<String> polling = ConcurrentHashMap.newKeySet();

    /** typeByCode: PAVE photo code to RecoveryConnect type id; staging: where photos wait while they are ingested. */
    public PaveRelay(PaveClient client, PaveRecords records, Ledger ledger, ProducerTemplate producer,
                     Map<Integer, Integer> typeByCode, Path staging, String runId, Duration lease) {
        this.client = client;
        this.records = records;
        this.ledger = ledger;
        this.producer = producer;
        this.typeByCode = Map.copyOf(typeByCode);
        this.staging = staging;
        this.runId = runId;
        this.lease = lease;
    }

    /** Polls every active session no other instance is polling. */
    public int pollDue() {
        List<PaveRecords.Session> due = records.claimActive(runId, lease);
        for (PaveRecords.Session session : due) {
            poll(session);
        }
        return due.size();
    }

    /** Polls one session now (a webhook asked), if no other instance holds it; false when it is unknown here or held elsewhere. */
    public boolean pollNow(String sessionKey) {
        Optional<PaveRecords.Session> session = records.session(sessionKey);
        if (session.isEmpty() || !records.claim(sessionKey, runId, lease)) {
            return false;
        }
        poll(session.get());
        return true;
    }

    private void poll(PaveRecords.Session session) {
        String key = session.sessionKey();
        if (!polling.add(key)) {
            return;
        }
        String status = null;
        try {
            status = client.session(key).status();
            for (PavePhoto photo : client.photos(key)) {
                records.verdict(key, session.orderId(), photo.photoCode(), photo.photoLabel(), photo.url(), photo.approved(),
                        photo.approvedMessage(), photo.createdAt().toInstant(), photo.verdictAt().toInstant());
            }
            boolean relayFailed = false;
            for (PaveCapture capture : records.toRelay(key)) {
                relayFailed |= !relay(capture);
            }
            boolean done = status != null && FINAL.contains(status.toUpperCase()) && !relayFailed;
            records.polled(key, status, !done, null);
            if (done) {
                ledger.event(null, session.orderId(), null, "PAVE_DONE", "session " + key + " is " + status + ": polling stopped");
            }
        } catch (PaveSessionNotFound e) {
            records.unknown(key, e.getMessage());
            LOG.warn("PAVE session {} of order {} is unknown to PAVE: no longer polled", key, session.orderId());
        } catch (RuntimeException e) {
            records.polled(key, status, true, e.getMessage());
            LOG.warn("Polling PAVE session {} of order {} failed (tried again at the next poll): {}", key, session.orderId(),
                    e.getMessage());
        } finally {
            polling.remove(key);
        }
    }

    /** Downloads the capture, sends it through the ingest pipeline, and records the outcome; true when it arrived. */
    private boolean relay(PaveCapture capture) {
        Integer type = typeByCode.get(capture.photoCode());
        String name = "pave-" + safe(capture.sessionKey()) + "-" + capture.photoCode() + "-" + safe(capture.photoLabel()) + "-"
                + capture.capturedAt().getEpochSecond() + ".jpg";
        Path file = staging.resolve(UUID.randomUUID().toString()).resolve(name);
        try {
            Files.createDirectories(file.getParent());
            try (InputStream in = client.download(capture.url())) {
                Files.copy(in, file, StandardCopyOption.REPLACE_EXISTING);
            }
            // the picture time is PAVE's capture time, the driver's capture moment, even when the photo has an EXIF date
            MediaSource media = new PaveMediaSource(new FileMediaSource(file), "pave://" + capture.sessionKey() + "/"
                    + capture.photoCode() + "/" + capture.capturedAt(), capture.capturedAt());
            String path = capture.orderId() + "/" + (type == null ? "" : type + "/") + name;
            Incoming incoming = new Incoming(media, path, "pave", Manifests.NONE,
                    note -> LOG.warn("PAVE photo {} not delivered; it stays at PAVE and is tried again at the next poll", name));
            Exchange result = producer.send("direct:ingest", e -> e.getIn().setBody(incoming));
            Long photoId = result.getProperty(IngestPipeline.PHOTO_ID, Long.class);
            if (result.isFailed() || photoId == null) {
                Throwable cause = result.getException();
                records.relayFailed(capture.id(), cause == null ? "not delivered" : cause.getMessage());
                return false;
            }
            noteRetake(capture);
            records.relayed(capture.id(), photoId);
            return true;
        } catch (IOException | VendorException e) {
            records.relayFailed(capture.id(), e.getMessage());
            LOG.warn("Cannot fetch PAVE photo {} of session {}: {}", capture.photoCode(), capture.sessionKey(), e.getMessage());
            return false;
        } finally {
            try {
                Files.deleteIfExists(file);
                Files.deleteIfExists(file.getParent());
            } catch (IOException e) {
                LOG.debug("Cannot delete {}", file, e);
            }
        }
    }

    private void noteRetake(PaveCapture capture) {
        boolean replaces = records.capturesOf(capture.orderId()).stream().anyMatch(c -> c.sessionKey().equals(capture.sessionKey())
                && c.photoCode() == capture.photoCode() && c.id() != capture.id() && PaveCapture.RELAYED.equals(c.relayState()));
        if (replaces) {
            ledger.event(null, capture.orderId(), null, "PAVE_RETAKE", "session " + capture.sessionKey() + ", photo "
                    + capture.photoCode() + " " + capture.photoLabel() + " was retaken after approval: relayed as a new photo");
        }
    }

    /** Links a session to an order from a CSV of order_id,session_key rows (header optional); a bad row fails the file. */
    public int linkCsv(String csv, Exchange exchange) {
        List<String[]> rows = new ArrayList<>();
        int line = 0;
        for (String raw : csv.replace("\uFEFF", "").split("\r?\n")) {
            line++;
            String row = raw.trim();
            if (row.isEmpty() || row.startsWith("#") || row.toLowerCase().startsWith("order_id")) {
                continue;
            }
            String[] cells = row.split(",");
            if (cells.length != 2 || !cells[0].trim().matches("\\d{1,18}") || cells[1].trim().isEmpty()) {
                throw new IllegalArgumentException(exchange.getIn().getHeader(Exchange.FILE_NAME, String.class) + " line " + line
                        + ": expected order_id,session_key (digits, then a PAVE session key), got '" + row + "'");
            }
            rows.add(new String[] {cells[0].trim(), cells[1].trim()});
        }
        for (String[] row : rows) {
            PaveSessionData data = client.session(row[1]);
            records.link(Long.parseLong(row[0]), row[1], data.status(), data.captureUrl());
        }
        return rows.size();
    }

    /** Writes a link file's error note beside it in the error folder. */
    public void linkFailed(Exchange exchange, String errorFolder) throws IOException {
        Throwable cause = exchange.getProperty(Exchange.EXCEPTION_CAUGHT, Throwable.class);
        Path file = Path.of(exchange.getIn().getHeader(Exchange.FILE_PATH, String.class));
        Path note = file.getParent().resolve(errorFolder).resolve(file.getFileName() + ".error.txt");
        Files.createDirectories(note.getParent());
        Files.writeString(note, "PhotoBridge could not link the PAVE sessions of " + file.getFileName() + "\nreason: "
                + (cause == null ? "unknown" : cause.getMessage()) + "\nwhen:   " + Instant.now() + "\n", StandardCharsets.UTF_8);
    }

    private static String safe(String s) {
        return s == null ? "photo" : s.replaceAll("[^A-Za-z0-9_-]", "_");
    }

    /** A staged PAVE photo, named in the records by its session, code and capture time (never by a signed URL). */
    record PaveMediaSource(FileMediaSource file, String uri, Instant capturedAt) implements MediaSource {

        @Override
        public Optional<Instant> captureTime() {
            return Optional.of(capturedAt);
        }

        @Override
        public String displayName() {
            return file.displayName();
        }

        @Override
        public long size() throws IOException {
            return file.size();
        }

        @Override
        public InputStream open() throws IOException {
            return file.open();
        }

        @Override
        public Optional<Instant> lastModified() {
            return file.lastModified();
        }
    }
}
