package io.photobridge.records;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.sql.Types;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/** The RecoveryConnect transfers of the ledger (table photo_transfer): each attachment's outcome, also told in the timelines. */
public final class TransferRecords {

    private static final int MAX_TEXT = 4000;

    private final Ledger ledger;

    public TransferRecords(Ledger ledger) {
        this.ledger = ledger;
    }

    /**
     * Records one attachment's outcome, and tells it in the source order's timeline (against PhotoBridge's photo when known)
     * and, when it arrived, in the destination order's timeline.
     */
    public void record(String requestId, String requestedBy, long orderId, Long attachmentId, Long photoId, long transferTo,
                       String status, String detail) {
        Instant now = Instant.now();
        try (Connection c = ledger.dataSource().getConnection(); PreparedStatement st = c.prepareStatement(
                "insert into photo_transfer (request_id, requested_by, order_id, rc_attachment_id, photo_id, transfer_to, status,"
                        + " detail, at) values (?,?,?,?,?,?,?,?,?)")) {
            st.setString(1, requestId);
            st.setString(2, clip(requestedBy));
            st.setLong(3, orderId);
            st.setObject(4, attachmentId, Types.BIGINT);
            st.setObject(5, photoId, Types.BIGINT);
            st.setLong(6, transferTo);
            st.setString(7, status);
            st.setString(8, clip(detail));
            st.setTimestamp(9, Timestamp.from(now));
            st.executeUpdate();
        } catch (SQLException e) {
            throw new LedgerException("cannot record the transfer of order " + orderId + " to order " + transferTo, e);
        }
        String what = attachmentId == null ? "the photos" : "attachment " + attachmentId;
        boolean success = "SUCCESS".equals(status);
        String outcome = status.toLowerCase().replace('_', ' ') + (detail == null ? "" : " (" + detail + ")");
        ledger.event(photoId, orderId, null, success ? "TRANSFERRED" : "TRANSFER_FAILED",
                what + " -> order " + transferTo + ": " + outcome + ", requested by " + requestedBy);
        if (success) {
            ledger.event(null, transferTo, null, "TRANSFERRED_IN", what + " of order " + orderId + " was transferred here"
                    + ", requested by " + requestedBy);
        }
    }

    /**
     * Notes, before a call is sent, that it may be carried out without a recorded outcome; photoKey: the attachment id, 0 for
     * a whole-order call.
     */
    public void sending(String requestId, long photoKey) {
        try (Connection c = ledger.dataSource().getConnection()) {
            try (PreparedStatement st = c.prepareStatement(
                    "update transfer_call_sent set sent_at = ? where request_id = ? and photo_key = ?")) {
                st.setTimestamp(1, Timestamp.from(Instant.now()));
                st.setString(2, requestId);
                st.setLong(3, photoKey);
                if (st.executeUpdate() > 0) {
                    return;
                }
            }
            try (PreparedStatement st = c.prepareStatement(
                    "insert into transfer_call_sent (request_id, photo_key, sent_at) values (?,?,?)")) {
                st.setString(1, requestId);
                st.setLong(2, photoKey);
                st.setTimestamp(3, Timestamp.from(Instant.now()));
                st.executeUpdate();
            } catch (SQLException e) {
                if (!Ledger.UNIQUE_VIOLATION.equals(e.getSQLState())) {
                    throw e;
                }
                // the same call of another copy of the request noted it first: noted is noted
            }
        } catch (SQLException e) {
            throw new LedgerException("cannot note the transfer call of request " + requestId + " as sent", e);
        }
    }

    /** The call's outcome is recorded (or given up on): a request carried out again needs no lookup for it. */
    public void settled(String requestId, long photoKey) {
        try (Connection c = ledger.dataSource().getConnection(); PreparedStatement st = c.prepareStatement(
                "delete from transfer_call_sent where request_id = ? and photo_key = ?")) {
            st.setString(1, requestId);
            st.setLong(2, photoKey);
            st.executeUpdate();
        } catch (SQLException e) {
            throw new LedgerException("cannot note the transfer call of request " + requestId + " as settled", e);
        }
    }

    /** The calls of a request sent without a recorded outcome: attachment ids, 0 for a whole-order call. */
    public Set<Long> unsettled(String requestId) {
        Set<Long> keys = new HashSet<>();
        try (Connection c = ledger.dataSource().getConnection(); PreparedStatement st = c.prepareStatement(
                "select photo_key from transfer_call_sent where request_id = ?")) {
            st.setString(1, requestId);
            try (ResultSet rs = st.executeQuery()) {
                while (rs.next()) {
                    keys.add(rs.getLong(1));
                }
            }
        } catch (SQLException e) {
            throw new LedgerException("cannot read the transfer calls of request " + requestId, e);
        }
        return keys;
    }

    /** Every transfer from or to an order, oldest first. */
    public List<TransferRecord> of(long orderId) {
        return query("select * from photo_transfer where order_id = ? or transfer_to = ? order by id", st -> {
            st.setLong(1, orderId);
            st.setLong(2, orderId);
        });
    }

    /** The outcomes of one request, in the order they were recorded. */
    public List<TransferRecord> ofRequest(String requestId) {
        return query("select * from photo_transfer where request_id = ? order by id", st -> st.setString(1, requestId));
    }

    private interface Binder {
        void bind(PreparedStatement st) throws SQLException;
    }

    private List<TransferRecord> query(String sql, Binder binder) {
        List<TransferRecord> rows = new ArrayList<>();
        try (Connection c = ledger.dataSource().getConnection(); PreparedStatement st = c.prepareStatement(sql)) {
            binder.bind(st);
            try (ResultSet rs = st.executeQuery()) {
                while (rs.next()) {
                    rows.add(new TransferRecord(rs.getLong("id"), rs.getString("request_id"), rs.getString("requested_by"),
                            rs.getLong("order_id"), rs.getObject("rc_attachment_id", Long.class),
                            rs.getObject("photo_id", Long.class), rs.getLong("transfer_to"), rs.getString("status"),
                            rs.getString("detail"), rs.getTimestamp("at").toInstant()));
                }
            }
        } catch (SQLException e) {
            throw new LedgerException("cannot read transfers", e);
        }
        return rows;
    }

    private static String clip(String s) {
        return s == null || s.length() <= MAX_TEXT ? s : s.substring(0, MAX_TEXT - 3) + "...";
    }
}
