package io.photobridge.records;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

import javax.sql.DataSource;

/** The PAVE part of the order records: sessions linked to orders (with a polling lease), and every capture's QA verdict. */
public final class PaveRecords {


    private final Ledger ledger;
    private final DataSource dataSource;

    public PaveRecords(Ledger ledger) {
        this.ledger = ledger;
        this.dataSource = ledger.dataSource();
    }

    /** A session as linked to an order. */
    public record Session(String sessionKey, long orderId, String status, String captureUrl, boolean active, boolean unknown,
                          Instant lastPolledAt, String lastError) {
    }

    /** Links a session to an order; linking it again to the same order is a no-op, to another order an error. */
    public Session link(long orderId, String sessionKey, String status, String captureUrl) {
        Instant now = Instant.now();
        try (Connection c = dataSource.getConnection(); PreparedStatement st = c.prepareStatement("insert into pave_session"
                + " (session_key, order_id, status, capture_url, active, not_found, created_at, updated_at) values (?,?,?,?,true,false,?,?)")) {
            st.setString(1, sessionKey);
            st.setLong(2, orderId);
            st.setString(3, status);
            st.setString(4, captureUrl);
            st.setTimestamp(5, Timestamp.from(now));
            st.setTimestamp(6, Timestamp.from(now));
            st.executeUpdate();
            ledger.event(null, orderId, null, "PAVE_LINKED", "PAVE session " + sessionKey + " linked to order " + orderId);
        } catch (SQLException e) {
            if (!Ledger.UNIQUE_VIOLATION.equals(e.getSQLState())) {
                throw new LedgerException("cannot link PAVE session " + sessionKey, e);
            }
        }
        Session session = session(sessionKey).orElseThrow();
        if (session.orderId() != orderId) {
            throw new IllegalArgumentException("PAVE session " + sessionKey + " is already linked to order " + session.orderId());
        }
        return session;
    }

    public Optional<Session> session(String sessionKey) {
        return sessions("select * from pave_session where session_key = ?", sessionKey).stream().findFirst();
    }

    public List<Session> sessionsOf(long orderId) {
        return sessions("select * from pave_session where order_id = ? order by created_at", orderId);
    }

    /** Takes the active sessions free to poll (no other instance holds a live lease) for this run, for the lease's length. */
    public List<Session> claimActive(String runId, Duration lease) {
        List<Session> claimed = new ArrayList<>();
        Instant now = Instant.now();
        for (Session s : sessions("select * from pave_session where active = ? order by last_polled_at nulls first", true)) {
            if (claim(s.sessionKey(), runId, lease, now)) {
                claimed.add(s);
            }
        }
        return claimed;
    }

    /** Takes one session for polling (a webhook asked for it); false when another instance holds it. */
    public boolean claim(String sessionKey, String runId, Duration lease) {
        return claim(sessionKey, runId, lease, Instant.now());
    }

    private boolean claim(String sessionKey, String runId, Duration lease, Instant now) {
        try (Connection c = dataSource.getConnection(); PreparedStatement st = c.prepareStatement("update pave_session set"
                + " locked_by = ?, locked_until = ? where session_key = ? and active = true"
                + " and (locked_until is null or locked_until < ? or locked_by = ?)")) {
            st.setString(1, runId);
            st.setTimestamp(2, Timestamp.from(now.plus(lease)));
            st.setString(3, sessionKey);
            st.setTimestamp(4, Timestamp.from(now));
            st.setString(5, runId);
            return st.executeUpdate() == 1;
        } catch (SQLException e) {
            throw new LedgerException("cannot claim PAVE session " + sessionKey, e);
        }
    }

    /** A poll ended: the session's status, whether it stays active, and the lease given back. */
    public void polled(String sessionKey, String status, boolean active, String error) {
        Instant now = Instant.now();
        try (Connection c = dataSource.getConnection(); PreparedStatement st = c.prepareStatement("update pave_session set"
                + " status = coalesce(?, status), active = ?, last_polled_at = ?, last_error = ?, locked_by = null,"
                + " locked_until = null, updated_at = ? where session_key = ?")) {
            st.setString(1, status);
            st.setBoolean(2, active);
            st.setTimestamp(3, Timestamp.from(now));
            st.setString(4, error);
            st.setTimestamp(5, Timestamp.from(now));
            st.setString(6, sessionKey);
            st.executeUpdate();
        } catch (SQLException e) {
            throw new LedgerException("cannot record the poll of PAVE session " + sessionKey, e);
        }
    }

    /** PAVE does not know the session (404): it is no longer polled. */
    public void unknown(String sessionKey, String message) {
        try (Connection c = dataSource.getConnection(); PreparedStatement st = c.prepareStatement("update pave_session set"
                + " not_found = true, active = false, last_error = ?, locked_by = null, locked_until = null, updated_at = ?"
                + " where session_key = ?")) {
            st.setString(1, message);
            st.setTimestamp(2, Timestamp.from(Instant.now()));
            st.setString(3, sessionKey);
            st.executeUpdate();
        } catch (SQLException e) {
            throw new LedgerException("cannot mark PAVE session " + sessionKey + " unknown", e);
        }
        session(sessionKey).ifPresent(s -> ledger.event(null, s.orderId(), null, "PAVE_UNKNOWN", message));
    }

