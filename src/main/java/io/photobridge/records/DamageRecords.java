package io.photobridge.records;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

import javax.sql.DataSource;

/** The damage-analysis part of the order records: jobs (batches sent to Inspektlabs), their photos, and the reports. */
public final class DamageRecords {

    private static final int MAX_TEXT = 4000;
    private static final String SESSION_SENDING = "SENDING";
    private static final String SESSION_ACCEPTED = "ACCEPTED";
    private static final String SESSION_REFUSED = "REFUSED";
    private static final String SESSION_ANSWER_LOST = "ANSWER_LOST";
    private static final String SESSION_NO_REPORT = "NO_REPORT";

    private final DataSource dataSource;
    private final Ledger ledger;

    public DamageRecords(Ledger ledger) {
        this.ledger = ledger;
        this.dataSource = ledger.dataSource();
    }

    /** The job of a batch, created PENDING with its photos on first call; the same batch key always gives the same job. */
    public DamageJob open(String batchKey, long orderId, String mediaKind, String caseId, List<Long> photoIds) {
        Optional<DamageJob> existing = byBatch(batchKey);
        if (existing.isPresent()) {
            return existing.get();
        }
        Instant now = Instant.now();
        try (Connection c = dataSource.getConnection()) {
            c.setAutoCommit(false);
            try {
                long id;
                try (PreparedStatement st = c.prepareStatement("insert into damage_job (batch_key, order_id, media_kind, case_id,"
                        + " media_count, state, attempts, created_at, updated_at) values (?,?,?,?,?,?,0,?,?)", new String[] {"id"})) {
                    st.setString(1, batchKey);
                    st.setLong(2, orderId);
                    st.setString(3, mediaKind);
                    st.setString(4, caseId);
                    st.setInt(5, photoIds.size());
                    st.setString(6, DamageJobState.PENDING.name());
                    st.setTimestamp(7, Timestamp.from(now));
                    st.setTimestamp(8, Timestamp.from(now));
                    st.executeUpdate();
                    try (ResultSet keys = st.getGeneratedKeys()) {
                        keys.next();
                        id = keys.getLong(1);
                    }
                }
                try (PreparedStatement st = c.prepareStatement(
                        "insert into damage_job_photo (job_id, photo_id, state) values (?,?,'INCLUDED')")) {
                    for (Long photoId : photoIds) {
                        st.setLong(1, id);
                        st.setLong(2, photoId);
                        st.addBatch();
                    }
                    st.executeBatch();
                }
                c.commit();
            } catch (SQLException e) {
                c.rollback();
                if (!Ledger.UNIQUE_VIOLATION.equals(e.getSQLState())) {
                    throw e;
                }
            }
        } catch (SQLException e) {
            throw new LedgerException("cannot record damage batch " + batchKey, e);
        }
        DamageJob job = byBatch(batchKey).orElseThrow();
        ledger.event(null, orderId, null, "DAMAGE_BATCH", job.mediaCount() + " " + mediaKind.toLowerCase() + "(s) batched for"
                + " damage analysis as job " + job.id());
        return job;
    }

    /**
     * Holds a PENDING job for one sender until {@code until}: false when the job is no longer PENDING or another sender holds
     * it (a batch recovered from the aggregation repository while its first delivery still runs).
     */
    public boolean claim(long jobId, Instant until) {
        Instant now = Instant.now();
        try (Connection c = dataSource.getConnection(); PreparedStatement st = c.prepareStatement("update damage_job set"
                + " sending_until = ?, updated_at = ? where id = ? and state = ? and (sending_until is null or sending_until < ?)")) {
            st.setTimestamp(1, Timestamp.from(until));
            st.setTimestamp(2, Timestamp.from(now));
            st.setLong(3, jobId);
            st.setString(4, DamageJobState.PENDING.name());
            st.setTimestamp(5, Timestamp.from(now));
            return st.executeUpdate() == 1;
        } catch (SQLException e) {
            throw new LedgerException("cannot claim damage job " + jobId, e);
        }
    }

