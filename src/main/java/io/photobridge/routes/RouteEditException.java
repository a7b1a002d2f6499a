package io.photobridge.routes;

import java.util.List;

/** A route or config edit that cannot be applied; each problem names the file (and line) and the rule it breaks. */
public final class RouteEditException extends Exception {

    private final List<String> problems;

    public RouteEditException(String problem) {
        this(List.of(problem));
    }

    public RouteEditException(List<String> problems) {
        super(String.join("; ", problems));
        this.problems = List.copyOf(problems);
    }

    /** Every problem found, one per item. */
    public List<String> problems() {
        return problems;
    }
}
