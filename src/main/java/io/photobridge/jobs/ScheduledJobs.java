package io.photobridge.jobs;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Date;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

import io.micrometer.core.instrument.MeterRegistry;
import io.photobridge.cluster.LedgerClusterService;
import io.micrometer.core.instrument.Timer;
import org.apache.camel.CamelContext;
import org.apache.camel.CamelContextAware;
import org.apache.camel.Endpoint;
import org.apache.camel.Route;
import org.apache.camel.component.micrometer.MicrometerConstants;
import org.apache.camel.component.micrometer.MicrometerUtils;
import org.apache.camel.component.quartz.QuartzEndpoint;
import org.quartz.CronExpression;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs PhotoBridge's scheduled jobs for their YAML routes (cron, on the instance leading the jobs singleton) and the API (on
 * demand, any instance): one run at a time per job (a PostgreSQL run lock), each run recorded with its outcome and counts,
 * logged in one line, and counted in the metrics.
 */
public final class ScheduledJobs implements CamelContextAware {

    private static final Logger LOG = LoggerFactory.getLogger(ScheduledJobs.class);
    /** The id of a job's cron route: job-{name}. */
    static final String ROUTE_PREFIX = "job-";
    /** The singleton whose leader runs the jobs' crons (their routes' group is singleton-jobs). */
    public static final String SINGLETON = "jobs";
    private static final String RUN_LOCK_PREFIX = "job:";

    private final JobRecords records;
    private final Map<String, Job> jobs;
    private final String instance;
    private final LedgerClusterService cluster;
    private final Set<String> running = ConcurrentHashMap.newKeySet();
    private CamelContext camelContext;

    /**
     * @param jobs     the jobs by name, in the order the API lists them
     * @param instance this instance in the runs
     * @param cluster  the jobs singleton (whose leader runs the crons) and the run locks (one run of a job at a time)
     */
    public ScheduledJobs(JobRecords records, Map<String, Job> jobs, String instance, LedgerClusterService cluster) {
        this.records = records;
        this.jobs = new LinkedHashMap<>(jobs);
        this.instance = instance;
        this.cluster = cluster;
    }

    /** How a run request ended: RAN (with its report) or SKIPPED because another run holds the job. */
    public record Result(String job, String outcome, Long runId, Instant startedAt, Long durationMs, JobReport report,
                         String message) {
    }

    public Set<String> names() {
        return jobs.keySet();
    }

    /** Runs the job now, unless it runs already (here or, by its run lock, on another instance). */
    public Result run(String job, String trigger) {
        Job work = jobs.get(job);
        if (work == null) {
            throw new IllegalArgumentException("no job '" + job + "'; the jobs are " + jobs.keySet());
        }
        if (!running.add(job)) {
            return skipped(job, trigger, "already running in this instance");
        }
        try {
            Optional<AutoCloseable> held = cluster.tryRunLock(runLock(job));
            if (held.isEmpty()) {
                return skipped(job, trigger, "running on another instance ("
                        + cluster.runLockHolder(runLock(job)).orElse("run just ended") + ")");
            }
            try {
                return runHeld(job, trigger, work);
            } finally {
                release(job, held.get());
            }
        } finally {
            running.remove(job);
        }
    }

    /** The name of a job's run lock (LedgerClusterService.tryRunLock). */
    public static String runLock(String job) {
        return RUN_LOCK_PREFIX + job;
    }

    private static void release(String job, AutoCloseable lock) {
        try {
            lock.close();
        } catch (Exception e) {
            // the lock lives on its own connection: PostgreSQL frees it when that connection is gone anyway
            LOG.warn("Job {}: giving its run lock back failed: {}", job, e.toString());
        }
    }

    private Result skipped(String job, String trigger, String why) {
        LOG.info("Job {} ({}) skipped: {}", job, trigger, why);
        count(job, "SKIPPED");
        return new Result(job, "SKIPPED", null, null, null, null, job + " is " + why);
    }

