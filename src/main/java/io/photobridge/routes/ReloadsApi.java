package io.photobridge.routes;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;
import io.photobridge.records.ApiToken;
import io.photobridge.records.HttpAnswer;
import org.apache.camel.Exchange;

/** Answers GET /api/reloads: the recent route and config reloads (applied, rejected with the reason, rolled back), newest first. */
public final class ReloadsApi {

    private final ValidatingRouteReloadStrategy reloader;
    private final ApiToken token;
    private final ObjectMapper json = new ObjectMapper().registerModule(new JavaTimeModule())
            .disable(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS);

    /** reloader: null when route reload is off. */
    public ReloadsApi(ValidatingRouteReloadStrategy reloader, ApiToken token) {
        this.reloader = reloader;
        this.token = token;
    }

    public void reloads(Exchange exchange) throws Exception {
        if (!token.admit(exchange)) {
            return;
        }
        Map<String, Object> answer = new LinkedHashMap<>();
        answer.put("reloadEnabled", reloader != null);
        answer.put("rejectedEditOnDisk", reloader == null ? null : reloader.pendingRejection());
        answer.put("reloads", reloader == null ? List.of() : reloader.recentReloads().stream().map(r -> {
            Map<String, Object> row = new LinkedHashMap<>();
            row.put("at", r.at());
            row.put("trigger", r.trigger());
            row.put("outcome", r.outcome().label());
            row.put("detail", r.detail());
            row.put("routes", r.routes());
            return row;
        }).toList());
        HttpAnswer.json(exchange, 200, json.writeValueAsString(answer));
    }
}