    /** Lets go of a job claimed by {@link #claim}. */
    public void release(long jobId) {
        execute("update damage_job set sending_until = null, updated_at = ? where id = ?", jobId, null);
    }

    /** Another upload attempt of a job. */
    public void attempt(long jobId) {
        execute("update damage_job set attempts = attempts + 1, updated_at = ? where id = ?", jobId, null);
    }

    /** A session opened for the job's next upload, recorded before the upload is sent: its report will find the job. */
    public void sessionOpened(long jobId, String session) {
        Instant now = Instant.now();
        try (Connection c = dataSource.getConnection(); PreparedStatement st = c.prepareStatement("insert into damage_session"
                + " (session, job_id, state, opened_at, updated_at) values (?,?,?,?,?)")) {
            st.setString(1, session);
            st.setLong(2, jobId);
            st.setString(3, SESSION_SENDING);
            st.setTimestamp(4, Timestamp.from(now));
            st.setTimestamp(5, Timestamp.from(now));
            st.executeUpdate();
        } catch (SQLException e) {
            throw new LedgerException("cannot record Inspektlabs session " + session + " of damage job " + jobId, e);
        }
    }

    /** Inspektlabs refused the upload of this session (an error answer): no report will come for it. */
    public void sessionRefused(String session) {
        sessionState(session, SESSION_REFUSED, false);
    }

    /**
     * The upload of this session was sent but its answer was lost (timeout, dropped connection): Inspektlabs may have accepted
     * it, so the job waits for its report before it is sent again.
     */
    public void answerLost(long jobId, String session, String reason) {
        sessionState(session, SESSION_ANSWER_LOST, true);
        problem(jobId, reason);
        get(jobId).ifPresent(job -> ledger.event(null, job.orderId(), null, "DAMAGE_ANSWER_LOST", "job " + jobId + ": " + reason));
    }

    /** No report came for this lost answer within the wait: the batch is sent again (a late report still finds the job). */
    public void noReport(String session) {
        sessionState(session, SESSION_NO_REPORT, false);
    }

    /**
     * The latest session of the job whose upload answer was lost, and when; empty when there is none. Read by the job's
     * sender while it holds the job: a session still SENDING then belongs to a sender that died during its upload (a crash),
     * whose answer is lost as well, since its upload was sent.
     */
    public Optional<LostAnswer> lostAnswer(long jobId) {
        try (Connection c = dataSource.getConnection(); PreparedStatement st = c.prepareStatement("select session,"
                + " coalesce(answer_lost_at, opened_at) lost_at from damage_session where job_id = ? and state in (?, ?)"
                + " order by lost_at desc")) {
            st.setLong(1, jobId);
            st.setString(2, SESSION_ANSWER_LOST);
            st.setString(3, SESSION_SENDING);
            try (ResultSet rs = st.executeQuery()) {
                return rs.next() ? Optional.of(new LostAnswer(rs.getString(1), rs.getTimestamp(2).toInstant())) : Optional.empty();
            }
        } catch (SQLException e) {
            throw new LedgerException("cannot read the sessions of damage job " + jobId, e);
        }
    }

    /** Every session opened for the job, oldest first. */
    public List<String> sessions(long jobId) {
        List<String> sessions = new ArrayList<>();
        try (Connection c = dataSource.getConnection(); PreparedStatement st = c.prepareStatement(
                "select session from damage_session where job_id = ? order by opened_at, session")) {
            st.setLong(1, jobId);
            try (ResultSet rs = st.executeQuery()) {
                while (rs.next()) {
                    sessions.add(rs.getString(1));
                }
            }
        } catch (SQLException e) {
            throw new LedgerException("cannot read the sessions of damage job " + jobId, e);
        }
        return sessions;
    }

    /** Reports kept for inspections no job opened: their count and total size in bytes. */
    public Unmatched unmatched() {
        try (Connection c = dataSource.getConnection(); PreparedStatement st = c.prepareStatement(
                "select count(*), coalesce(sum(octet_length(body)), 0) from damage_report where job_id is null");
             ResultSet rs = st.executeQuery()) {
            rs.next();
            return new Unmatched(rs.getLong(1), rs.getLong(2));
        } catch (SQLException e) {
            throw new LedgerException("cannot count unmatched damage reports", e);
        }
    }