    private Result runHeld(String job, String trigger, Job work) {
        Instant started = Instant.now();
        long start = System.nanoTime();
        long runId = records.started(job, instance, trigger, started);
        JobReport report = new JobReport();
        String outcome;
        try {
            work.run(report);
            outcome = report.errors().isEmpty() ? "OK" : "PARTIAL";
        } catch (Exception e) {
            report.error(e.getMessage() == null ? e.toString() : e.getMessage());
            outcome = "FAILED";
            LOG.warn("Job {} failed: {}", job, e.toString());
        }
        long durationMs = Duration.ofNanos(System.nanoTime() - start).toMillis();
        String summary = report.summary();
        records.finished(runId, Instant.now(), durationMs, outcome, summary, String.join("\n", report.details()));
        if ("OK".equals(outcome)) {
            LOG.info("Job {} ({}) {} in {} ms: {}", job, trigger, outcome, durationMs, summary);
        } else {
            LOG.warn("Job {} ({}) {} in {} ms: {}", job, trigger, outcome, durationMs, summary);
        }
        report.details().forEach(line -> LOG.info("Job {}: {}", job, line));
        MeterRegistry registry = registry();
        if (registry != null) {
            count(job, outcome);
            Timer.builder("photobridge.job.duration").tag("job", job).register(registry).record(Duration.ofMillis(durationMs));
            report.counts().forEach((item, n) -> registry.counter("photobridge.job.items", "job", job, "item", item).increment(n));
        }
        return new Result(job, outcome, runId, started, durationMs, report, null);
    }

    private void count(String job, String outcome) {
        MeterRegistry registry = registry();
        if (registry != null) {
            registry.counter("photobridge.job.runs", "job", job, "outcome", outcome).increment();
        }
    }

    private MeterRegistry registry() {
        return camelContext == null ? null
                : MicrometerUtils.getMeterRegistryFromCamelRegistry(camelContext.getRegistry(), MicrometerConstants.METRICS_REGISTRY_NAME);
    }

    /** Each job's state: cron, the instance whose cron runs it, last run (any instance), next run on this instance, who holds it now. */
    public List<Map<String, Object>> status() {
        List<Map<String, Object>> all = new ArrayList<>();
        String leader = cluster.leader(SINGLETON).orElse(null);
        for (String job : jobs.keySet()) {
            Map<String, Object> entry = new LinkedHashMap<>();
            entry.put("job", job);
            entry.put("route", ROUTE_PREFIX + job);
            cron(job).ifPresent(cron -> entry.put("cron", cron));
            entry.put("cronOn", leader);
            entry.put("nextRun", nextRun(job).orElse(null));
            entry.put("runningOn", running.contains(job) ? instance : cluster.runLockHolder(runLock(job)).orElse(null));
            List<JobRecords.Run> runs = records.runs(job, 1);
            entry.put("lastRun", runs.isEmpty() ? null : runs.get(0));
            all.add(entry);
        }
        return all;
    }

    /** The cron expression of the job's route, as it runs now (a route edit changes it). */
    Optional<String> cron(String job) {
        if (camelContext == null) {
            return Optional.empty();
        }
        Route route = camelContext.getRoute(ROUTE_PREFIX + job);
        Endpoint endpoint = route == null ? null : route.getEndpoint();
        return endpoint instanceof QuartzEndpoint quartz ? Optional.ofNullable(quartz.getCron()) : Optional.empty();
    }

    /** When the job's cron fires next; empty when its route does not run (or has no cron). */
    Optional<Instant> nextRun(String job) {
        if (camelContext == null || camelContext.getRouteController().getRouteStatus(ROUTE_PREFIX + job) == null
                || !camelContext.getRouteController().getRouteStatus(ROUTE_PREFIX + job).isStarted()) {
            return Optional.empty();
        }
        return cron(job).flatMap(cron -> {
            try {
                Date next = new CronExpression(cron).getNextValidTimeAfter(new Date());
                return Optional.ofNullable(next).map(Date::toInstant);
            } catch (java.text.ParseException e) {
                return Optional.empty();
            }
        });
    }

    @Override
    public void setCamelContext(CamelContext camelContext) {
        this.camelContext = camelContext;
    }

    @Override
    public CamelContext getCamelContext() {
        return camelContext;
    }
}
