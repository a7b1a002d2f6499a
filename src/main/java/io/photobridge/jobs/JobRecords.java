package io.photobridge.jobs;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

import javax.sql.DataSource;

import io.photobridge.records.Ledger;
import io.photobridge.records.LedgerException;
import io.photobridge.records.PhotoState;

/** The scheduled jobs' part of the ledger: every run (any instance), and the jobs' queries. */
public final class JobRecords {

    private static final int MAX_TEXT = 4000;

    private final DataSource dataSource;

    public JobRecords(Ledger ledger) {
        this.dataSource = ledger.dataSource();
    }

    /** A finished (or running) run of a job, as the API and the health check show it. */
    public record Run(long id, String job, String instance, String trigger, Instant startedAt, Instant finishedAt,
                      Long durationMs, String outcome, String summary, String detail) {
    }

    /** Records the start of a run; returns its id. */
    public long started(String job, String instance, String trigger, Instant at) {
        try (Connection c = dataSource.getConnection(); PreparedStatement st = c.prepareStatement("insert into job_run"
                + " (job, instance, trigger_kind, started_at) values (?,?,?,?)", new String[] {"id"})) {
            st.setString(1, job);
            st.setString(2, instance);
            st.setString(3, trigger);
            st.setTimestamp(4, Timestamp.from(at));
            st.executeUpdate();
            try (ResultSet keys = st.getGeneratedKeys()) {
                keys.next();
                return keys.getLong(1);
            }
        } catch (SQLException e) {
            throw new LedgerException("cannot record the start of job " + job, e);
        }
    }

    /** Records how a run ended. */
    public void finished(long runId, Instant at, long durationMs, String outcome, String summary, String detail) {
        try (Connection c = dataSource.getConnection(); PreparedStatement st = c.prepareStatement("update job_run set"
                + " finished_at = ?, duration_ms = ?, outcome = ?, summary = ?, detail = ? where id = ?")) {
            st.setTimestamp(1, Timestamp.from(at));
            st.setLong(2, durationMs);
            st.setString(3, outcome);
            st.setString(4, clip(summary));
            st.setString(5, detail);
            st.setLong(6, runId);
            st.executeUpdate();
        } catch (SQLException e) {
            throw new LedgerException("cannot record the end of job run " + runId, e);
        }
    }

    /** The job's most recent runs, newest first. */
    public List<Run> runs(String job, int limit) {
        List<Run> runs = new ArrayList<>();
        try (Connection c = dataSource.getConnection(); PreparedStatement st = c.prepareStatement(
                "select * from job_run where job = ? order by started_at desc, id desc")) {
            st.setString(1, job);
            st.setMaxRows(limit);
            try (ResultSet rs = st.executeQuery()) {
                while (rs.next()) {
                    Timestamp finished = rs.getTimestamp("finished_at");
                    runs.add(new Run(rs.getLong("id"), rs.getString("job"), rs.getString("instance"), rs.getString("trigger_kind"),
                            rs.getTimestamp("started_at").toInstant(), finished == null ? null : finished.toInstant(),
                            rs.getObject("duration_ms", Long.class), rs.getString("outcome"), rs.getString("summary"),
                            rs.getString("detail")));
                }
            }
        } catch (SQLException e) {
            throw new LedgerException("cannot read the runs of job " + job, e);
        }
        return runs;
    }

    // ------------------------------------------------------------------ what the jobs read and change

    /** Orders with a photo changed or a timeline entry since then: the ones the reconciliation looks at. */
    List<Long> activeOrders(Instant since) {
        List<Long> orders = new ArrayList<>();
        try (Connection c = dataSource.getConnection(); PreparedStatement st = c.prepareStatement(
                "select order_id from photo where updated_at >= ? union select order_id from photo_event where at >= ?"
                        + " and order_id is not null order by 1")) {
            st.setTimestamp(1, Timestamp.from(since));
            st.setTimestamp(2, Timestamp.from(since));
            try (ResultSet rs = st.executeQuery()) {
                while (rs.next()) {
                    orders.add(rs.getLong(1));
                }
            }
        } catch (SQLException e) {
            throw new LedgerException("cannot list the orders active since " + since, e);
        }
        return orders;
    }

