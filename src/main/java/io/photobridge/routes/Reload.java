package io.photobridge.routes;

import java.time.Instant;
import java.util.List;
import java.util.Locale;

/** One route or config reload: when, what triggered it, its outcome, why, and the routes it replaced. */
public record Reload(Instant at, String trigger, Outcome outcome, String detail, List<String> routes) {

    /** What a reload did. */
    public enum Outcome {
        APPLIED, UNCHANGED, REJECTED, ROLLED_BACK, RESTART_NEEDED;

        /** The outcome as written in logs, metrics and the API: applied, rejected, rolled-back... */
        public String label() {
            return name().toLowerCase(Locale.ROOT).replace('_', '-');
        }
    }
}
