package io.photobridge.records;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.EnumMap;
import java.util.Map;

import javax.sql.DataSource;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.MeterBinder;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Gauges read from the ledger: damage-analysis batches still collecting, damage jobs by state, PAVE sessions by state. The
 * counts are read at most once per {@code maxAge}, whatever the number of scrapes.
 */
public final class LedgerGauges implements MeterBinder {

    private static final Logger LOG = LoggerFactory.getLogger(LedgerGauges.class);
    /** PAVE session states of the {@code photobridge.pave.sessions} gauge. */
    static final String POLLED = "polled";
    static final String FINISHED = "finished";
    static final String UNKNOWN = "unknown";

    private final DataSource dataSource;
    private final long maxAgeNanos;
    private volatile Counts counts;

    public LedgerGauges(DataSource dataSource, Duration maxAge) {
        this.dataSource = dataSource;
        this.maxAgeNanos = maxAge.toNanos();
    }

    private record Counts(long readAt, long batches, Map<DamageJobState, Long> jobs, long polled, long finished, long unknown) {
    }

    @Override
    public void bindTo(MeterRegistry registry) {
        Gauge.builder("photobridge.damage.batches.pending", this, g -> g.counts().batches()).strongReference(true)
                .description("Damage-analysis batches still collecting media (not closed yet)").register(registry);
        for (DamageJobState state : DamageJobState.values()) {
            Gauge.builder("photobridge.damage.jobs", this, g -> g.counts().jobs().getOrDefault(state, 0L)).strongReference(true)
                    .tag("state", state.name()).description("Damage-analysis jobs (batches handed or to hand to Inspektlabs) by state")
                    .register(registry);
        }
        Gauge.builder("photobridge.pave.sessions", this, g -> g.counts().polled()).strongReference(true).tag("state", POLLED)
                .description("PAVE sessions: polled (active), finished, unknown to PAVE").register(registry);
        Gauge.builder("photobridge.pave.sessions", this, g -> g.counts().finished()).strongReference(true).tag("state", FINISHED)
                .description("PAVE sessions: polled (active), finished, unknown to PAVE").register(registry);
        Gauge.builder("photobridge.pave.sessions", this, g -> g.counts().unknown()).strongReference(true).tag("state", UNKNOWN)
                .description("PAVE sessions: polled (active), finished, unknown to PAVE").register(registry);
    }

    private Counts counts() {
        long now = System.nanoTime();
        Counts c = counts;
        if (c == null || now - c.readAt() >= maxAgeNanos) {
            synchronized (this) {
                c = counts;
                if (c == null || now - c.readAt() >= maxAgeNanos) {
                    c = read(now, c);
                    counts = c;
                }
            }
        }
        return c;
    }

    private Counts read(long now, Counts before) {
        Map<DamageJobState, Long> jobs = new EnumMap<>(DamageJobState.class);
        try (Connection connection = dataSource.getConnection(); Statement st = connection.createStatement()) {
            long batches = single(st, "select count(*) from damage_batches");
            try (ResultSet rs = st.executeQuery("select state, count(*) from damage_job group by state")) {
                while (rs.next()) {
                    jobs.put(DamageJobState.valueOf(rs.getString(1)), rs.getLong(2));
                }
            }
            long polled = single(st, "select count(*) from pave_session where active = true");
            long unknown = single(st, "select count(*) from pave_session where not_found = true");
            long finished = single(st, "select count(*) from pave_session where active = false and not_found = false");
            return new Counts(now, batches, jobs, polled, finished, unknown);
        } catch (SQLException | RuntimeException e) {
            // a scrape never fails for the ledger: the last counts stay (the ledger's health check reports the ledger)
            LOG.debug("Cannot read the ledger's gauges: {}", e.toString());
            return before != null ? new Counts(now, before.batches(), before.jobs(), before.polled(), before.finished(),
                    before.unknown()) : new Counts(now, 0, jobs, 0, 0, 0);
        }
    }

    private static long single(Statement st, String sql) throws SQLException {
        try (ResultSet rs = st.executeQuery(sql)) {
            rs.next();
            return rs.getLong(1);
        }
    }
}