    /** True when the report of this inspection is already stored. */
    public boolean reportStored(String inspectionId) {
        try (Connection c = dataSource.getConnection(); PreparedStatement st = c.prepareStatement(
                "select 1 from damage_report where inspection_id = ?")) {
            st.setString(1, inspectionId);
            try (ResultSet rs = st.executeQuery()) {
                return rs.next();
            }
        } catch (SQLException e) {
            throw new LedgerException("cannot read damage reports", e);
        }
    }

    /** Inspektlabs accepted the job's upload under this session (a report that came first keeps the job REPORTED). */
    public void submitted(long jobId, String session) {
        Instant now = Instant.now();
        try (Connection c = dataSource.getConnection(); PreparedStatement st = c.prepareStatement(
                "update damage_job set state = case when state = ? then ? else state end, session = ?, last_error = null,"
                        + " submitted_at = ?, updated_at = ? where id = ?")) {
            st.setString(1, DamageJobState.PENDING.name());
            st.setString(2, DamageJobState.SUBMITTED.name());
            st.setString(3, session);
            st.setTimestamp(4, Timestamp.from(now));
            st.setTimestamp(5, Timestamp.from(now));
            st.setLong(6, jobId);
            st.executeUpdate();
        } catch (SQLException e) {
            throw new LedgerException("cannot mark damage job " + jobId + " submitted", e);
        }
        sessionState(session, SESSION_ACCEPTED, false);
        DamageJob job = get(jobId).orElseThrow();
        ledger.event(null, job.orderId(), null, "DAMAGE_SUBMITTED", "job " + jobId + " (" + job.mediaCount() + " "
                + job.mediaKind().toLowerCase() + "(s)) accepted by Inspektlabs as inspection " + session);
    }

    /** The job's latest problem, kept while it is retried. */
    public void problem(long jobId, String reason) {
        execute("update damage_job set last_error = ?, updated_at = ? where id = ?", jobId, reason);
    }

    /** Gave up on the job. */
    public void failed(long jobId, String reason) {
        try (Connection c = dataSource.getConnection(); PreparedStatement st = c.prepareStatement(
                "update damage_job set state = ?, last_error = ?, updated_at = ? where id = ?")) {
            st.setString(1, DamageJobState.FAILED.name());
            st.setString(2, clip(reason));
            st.setTimestamp(3, Timestamp.from(Instant.now()));
            st.setLong(4, jobId);
            st.executeUpdate();
        } catch (SQLException e) {
            throw new LedgerException("cannot mark damage job " + jobId + " failed", e);
        }
        get(jobId).ifPresent(job -> ledger.event(null, job.orderId(), null, "DAMAGE_FAILED", "job " + jobId + ": " + reason));
    }

    /** A photo of a job that Inspektlabs will not take (wrong type, video too small...): kept in the job, marked, with why. */
    public void excludePhoto(long jobId, long photoId, String reason) {
        try (Connection c = dataSource.getConnection(); PreparedStatement st = c.prepareStatement(
                "update damage_job_photo set state = 'FAILED', detail = ? where job_id = ? and photo_id = ?")) {
            st.setString(1, clip(reason));
            st.setLong(2, jobId);
            st.setLong(3, photoId);
            st.executeUpdate();
        } catch (SQLException e) {
            throw new LedgerException("cannot exclude photo " + photoId + " from damage job " + jobId, e);
        }
        ledger.get(photoId).ifPresent(p -> ledger.event(photoId, p.orderId(), p.sourceUri(), "DAMAGE_EXCLUDED", reason));
    }

    /** The photos of a job still included (not excluded). */
    public List<Long> includedPhotos(long jobId) {
        List<Long> ids = new ArrayList<>();
        try (Connection c = dataSource.getConnection(); PreparedStatement st = c.prepareStatement(
                "select photo_id from damage_job_photo where job_id = ? and state = 'INCLUDED' order by photo_id")) {
            st.setLong(1, jobId);
            try (ResultSet rs = st.executeQuery()) {
                while (rs.next()) {
                    ids.add(rs.getLong(1));
                }
            }
        } catch (SQLException e) {
            throw new LedgerException("cannot read damage job " + jobId, e);
        }
        return ids;
    }

