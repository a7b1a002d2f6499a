package io.photobridge.jobs;

import java.util.Map;

import org.apache.camel.health.HealthCheckResultBuilder;
import org.apache.camel.impl.health.AbstractHealthCheck;

/** Readiness details of the scheduled jobs: each one's last run, duration, outcome and next run. A failed job is not DOWN. */
public final class JobsHealthCheck extends AbstractHealthCheck {

    private final ScheduledJobs jobs;

    public JobsHealthCheck(ScheduledJobs jobs) {
        super("photobridge", "jobs");
        this.jobs = jobs;
    }

    @Override
    protected void doCall(HealthCheckResultBuilder builder, Map<String, Object> options) {
        for (Map<String, Object> job : jobs.status()) {
            String name = "job." + job.get("job");
            builder.detail(name + ".next-run", String.valueOf(job.get("nextRun")));
            if (job.get("lastRun") instanceof JobRecords.Run last) {
                builder.detail(name + ".last-run", String.valueOf(last.startedAt()));
                builder.detail(name + ".duration-ms", last.durationMs() == null ? "running" : String.valueOf(last.durationMs()));
                builder.detail(name + ".outcome", last.outcome() == null ? "RUNNING" : last.outcome() + " " + last.summary());
            } else {
                builder.detail(name + ".last-run", "never");
            }
        }
        // a failed run is reported, not a reason to stop sending traffic here: the next run may well succeed
        builder.up();
    }

    @Override
    public boolean isLiveness() {
        return false;
    }
}
