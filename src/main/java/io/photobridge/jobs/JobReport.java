package io.photobridge.jobs;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** What one run of a job did: counts by name, one detail line per notable item, and the errors that made it incomplete. */
public final class JobReport {

    /** Detail lines kept per run (the counts stay exact). */
    static final int MAX_DETAILS = 500;

    private final Map<String, Long> counts = new LinkedHashMap<>();
    private final List<String> details = new ArrayList<>();
    private final List<String> errors = new ArrayList<>();
    private int droppedDetails;

    /** Declares a count (shown as 0 until added to), so every run reports the same names. */
    public synchronized JobReport declare(String... names) {
        for (String name : names) {
            counts.putIfAbsent(name, 0L);
        }
        return this;
    }

    public synchronized void add(String name, long n) {
        counts.merge(name, n, Long::sum);
    }

    public void count(String name) {
        add(name, 1);
    }

    public synchronized void detail(String line) {
        if (details.size() < MAX_DETAILS) {
            details.add(line);
        } else {
            droppedDetails++;
        }
    }

    /** Something the run could not do: the run ends PARTIAL (it carried on with the rest). */
    public synchronized void error(String line) {
        errors.add(line);
        detail("error: " + line);
    }

    public synchronized Map<String, Long> counts() {
        return Collections.unmodifiableMap(new LinkedHashMap<>(counts));
    }

    public synchronized List<String> details() {
        List<String> all = new ArrayList<>(details);
        if (droppedDetails > 0) {
            all.add("... and " + droppedDetails + " more");
        }
        return all;
    }

    public synchronized List<String> errors() {
        return List.copyOf(errors);
    }

    /** The counts as one line, e.g. {@code orders=3 missing=1 reuploaded=1}. */
    public synchronized String summary() {
        StringBuilder line = new StringBuilder();
        counts.forEach((name, n) -> line.append(line.length() == 0 ? "" : " ").append(name).append('=').append(n));
        if (!errors.isEmpty()) {
            line.append(line.length() == 0 ? "" : " ").append("errors=").append(errors.size());
        }
        return line.toString();
    }
}