    /**
     * Records a capture's verdict: a new capture is inserted (approved → PENDING relay), a known one gets its verdict
     * updated when PAVE changed it (latest updated_at wins; becoming approved makes it PENDING). Earlier captures stay.
     */
    public void verdict(String sessionKey, long orderId, int photoCode, String label, String url, boolean approved, String message,
                        Instant capturedAt, Instant verdictAt) {
        Instant now = Instant.now();
        try (Connection c = dataSource.getConnection()) {
            try (PreparedStatement st = c.prepareStatement("insert into pave_capture (session_key, order_id, photo_code,"
                    + " photo_label, url, approved, approved_message, captured_at, verdict_at, relay_state, first_seen_at)"
                    + " values (?,?,?,?,?,?,?,?,?,?,?)")) {
                st.setString(1, sessionKey);
                st.setLong(2, orderId);
                st.setInt(3, photoCode);
                st.setString(4, label);
                st.setString(5, url);
                st.setBoolean(6, approved);
                st.setString(7, message);
                st.setTimestamp(8, Timestamp.from(capturedAt));
                st.setTimestamp(9, Timestamp.from(verdictAt));
                st.setString(10, approved ? PaveCapture.PENDING : PaveCapture.NOT_APPROVED);
                st.setTimestamp(11, Timestamp.from(now));
                st.executeUpdate();
                ledger.event(null, orderId, url, approved ? "PAVE_ACCEPTED" : "PAVE_REJECTED", "session " + sessionKey
                        + ", photo " + photoCode + " " + label + ": " + message);
                return;
            } catch (SQLException e) {
                if (!Ledger.UNIQUE_VIOLATION.equals(e.getSQLState())) {
                    throw e;
                }
            }
            try (PreparedStatement st = c.prepareStatement("update pave_capture set approved = ?, approved_message = ?, url = ?,"
                    + " verdict_at = ?, relay_state = case when ? and relay_state = 'NOT_APPROVED' then 'PENDING' else relay_state end"
                    + " where session_key = ? and photo_code = ? and captured_at = ? and verdict_at < ?")) {
                st.setBoolean(1, approved);
                st.setString(2, message);
                st.setString(3, url);
                st.setTimestamp(4, Timestamp.from(verdictAt));
                st.setBoolean(5, approved);
                st.setString(6, sessionKey);
                st.setInt(7, photoCode);
                st.setTimestamp(8, Timestamp.from(capturedAt));
                st.setTimestamp(9, Timestamp.from(verdictAt));
                if (st.executeUpdate() == 1) {
                    ledger.event(null, orderId, url, approved ? "PAVE_ACCEPTED" : "PAVE_REJECTED", "session " + sessionKey
                            + ", photo " + photoCode + " " + label + " (verdict changed): " + message);
                }
            }
        } catch (SQLException e) {
            throw new LedgerException("cannot record PAVE verdict of session " + sessionKey + " photo " + photoCode, e);
        }
    }

    /** Approved captures not relayed yet (or whose relay failed), oldest first. */
    public List<PaveCapture> toRelay(String sessionKey) {
        return captures("select * from pave_capture where session_key = ? and relay_state in ('PENDING','FAILED') order by captured_at",
                sessionKey);
    }

    /** Every capture of an order, oldest first. */
    public List<PaveCapture> capturesOf(long orderId) {
        return captures("select * from pave_capture where order_id = ? order by session_key, photo_code, captured_at", orderId);
    }

    /** The capture reached the ingest pipeline as this photo. */
    public void relayed(long captureId, long photoId) {
        relay(captureId, PaveCapture.RELAYED, photoId, null);
    }

    /** The relay failed; it is tried again at the next poll. */
    public void relayFailed(long captureId, String reason) {
        relay(captureId, PaveCapture.FAILED, null, reason);
    }

    private void relay(long captureId, String state, Long photoId, String error) {
        try (Connection c = dataSource.getConnection(); PreparedStatement st = c.prepareStatement(
                "update pave_capture set relay_state = ?, photo_id = ?, relay_error = ? where id = ?")) {
            st.setString(1, state);
            if (photoId == null) {
                st.setNull(2, java.sql.Types.BIGINT);
            } else {
                st.setLong(2, photoId);
            }
            st.setString(3, error);
            st.setLong(4, captureId);
            st.executeUpdate();
        } catch (SQLException e) {
            throw new LedgerException("cannot record the relay of PAVE capture " + captureId, e);
        }
    }

    private List<Session> sessions(String sql, Object key) {
        List<Session> result = new ArrayList<>();
        try (Connection c = dataSource.getConnection(); PreparedStatement st = c.prepareStatement(sql)) {
            st.setObject(1, key);
            try (ResultSet rs = st.executeQuery()) {
                while (rs.next()) {
                    Timestamp polled = rs.getTimestamp("last_polled_at");
                    result.add(new Session(rs.getString("session_key"), rs.getLong("order_id"), rs.getString("status"),
                            rs.getString("capture_url"), rs.getBoolean("active"), rs.getBoolean("not_found"),
                            polled == null ? null : polled.toInstant(), rs.getString("last_error")));
                }
            }
        } catch (SQLException e) {
            throw new LedgerException("cannot read PAVE sessions", e);
        }
        return result;
    }

    private List<PaveCapture> captures(String sql, Object key) {
        List<PaveCapture> result = new ArrayList<>();
        try (Connection c = dataSource.getConnection(); PreparedStatement st = c.prepareStatement(sql)) {
            st.setObject(1, key);
            try (ResultSet rs = st.executeQuery()) {
                while (rs.next()) {
                    result.add(new PaveCapture(rs.getLong("id"), rs.getString("session_key"), rs.getLong("order_id"),
                            rs.getInt("photo_code"), rs.getString("photo_label"), rs.getString("url"), rs.getBoolean("approved"),
                            rs.getString("approved_message"), rs.getTimestamp("captured_at").toInstant(),
                            rs.getTimestamp("verdict_at").toInstant(), rs.getString("relay_state"),
                            rs.getObject("photo_id", Long.class), rs.getString("relay_error")));
                }
            }
        } catch (SQLException e) {
            throw new LedgerException("cannot read PAVE captures", e);
        }
        return result;
    }
}