    /**
     * Stores a report received by webhook, once per inspection id; the matching job becomes REPORTED or REJECTED.
     * Returns false when this inspection's report was already stored (a repeated delivery).
     */
    public boolean report(String inspectionId, String caseId, String status, String uploadStatus, String vehicleType,
                          String vehicleReadings, String damages, String body) {
        Optional<DamageJob> job = bySession(inspectionId);
        Instant now = Instant.now();
        try (Connection c = dataSource.getConnection()) {
            c.setAutoCommit(false);
            try {
                try (PreparedStatement st = c.prepareStatement("insert into damage_report (inspection_id, job_id, case_id, status,"
                        + " upload_status, vehicle_type, vehicle_readings, damages, body, received_at) values (?,?,?,?,?,?,?,?,?,?)")) {
                    st.setString(1, inspectionId);
                    if (job.isPresent()) {
                        st.setLong(2, job.get().id());
                    } else {
                        st.setNull(2, java.sql.Types.BIGINT);
                    }
                    st.setString(3, caseId);
                    st.setString(4, status);
                    st.setString(5, uploadStatus);
                    st.setString(6, vehicleType);
                    st.setString(7, vehicleReadings);
                    st.setString(8, damages);
                    st.setString(9, body);
                    st.setTimestamp(10, Timestamp.from(now));
                    st.executeUpdate();
                }
                if (job.isPresent()) {
                    DamageJobState state = "Rejected".equalsIgnoreCase(status) ? DamageJobState.REJECTED : DamageJobState.REPORTED;
                    // a report may come before the upload's answer (or for a session whose answer was lost): it names the job's session
                    try (PreparedStatement st = c.prepareStatement("update damage_job set state = ?, report_status = ?,"
                            + " upload_status = ?, vehicle_type = ?, session = coalesce(session, ?), reported_at = ?, updated_at = ?"
                            + " where id = ?")) {
                        st.setString(1, state.name());
                        st.setString(2, status);
                        st.setString(3, uploadStatus);
                        st.setString(4, vehicleType);
                        st.setString(5, inspectionId);
                        st.setTimestamp(6, Timestamp.from(now));
                        st.setTimestamp(7, Timestamp.from(now));
                        st.setLong(8, job.get().id());
                        st.executeUpdate();
                    }
                }
                c.commit();
            } catch (SQLException e) {
                c.rollback();
                if (Ledger.UNIQUE_VIOLATION.equals(e.getSQLState())) {
                    return false;
                }
                throw e;
            }
        } catch (SQLException e) {
            throw new LedgerException("cannot store the damage report of inspection " + inspectionId, e);
        }
        if (job.isPresent()) {
            boolean again = job.get().reportedAt() != null;
            ledger.event(null, job.get().orderId(), null, "DAMAGE_REPORTED", "inspection " + inspectionId + ": " + status
                    + ", " + uploadStatus + (again ? " (another report of job " + job.get().id() + ": it was analysed again)" : ""));
        } else {
            ledger.event(null, null, null, "DAMAGE_REPORT_UNMATCHED", "report for unknown inspection " + inspectionId
                    + " (case " + caseId + ") kept in damage_report");
        }
        return true;
    }

