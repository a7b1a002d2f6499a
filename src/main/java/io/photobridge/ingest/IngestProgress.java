package io.photobridge.ingest;

import java.io.IOException;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.time.Duration;
import java.util.Locale;
import java.util.function.LongSupplier;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import org.apache.camel.CamelContext;
import org.apache.camel.component.micrometer.MicrometerConstants;
import org.apache.camel.component.micrometer.MicrometerUtils;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Drop-folder progress: backlog and in-flight gauges, and a line every N files or S seconds while there is work. */
public final class IngestProgress {

    /** The route whose exchanges are the drop-folder files. */
    public static final String ROUTE = "ingest-drop-folder";
    /** Files in the inbox not finished yet (in flight included), as of the last walk. */
    public static final String BACKLOG_GAUGE = "photobridge.inbox.backlog";
    /** Files of the drop folder being processed now. */
    public static final String INFLIGHT_GAUGE = "photobridge.ingest.inflight";

    private static final Logger LOG = LoggerFactory.getLogger(IngestProgress.class);

    // Called once a second by the ingest-progress timer route. Done and failed files are Camel's own counters of the
    // ingest-drop-folder route (camel.exchanges.succeeded / .failed, from camel.metrics.enable-route-policy), in flight
    // is Camel's inflight repository of that route, the backlog a walk of the inbox: once per line, or once every S
    // seconds otherwise, never per file.

    private final Path inbox;
    private final long everyFiles;
    private final long everyNanos;
    private final LongSupplier nanoClock;

    private volatile long backlog;
    private volatile CamelContext context;
    private volatile String lastLine;

    // The rest is touched by the (single) timer thread only.
    private boolean walked;
    private long walkedAt;
    private long done;
    private long failed;
    private long seenSucceeded;
    private long seenFailed;
    private long lineAt;
    private long processedAtLine;
    private boolean unsettled;
    private boolean started;

    public IngestProgress(Path inbox, int everyFiles, Duration every) {
        this(inbox, everyFiles, every, System::nanoTime);
    }

    IngestProgress(Path inbox, int everyFiles, Duration every, LongSupplier nanoClock) {
        if (everyFiles <= 0) {
            throw new IllegalArgumentException("photobridge.ingest.progress-every-files must be positive, was " + everyFiles);
        }
        if (every.isNegative() || every.isZero()) {
            throw new IllegalArgumentException("photobridge.ingest.progress-every-seconds must be positive, was " + every.toSeconds());
        }
        this.inbox = inbox;
        this.everyFiles = everyFiles;
        this.everyNanos = every.toNanos();
        this.nanoClock = nanoClock;
    }

    /** One step of the progress timer: (re)binds the gauges, reads the counters, logs a line when one is due. */
    public void tick(CamelContext camelContext) {
        this.context = camelContext;
        MeterRegistry registry = MicrometerUtils.getMeterRegistryFromCamelRegistry(camelContext.getRegistry(),
                MicrometerConstants.METRICS_REGISTRY_NAME);
        long succeeded = 0;
        long failedNow = 0;
        if (registry != null) {
            bindGauges(registry);
            succeeded = routeCount(registry, MicrometerConstants.DEFAULT_CAMEL_ROUTE_POLICY_EXCHANGES_SUCCEEDED_METER_NAME);
            failedNow = routeCount(registry, MicrometerConstants.DEFAULT_CAMEL_ROUTE_POLICY_EXCHANGES_FAILED_METER_NAME);
        }
        advance(succeeded, failedNow, inflight());
    }

