package io.photobridge.routes;

import java.util.List;

/** A route or config edit that cannot be applied; each problem names the file (and line) and the rule it breaks. */
public final class RouteEditException extends Exception {

    private final List<String> problems;
    private final boolean restartNeeded;

    public RouteEditException(String problem) {
        this(List.of(problem));
    }

    public RouteEditException(List<String> problems) {
        this(problems, false);
    }

    private RouteEditException(List<String> problems, boolean restartNeeded) {
        super(String.join("; ", problems));
        this.problems = List.copyOf(problems);
        this.restartNeeded = restartNeeded;
    }

    /** A valid edit that only a restart can apply (a part Camel builds once, at start-up). */
    public static RouteEditException restartNeeded(String reason) {
        return new RouteEditException(List.of(reason), true);
    }

    /** True when the edit is valid but needs a restart. */
    public boolean isRestartNeeded() {
        return restartNeeded;
    }

    /** Every problem found, one per item. */
    public List<String> problems() {
        return problems;
    }
}
