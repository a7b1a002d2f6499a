package io.photobridge.console;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import io.photobridge.records.Ledger;
import org.apache.camel.spi.IdempotentRepository;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import software.amazon.awssdk.core.ResponseBytes;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.GetObjectResponse;
import software.amazon.awssdk.services.s3.model.NoSuchKeyException;
import software.amazon.awssdk.services.s3.model.S3Object;

/**
 * The inputs PhotoBridge gave up on, in the drop folder's error folder and under the S3 error prefix, each with the reason
 * of its note; a retry puts one back where it came from, removes its note and records the retry in the order's timeline.
 */
public final class FailedFiles {

    private static final Logger LOG = LoggerFactory.getLogger(FailedFiles.class);
    private static final String NOTE = ".error.txt";
    private static final Pattern ORDER_LINE = Pattern.compile("(?m)^order:\\s+(\\d+)(?:, photo record (\\d+))?");
    private static final Pattern ORDER_FOLDER = Pattern.compile("^(\\d{1,18})/");

    /**
     * One failed input: id "folder:&lt;path&gt;" or "s3:&lt;key&gt;", its path below the inbox (or key), why, when; reasonGroup:
     * the reason without what is particular to this file (see {@link #reasonGroup}), for "retry all with this reason".
     */
    public record Failed(String id, String source, String path, long sizeBytes, Instant failedAt, String reason, String reasonGroup,
                         Long orderId, Long photoId) {
    }

    private final Path inbox;
    private final Path errors;
    private final S3Client s3;
    private final String bucket;
    private final String errorPrefix;
    private final IdempotentRepository s3Processed;
    private final Ledger ledger;
    private volatile String s3Problem;

    /** s3: null when no bucket is configured; s3Processed: the S3 route's record of objects taken (may be null). */
    public FailedFiles(Path inbox, String errorFolder, S3Client s3, String bucket, String errorPrefix, IdempotentRepository s3Processed,
                       Ledger ledger) {
        this.inbox = inbox.toAbsolutePath().normalize();
        this.errors = this.inbox.resolve(errorFolder).normalize();
        this.s3 = s3;
        this.bucket = bucket;
        this.errorPrefix = errorPrefix == null ? "" : errorPrefix;
        this.s3Processed = s3Processed;
        this.ledger = ledger;
    }

    /** Every failed input, newest first. */
    public List<Failed> list() {
        List<Failed> all = new ArrayList<>(folder());
        all.addAll(bucket());
        all.sort(Comparator.comparing(Failed::failedAt).reversed().thenComparing(Failed::id));
        return all;
    }

    private List<Failed> folder() {
        if (!Files.isDirectory(errors)) {
            return List.of();
        }
        List<Failed> found = new ArrayList<>();
        try (Stream<Path> files = Files.walk(errors)) {
            for (Path file : (Iterable<Path>) files.filter(Files::isRegularFile)::iterator) {
                String name = file.getFileName().toString();
                if (name.endsWith(NOTE) || name.endsWith(".camelLock")) {
                    continue;
                }
                String path = errors.relativize(file).toString().replace('\\', '/');
                Path note = file.resolveSibling(name + NOTE);
                String text = Files.isRegularFile(note) ? Files.readString(note, StandardCharsets.UTF_8) : null;
                Instant at = Files.getLastModifiedTime(text == null ? file : note).toInstant();
                found.add(failed("folder:" + path, "folder", path, Files.size(file), at, text));
            }
        } catch (IOException e) {
            throw new IllegalStateException("cannot list " + errors + ": " + e.getMessage(), e);
        }
        return found;
    }

    /** Why the S3 error prefix could not be listed the last time (null when it could, or S3 is off). */
    public String s3Problem() {
        return s3Problem;
    }

    private List<Failed> bucket() {
        if (s3 == null) {
            return List.of();
        }
        List<Failed> found = new ArrayList<>();
        try {
            for (S3Object object : s3.listObjectsV2Paginator(b -> b.bucket(bucket).prefix(errorPrefix)).contents()) {
                if (object.key().endsWith(NOTE)) {
                    continue;
                }
                String note = note(object.key() + NOTE);
                String key = object.key().substring(errorPrefix.length());
                found.add(failed("s3:" + key, "s3", key, object.size() == null ? -1 : object.size(), object.lastModified(), note));
            }
            s3Problem = null;
        } catch (SdkException e) {
            // the drop folder's failures are still listed; the page says S3's could not be
            s3Problem = "cannot list s3://" + bucket + "/" + errorPrefix + ": " + e.getClass().getSimpleName();
            LOG.warn("Console: {} ({})", s3Problem, e.getMessage());
            return List.of();
        }
        return found;
    }

    private String note(String key) {
        try {
            ResponseBytes<GetObjectResponse> bytes = s3.getObjectAsBytes(b -> b.bucket(bucket).key(key));
            return bytes.asUtf8String();
        } catch (NoSuchKeyException e) {
            return null;
        }
    }