    /**
     * Queues a photo or video for damage analysis (the outbox the damage-batches singleton reads) and marks it queued, in one
     * transaction; false when it was queued before (the same photo recorded twice, or ingested again, is queued once).
     */
    public boolean queue(long photoId, long orderId, String mediaKind, int batchLimit, String caseId, String instance) {
        Timestamp now = Timestamp.from(Instant.now());
        try (Connection c = dataSource.getConnection()) {
            c.setAutoCommit(false);
            try (PreparedStatement mark = c.prepareStatement(
                    "update photo set damage_queued_at = ? where id = ? and damage_queued_at is null");
                 PreparedStatement st = c.prepareStatement("insert into damage_queue"
                         + " (photo_id, order_id, media_kind, batch_limit, case_id, queued_by, queued_at) values (?,?,?,?,?,?,?)")) {
                mark.setTimestamp(1, now);
                mark.setLong(2, photoId);
                if (mark.executeUpdate() == 0) {
                    c.rollback();
                    return false;
                }
                st.setLong(1, photoId);
                st.setLong(2, orderId);
                st.setString(3, mediaKind);
                st.setInt(4, batchLimit);
                st.setString(5, clip(caseId, 256));
                st.setString(6, clip(instance, 128));
                st.setTimestamp(7, now);
                st.executeUpdate();
                c.commit();
                return true;
            } catch (SQLException e) {
                c.rollback();
                if (Ledger.UNIQUE_VIOLATION.equals(e.getSQLState())) {
                    return false;
                }
                throw e;
            }
        } catch (SQLException e) {
            throw new LedgerException("cannot queue photo " + photoId + " for damage analysis", e);
        }
    }

    /** Notes in the photo's timeline that it could not be queued for damage analysis, and why (DAMAGE_NOT_QUEUED). */
    public void notQueued(Long photoId, Long orderId, String name, String reason) {
        ledger.event(photoId, orderId, null, "DAMAGE_NOT_QUEUED", (name == null ? "photo " + photoId : name)
                + " was not queued for damage analysis (" + reason + "); it is queued if its file is ingested again");
    }

    /** Whether the photo was queued for damage analysis (a photo seen again may not have been, if its first run died). */
    public boolean queuedBefore(long photoId) {
        try (Connection c = dataSource.getConnection(); PreparedStatement st = c.prepareStatement(
                "select damage_queued_at from photo where id = ?")) {
            st.setLong(1, photoId);
            try (ResultSet rs = st.executeQuery()) {
                return rs.next() && rs.getTimestamp(1) != null;
            }
        } catch (SQLException e) {
            throw new LedgerException("cannot read whether photo " + photoId + " was queued for damage analysis", e);
        }
    }

    /** How many photos wait in the queue for the damage-batches singleton to take them into a batch. */
    public long queued() {
        try (Connection c = dataSource.getConnection(); PreparedStatement st = c.prepareStatement("select count(*) from damage_queue");
             ResultSet rs = st.executeQuery()) {
            rs.next();
            return rs.getLong(1);
        } catch (SQLException e) {
            throw new LedgerException("cannot count the damage queue", e);
        }
    }

    /** Whether the photo is in a damage job already (a queue row read again after a crash must not make a second batch). */
    public boolean inJob(long photoId) {
        try (Connection c = dataSource.getConnection(); PreparedStatement st = c.prepareStatement(
                "select 1 from damage_job_photo where photo_id = ?")) {
            st.setLong(1, photoId);
            st.setMaxRows(1);
            try (ResultSet rs = st.executeQuery()) {
                return rs.next();
            }
        } catch (SQLException e) {
            throw new LedgerException("cannot read the damage jobs of photo " + photoId, e);
        }
    }

    public Optional<DamageJob> get(long id) {
        return query("select * from damage_job where id = ?", id).stream().findFirst();
    }

    public Optional<DamageJob> byBatch(String batchKey) {
        return query("select * from damage_job where batch_key = ?", batchKey).stream().findFirst();
    }

    /** The job of an inspection: any session PhotoBridge opened for it, accepted, refused or with its answer lost. */
    public Optional<DamageJob> bySession(String session) {
        Optional<DamageJob> job = query("select * from damage_job where session = ?", session).stream().findFirst();
        return job.isPresent() ? job : query("select j.* from damage_job j join damage_session s on s.job_id = j.id"
                + " where s.session = ?", session).stream().findFirst();
    }

    /** Every job of an order, oldest first. */
    public List<DamageJob> jobs(long orderId) {
        return query("select * from damage_job where order_id = ? order by id", orderId);
    }

    /** Every stored report, oldest first. */
    public List<DamageReport> reports() {
        return reports("select * from damage_report order by id", null);
    }

