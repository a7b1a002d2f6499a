package io.photobridge.jobs;

import java.io.IOException;
import java.nio.file.DirectoryNotEmptyException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.time.Instant;
import java.util.Comparator;
import java.util.List;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;
import java.util.stream.Stream;

/**
 * The housekeeping jobs, each reporting what it removed: delivered files in the inbox's .done/ folder, processed-object
 * rows of the S3 source and staged damage media no longer needed, and the timeline past its retention. A retention of 0
 * days keeps everything.
 */
public final class Housekeeping {

    /** The processor name of the S3 source's rows in the idempotent repository's table. */
    static final String S3_PROCESSOR = "ingest-s3";

    private final JobRecords records;

    public Housekeeping(JobRecords records) {
        this.records = records;
    }

    /**
     * Deletes files in {@code done} last changed more than {@code days} ago, and the folders left empty; {@code done} is read
     * at each run (a route setting an edit may change).
     */
    public Job doneFiles(Supplier<Path> doneFolder, int days) {
        return report -> {
            Path done = doneFolder.get();
            report.declare("files", "bytes");
            if (days <= 0) {
                report.detail("off (photobridge.housekeeping.done-days=0): delivered files are kept");
                return;
            }
            if (!Files.isDirectory(done)) {
                report.detail("no " + done + " yet");
                return;
            }
            Instant before = Instant.now().minus(Duration.ofDays(days));
            pruneTree(done, before, report);
            report.detail("removed delivered files older than " + days + " days from " + done);
        };
    }

    /**
     * Deletes the S3 source's processed-object rows older than {@code days} (only when delivered objects move to the done
     * prefix: otherwise a row is what stops an object still under the prefix from being read again), and staged damage
     * media older than {@code mediaDays} that no pending damage batch needs (a staged file is normally dropped as soon as
     * Inspektlabs accepts it; what is left belongs to batches given up on).
     */
    public Job storage(int days, BooleanSupplier s3MovesToDone, Path mediaDir, int mediaDays) {
        return report -> {
            report.declare("s3Rows", "mediaFolders", "mediaBytes");
            if (days > 0 && s3MovesToDone.getAsBoolean()) {
                int rows = records.pruneProcessed(S3_PROCESSOR, Instant.now().minus(Duration.ofDays(days)));
                report.add("s3Rows", rows);
                report.detail("removed " + rows + " S3 processed-object rows older than " + days + " days");
            } else {
                report.detail("S3 processed-object rows kept (" + (days <= 0 ? "photobridge.housekeeping.s3-processed-days=0"
                        : "photobridge.s3.move-to-done=false: the rows stop objects left under the prefix from being read again") + ")");
            }
            if (mediaDays <= 0 || !Files.isDirectory(mediaDir)) {
                return;
            }
            Instant before = Instant.now().minus(Duration.ofDays(mediaDays));
            List<Path> folders;
            try (Stream<Path> list = Files.list(mediaDir)) {
                folders = list.filter(Files::isDirectory).toList();
            }
            for (Path folder : folders) {
                String sha256 = folder.getFileName().toString();
                if (newest(folder).isAfter(before) || records.damagePending(sha256)) {
                    continue;
                }
                long bytes = deleteTree(folder);
                report.count("mediaFolders");
                report.add("mediaBytes", bytes);
                report.detail("removed staged media " + sha256 + " (" + bytes + " bytes)");
            }
        };
    }

    /** Deletes timeline entries (and job runs) older than {@code days}. */
    public Job timeline(int days) {
        return report -> {
            report.declare("events", "jobRuns");
            if (days <= 0) {
                report.detail("off (photobridge.housekeeping.timeline-days=0): the timeline is kept whole");
                return;
            }
            Instant before = Instant.now().minus(Duration.ofDays(days));
            report.add("events", records.pruneTimeline(before));
            report.add("jobRuns", records.pruneRuns(before));
            report.detail("removed timeline entries and job runs older than " + days + " days (" + before + ")");
        };
    }

    private static void pruneTree(Path root, Instant before, JobReport report) throws IOException {
        List<Path> all;
        try (Stream<Path> walk = Files.walk(root)) {
            all = walk.sorted(Comparator.reverseOrder()).toList();
        }
        for (Path p : all) {
            if (Files.isRegularFile(p)) {
                if (Files.getLastModifiedTime(p).toInstant().isBefore(before)) {
                    long size = Files.size(p);
                    Files.deleteIfExists(p);
                    report.count("files");
                    report.add("bytes", size);
                }
            } else if (Files.isDirectory(p) && !p.equals(root)) {
                try {
                    Files.deleteIfExists(p);
                } catch (DirectoryNotEmptyException e) {
                    // still holds recent files
                }
            }
        }
    }

    private static Instant newest(Path folder) throws IOException {
        try (Stream<Path> walk = Files.walk(folder)) {
            return walk.map(p -> {
                try {
                    return Files.getLastModifiedTime(p);
                } catch (IOException e) {
                    return FileTime.from(Instant.now());
                }
            }).max(Comparator.naturalOrder()).orElse(FileTime.from(Instant.now())).toInstant();
        }
    }

    private static long deleteTree(Path folder) throws IOException {
        long bytes = 0;
        List<Path> all;
        try (Stream<Path> walk = Files.walk(folder)) {
            all = walk.sorted(Comparator.reverseOrder()).toList();
        }
        for (Path p : all) {
            if (Files.isRegularFile(p)) {
                bytes += Files.size(p);
            }
            Files.deleteIfExists(p);
        }
        return bytes;
    }
}