    private static Failed failed(String id, String source, String path, long size, Instant at, String note) {
        String reason = note == null ? "no error note" : reason(note);
        Long orderId = null;
        Long photoId = null;
        Matcher m = note == null ? null : ORDER_LINE.matcher(note);
        if (m != null && m.find()) {
            orderId = Long.parseLong(m.group(1));
            photoId = m.group(2) == null ? null : Long.parseLong(m.group(2));
        } else {
            Matcher folder = ORDER_FOLDER.matcher(path);
            if (folder.find()) {
                orderId = Long.parseLong(folder.group(1));
            }
        }
        return new Failed(id, source, path, size, at, reason, reasonGroup(reason), orderId, photoId);
    }

    private static final Pattern ORDER_AND_FILE = Pattern.compile("\\s*\\(order \\d+[^)]*\\)");
    private static final Pattern LONG_NUMBER = Pattern.compile("\\d{4,}");

    /**
     * A reason with what belongs to one file taken out, so that files that failed for the same cause share it: the
     * "(order 57076503, IMG_0042-pb....jpg)" of a vendor's answer goes, numbers of 4 digits or more (ids, byte offsets) become #.
     */
    public static String reasonGroup(String reason) {
        if (reason == null) {
            return "";
        }
        return LONG_NUMBER.matcher(ORDER_AND_FILE.matcher(reason).replaceAll("")).replaceAll("#").trim();
    }

    /** The note's "reason:" line (the whole note if it has none). */
    static String reason(String note) {
        for (String line : note.split("\n")) {
            if (line.startsWith("reason: ")) {
                return line.substring("reason: ".length()).trim();
            }
        }
        return note.trim();
    }

    /** Puts one failed input back (see the class comment); answers what was done. */
    public Map<String, Object> retry(String id) {
        Failed failed = list().stream().filter(f -> f.id().equals(id)).findFirst()
                .orElseThrow(() -> new ApiRefusal(404, "no failed input '" + id + "' (already put back, or never failed)"));
        String back = failed.source().equals("folder") ? retryFolder(failed) : retryS3(failed);
        ledger.event(failed.photoId(), failed.orderId(), back, "RETRY_REQUESTED",
                "put back from " + (failed.source().equals("folder") ? "the error folder" : "the S3 error prefix")
                        + " by the console; it failed with: " + failed.reason());
        LOG.info("Console retry: {} put back into {} (it failed with: {})", failed.path(), back, failed.reason());
        Map<String, Object> answer = new LinkedHashMap<>();
        answer.put("id", failed.id());
        answer.put("source", failed.source());
        answer.put("putBack", failed.path());
        answer.put("orderId", failed.orderId());
        return answer;
    }

    /** Puts back every failed input whose reason group (or reason) is this one; answers how many. */
    public Map<String, Object> retryAll(String reason) {
        List<Map<String, Object>> done = new ArrayList<>();
        List<Map<String, Object>> refused = new ArrayList<>();
        for (Failed f : list()) {
            if (f.reasonGroup().equals(reason) || f.reason().equals(reason)) {
                try {
                    done.add(retry(f.id()));
                } catch (ApiRefusal e) {
                    refused.add(Map.of("id", f.id(), "message", e.getMessage()));
                }
            }
        }
        if (done.isEmpty() && refused.isEmpty()) {
            throw new ApiRefusal(404, "no failed input has the reason '" + reason + "'");
        }
        Map<String, Object> answer = new LinkedHashMap<>();
        answer.put("reason", reason);
        answer.put("putBack", done.size());
        answer.put("items", done);
        answer.put("refused", refused);
        return answer;
    }

    private String retryFolder(Failed failed) {
        Path file = errors.resolve(failed.path()).normalize();
        Path target = inbox.resolve(failed.path()).normalize();
        if (!file.startsWith(errors) || !target.startsWith(inbox) || target.startsWith(errors)) {
            throw new ApiRefusal(400, "'" + failed.path() + "' is not a path inside the error folder");
        }
        if (Files.exists(target)) {
            throw new ApiRefusal(409, "cannot put " + failed.path() + " back: the inbox already has a file of that name");
        }
        try {
            Files.createDirectories(target.getParent());
            // the note goes only once the file is back: a failure in between leaves the file where it was, with its note
            Files.move(file, target, StandardCopyOption.ATOMIC_MOVE);
            Files.deleteIfExists(file.resolveSibling(file.getFileName() + NOTE));
        } catch (NoSuchFileException e) {
            throw new ApiRefusal(404, failed.path() + " is no longer in the error folder");
        } catch (IOException e) {
            throw new ApiRefusal(500, "cannot put " + failed.path() + " back into the inbox: " + e.getClass().getSimpleName());
        }
        return target.toUri().toString();
    }

    private String retryS3(Failed failed) {
        String key = failed.path();
        String errorKey = errorPrefix + key;
        String etag = s3.headObject(b -> b.bucket(bucket).key(errorKey)).eTag();
        if (s3Processed != null && etag != null) {
            // the route takes each key@ETag once, and a copy keeps the ETag: forget this version first, so it is taken again
            s3Processed.remove(key + "@" + etag);
            s3Processed.remove(key + "@" + etag.replace("\"", ""));
        }
        s3.copyObject(b -> b.sourceBucket(bucket).sourceKey(errorKey).destinationBucket(bucket).destinationKey(key));
        s3.deleteObject(b -> b.bucket(bucket).key(errorKey + NOTE));
        s3.deleteObject(b -> b.bucket(bucket).key(errorKey));
        return "s3://" + bucket + "/" + key;
    }
}