    /**
     * Takes the route's counters and in-flight count now; returns the progress line logged, or null when none was due.
     * The counters may restart from zero (the route was reloaded): totals carry on from where they were.
     */
    String advance(long succeededCount, long failedCount, int inflightNow) {
        long now = nanoClock.getAsLong();
        done += succeededCount >= seenSucceeded ? succeededCount - seenSucceeded : succeededCount;
        failed += failedCount >= seenFailed ? failedCount - seenFailed : failedCount;
        seenSucceeded = succeededCount;
        seenFailed = failedCount;
        long processed = done + failed;
        if (!started) {
            started = true;
            lineAt = now;
            processedAtLine = processed;
        }
        // After a line that still showed work, one more line says how it ended, even if nothing moved since.
        boolean busy = inflightNow > 0 || processed != processedAtLine || unsettled;
        if (!busy) {
            // Idle: the next line's window starts now; the backlog gauge still follows files left in the inbox.
            lineAt = now;
            walkIfOlderThan(now, everyNanos);
            return null;
        }
        boolean due = processed - processedAtLine >= everyFiles || now - lineAt >= everyNanos;
        if (!due) {
            walkIfOlderThan(now, everyNanos);
            return null;
        }
        walk(now);
        double seconds = Math.max(now - lineAt, 1) / 1e9;
        String line = String.format(Locale.ROOT, "Inbox progress: %d done, %d failed, %d remaining, %d in flight, %.1f files/s",
                done, failed, backlog, inflightNow, (processed - processedAtLine) / seconds);
        LOG.info(line);
        lastLine = line;
        unsettled = (inflightNow > 0 || backlog > 0) && processed != processedAtLine;
        lineAt = now;
        processedAtLine = processed;
        return line;
    }

    /** Files in the inbox not finished yet, in flight included, as of the last walk. */
    public long backlog() {
        return backlog;
    }

    /** Files of the drop folder being processed now (Camel's inflight repository of the route). */
    public int inflight() {
        CamelContext c = context;
        return c == null ? 0 : c.getInflightRepository().size(ROUTE);
    }

    /** The last progress line logged, or null. */
    public String lastLine() {
        return lastLine;
    }

    private void bindGauges(MeterRegistry registry) {
        // Registered again if a registry clear (camel.metrics.clear-on-reload=true) removed them.
        if (registry.find(BACKLOG_GAUGE).gauge() == null) {
            Gauge.builder(BACKLOG_GAUGE, this, IngestProgress::backlog).strongReference(true)
                    .description("Files in the inbox not finished yet (in flight included)").register(registry);
        }
        if (registry.find(INFLIGHT_GAUGE).gauge() == null) {
            Gauge.builder(INFLIGHT_GAUGE, this, IngestProgress::inflight).strongReference(true)
                    .description("Drop-folder files being processed now").register(registry);
        }
    }

    private static long routeCount(MeterRegistry registry, String name) {
        double total = 0;
        for (Counter counter : registry.find(name).tag(MicrometerConstants.ROUTE_ID_TAG, ROUTE).counters()) {
            total += counter.count();
        }
        return (long) total;
    }

    private void walkIfOlderThan(long now, long age) {
        if (!walked || now - walkedAt >= age) {
            walk(now);
        }
    }

    /** Counts the files a poll could still take: dot-folders, dot-files, manifests and Camel's lock markers are not. */
    private void walk(long now) {
        walked = true;
        walkedAt = now;
        if (!Files.isDirectory(inbox)) {
            backlog = 0;
            return;
        }
        long[] count = {0};
        try {
            Files.walkFileTree(inbox, new SimpleFileVisitor<>() {
                @Override
                public FileVisitResult preVisitDirectory(Path dir, BasicFileAttributes attrs) {
                    return !dir.equals(inbox) && hidden(dir) ? FileVisitResult.SKIP_SUBTREE : FileVisitResult.CONTINUE;
                }

                @Override
                public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) {
                    String name = file.getFileName().toString();
                    if (attrs.isRegularFile() && !hidden(file) && !name.equalsIgnoreCase("manifest.csv")
                            && !name.endsWith(".camelLock")) {
                        count[0]++;
                    }
                    return FileVisitResult.CONTINUE;
                }

                @Override
                public FileVisitResult visitFileFailed(Path file, IOException e) {
                    // Moved to .done/ or .error/ while we walked.
                    return FileVisitResult.CONTINUE;
                }

                @Override
                public FileVisitResult postVisitDirectory(Path dir, IOException e) {
                    return FileVisitResult.CONTINUE;
                }
            });
        } catch (NoSuchFileException e) {
            count[0] = 0;
        } catch (IOException e) {
            LOG.debug("Cannot count the files in {}: {}", inbox, e.toString());
            return;
        }
        backlog = count[0];
    }

    private static boolean hidden(Path path) {
        return path.getFileName().toString().startsWith(".");
    }
}