    /** The reports of an order's jobs, oldest first. */
    public List<DamageReport> reportsOf(long orderId) {
        return reports("select r.* from damage_report r join damage_job j on r.job_id = j.id where j.order_id = ? order by r.id",
                orderId);
    }

    private List<DamageReport> reports(String sql, Long orderId) {
        List<DamageReport> reports = new ArrayList<>();
        try (Connection c = dataSource.getConnection(); PreparedStatement st = c.prepareStatement(sql)) {
            if (orderId != null) {
                st.setLong(1, orderId);
            }
            try (ResultSet rs = st.executeQuery()) {
                while (rs.next()) {
                reports.add(new DamageReport(rs.getLong("id"), rs.getString("inspection_id"), rs.getObject("job_id", Long.class),
                        rs.getString("case_id"), rs.getString("status"), rs.getString("upload_status"),
                        rs.getString("vehicle_type"), rs.getString("vehicle_readings"), rs.getString("damages"),
                        rs.getString("body"), rs.getTimestamp("received_at").toInstant()));
                }
            }
        } catch (SQLException e) {
            throw new LedgerException("cannot read damage reports", e);
        }
        return reports;
    }

    private List<DamageJob> query(String sql, Object key) {
        List<DamageJob> jobs = new ArrayList<>();
        try (Connection c = dataSource.getConnection(); PreparedStatement st = c.prepareStatement(sql)) {
            st.setObject(1, key);
            try (ResultSet rs = st.executeQuery()) {
                while (rs.next()) {
                    jobs.add(new DamageJob(rs.getLong("id"), rs.getString("batch_key"), rs.getLong("order_id"),
                            rs.getString("media_kind"), rs.getString("case_id"), rs.getString("session"), rs.getInt("media_count"),
                            DamageJobState.valueOf(rs.getString("state")), rs.getInt("attempts"), rs.getString("last_error"),
                            rs.getString("report_status"), rs.getString("upload_status"), rs.getString("vehicle_type"),
                            instant(rs, "created_at"), instant(rs, "updated_at"), instant(rs, "submitted_at"),
                            instant(rs, "reported_at")));
                }
            }
        } catch (SQLException e) {
            throw new LedgerException("cannot read damage jobs", e);
        }
        return jobs;
    }

    private void sessionState(String session, String state, boolean answerLost) {
        Instant now = Instant.now();
        try (Connection c = dataSource.getConnection(); PreparedStatement st = c.prepareStatement("update damage_session set state = ?,"
                + " answer_lost_at = " + (answerLost ? "?" : "answer_lost_at") + ", updated_at = ? where session = ?")) {
            int i = 1;
            st.setString(i++, state);
            if (answerLost) {
                st.setTimestamp(i++, Timestamp.from(now));
            }
            st.setTimestamp(i++, Timestamp.from(now));
            st.setString(i, session);
            st.executeUpdate();
        } catch (SQLException e) {
            throw new LedgerException("cannot update Inspektlabs session " + session, e);
        }
    }

    private void execute(String sql, long jobId, String text) {
        try (Connection c = dataSource.getConnection(); PreparedStatement st = c.prepareStatement(sql)) {
            int i = 1;
            if (text != null) {
                st.setString(i++, clip(text));
            }
            st.setTimestamp(i++, Timestamp.from(Instant.now()));
            st.setLong(i, jobId);
            st.executeUpdate();
        } catch (SQLException e) {
            throw new LedgerException("cannot update damage job " + jobId, e);
        }
    }

    private static Instant instant(ResultSet rs, String column) throws SQLException {
        Timestamp t = rs.getTimestamp(column);
        return t == null ? null : t.toInstant();
    }

    private static String clip(String s) {
        return clip(s, MAX_TEXT);
    }

    private static String clip(String s, int max) {
        return s == null || s.length() <= max ? s : s.substring(0, max - 3) + "...";
    }

    /** A session whose upload answer was lost, and when. */
    public record LostAnswer(String session, Instant at) {
    }

    /** Reports kept for inspections no job opened. */
    public record Unmatched(long count, long bytes) {
    }
}