    /** Whether the order's timeline already has an entry of this kind whose detail starts with this text. */
    boolean hasEvent(long orderId, String kind, String detailPrefix) {
        try (Connection c = dataSource.getConnection(); PreparedStatement st = c.prepareStatement(
                "select 1 from photo_event where order_id = ? and kind = ? and detail like ?")) {
            st.setLong(1, orderId);
            st.setString(2, kind);
            st.setString(3, detailPrefix.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%");
            st.setMaxRows(1);
            try (ResultSet rs = st.executeQuery()) {
                return rs.next();
            }
        } catch (SQLException e) {
            throw new LedgerException("cannot read the timeline of order " + orderId, e);
        }
    }

    /**
     * An UPLOADED photo that RecoveryConnect no longer holds: FAILED with the reason (an RC_MISSING timeline entry), its
     * attachment id forgotten and no lookup due (RecoveryConnect was just seen without it), so the next upload claim (a
     * re-upload, a put-back file) is a fresh one. False
     * when the photo is no longer UPLOADED (something else changed it meanwhile).
     */
    boolean missingInRecoveryConnect(long photoId, long orderId, String sourceUri, String reason) {
        Instant now = Instant.now();
        try (Connection c = dataSource.getConnection()) {
            c.setAutoCommit(false);
            try {
                int changed;
                try (PreparedStatement st = c.prepareStatement("update photo set state = ?, rc_attachment_id = null,"
                        + " rc_unconfirmed = false, last_error = ?, updated_at = ? where id = ? and state = ?")) {
                    st.setString(1, PhotoState.FAILED.name());
                    st.setString(2, clip(reason));
                    st.setTimestamp(3, Timestamp.from(now));
                    st.setLong(4, photoId);
                    st.setString(5, PhotoState.UPLOADED.name());
                    changed = st.executeUpdate();
                }
                if (changed == 1) {
                    try (PreparedStatement st = c.prepareStatement("insert into photo_event (photo_id, order_id, source_uri, kind,"
                            + " detail, at) values (?,?,?,?,?,?)")) {
                        st.setLong(1, photoId);
                        st.setLong(2, orderId);
                        st.setString(3, sourceUri);
                        st.setString(4, "RC_MISSING");
                        st.setString(5, clip(reason));
                        st.setTimestamp(6, Timestamp.from(now));
                        st.executeUpdate();
                    }
                }
                c.commit();
                return changed == 1;
            } catch (SQLException | RuntimeException e) {
                c.rollback();
                throw e;
            }
        } catch (SQLException e) {
            throw new LedgerException("cannot mark photo " + photoId + " missing in RecoveryConnect", e);
        }
    }

    /** Processed-object rows of a JDBC idempotent repository older than this (not claims in flight); returns how many were deleted. */
    int pruneProcessed(String processor, Instant before) {
        return delete("delete from camel_messageprocessed where processorname = ? and createdat < ?"
                + " and claimed_by is null", st -> {
            st.setString(1, processor);
            st.setTimestamp(2, Timestamp.from(before));
        });
    }

    /** Timeline entries older than this; returns how many were deleted. */
    int pruneTimeline(Instant before) {
        return delete("delete from photo_event where at < ?", st -> st.setTimestamp(1, Timestamp.from(before)));
    }

    /** Runs of the jobs older than this (the job history is pruned with the timeline). */
    int pruneRuns(Instant before) {
        return delete("delete from job_run where started_at < ?", st -> st.setTimestamp(1, Timestamp.from(before)));
    }

    /** Whether a damage batch still waiting to be accepted by Inspektlabs holds media with this sha256. */
    boolean damagePending(String sha256) {
        try (Connection c = dataSource.getConnection(); PreparedStatement st = c.prepareStatement("select 1 from damage_job j"
                + " join damage_job_photo jp on jp.job_id = j.id join photo p on p.id = jp.photo_id"
                + " where p.sha256 = ? and j.state = 'PENDING'")) {
            st.setString(1, sha256);
            st.setMaxRows(1);
            try (ResultSet rs = st.executeQuery()) {
                return rs.next();
            }
        } catch (SQLException e) {
            throw new LedgerException("cannot read the damage jobs of " + sha256, e);
        }
    }

    private interface Binder {
        void bind(PreparedStatement st) throws SQLException;
    }

    private int delete(String sql, Binder binder) {
        try (Connection c = dataSource.getConnection(); PreparedStatement st = c.prepareStatement(sql)) {
            binder.bind(st);
            return st.executeUpdate();
        } catch (SQLException e) {
            throw new LedgerException("cannot prune: " + sql, e);
        }
    }

    private static String clip(String s) {
        return s == null || s.length() <= MAX_TEXT ? s : s.substring(0, MAX_TEXT - 3) + "...";
    }
}
