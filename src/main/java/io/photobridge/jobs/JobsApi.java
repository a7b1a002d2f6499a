package io.photobridge.jobs;

import java.util.LinkedHashMap;
import java.util.Map;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;
import io.photobridge.records.ApiToken;
import io.photobridge.records.HttpAnswer;
import org.apache.camel.Exchange;

/** The jobs over HTTP (bearer token): GET /api/jobs (each job's cron, last and next run), POST to run one now. */
public final class JobsApi {

    private final ScheduledJobs jobs;
    private final ApiToken token;
    private final ObjectMapper json = new ObjectMapper().registerModule(new JavaTimeModule())
            .disable(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS);

    public JobsApi(ScheduledJobs jobs, ApiToken token) {
        this.jobs = jobs;
        this.token = token;
    }

    public void list(Exchange exchange) throws Exception {
        if (token.admit(exchange)) {
            HttpAnswer.json(exchange, 200, json.writeValueAsString(Map.of("jobs", jobs.status())));
        }
    }

    /** Runs the job named by the path's {job} now and answers its report (409 when it is running already). */
    public void run(Exchange exchange) throws Exception {
        if (token.admit(exchange)) {
            runNow(exchange, exchange.getIn().getHeader("job", "", String.class));
        }
    }

    /** Runs the reconciliation now and answers its report. */
    public void reconcile(Exchange exchange) throws Exception {
        if (token.admit(exchange)) {
            runNow(exchange, "reconcile");
        }
    }

    private void runNow(Exchange exchange, String job) throws Exception {
        if (!jobs.names().contains(job)) {
            ApiToken.answer(exchange, 404, "no job '" + job + "'; the jobs are " + jobs.names());
            return;
        }
        ScheduledJobs.Result result = jobs.run(job, "api");
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("job", job);
        body.put("outcome", result.outcome());
        if (result.report() == null) {
            body.put("message", result.message());
            HttpAnswer.json(exchange, 409, json.writeValueAsString(body));
            return;
        }
        body.put("runId", result.runId());
        body.put("startedAt", result.startedAt());
        body.put("durationMs", result.durationMs());
        body.put("counts", result.report().counts());
        body.put("errors", result.report().errors());
        body.put("details", result.report().details());
        HttpAnswer.json(exchange, 200, json.writeValueAsString(body));
    }
}
