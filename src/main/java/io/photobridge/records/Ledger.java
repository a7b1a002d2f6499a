package io.photobridge.records;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.sql.Timestamp;
import java.sql.Types;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

import javax.sql.DataSource;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import org.flywaydb.core.Flyway;

/** The order records: every photo of every order, its source, its destination, its state and its timeline (JDBC, Flyway-managed schema). */
public final class Ledger implements AutoCloseable {

    /** SQLSTATE of a unique-key violation, the same on H2 and PostgreSQL. */
    static final String UNIQUE_VIOLATION = "23505";
    private static final int MAX_TEXT = 4000;

    private final DataSource dataSource;
    private final AutoCloseable owned;

    public Ledger(DataSource dataSource) {
        this(dataSource, null);
    }

    private Ledger(DataSource dataSource, AutoCloseable owned) {
        this.dataSource = dataSource;
        this.owned = owned;
        Flyway.configure().dataSource(dataSource).locations("classpath:db/migration").load().migrate();
    }

    /** Opens a pooled connection to the ledger database and brings its schema up to date. */
    public static Ledger open(String jdbcUrl, String user, String password, int poolSize) {
        HikariConfig config = new HikariConfig();
        config.setJdbcUrl(jdbcUrl);
        config.setUsername(user);
        config.setPassword(password);
        config.setMaximumPoolSize(poolSize);
        config.setPoolName("photobridge-ledger");
        HikariDataSource ds = new HikariDataSource(config);
        try {
            if (jdbcUrl.startsWith("jdbc:h2:") && !jdbcUrl.startsWith("jdbc:h2:mem:")) {
                // H2 writes commits to its file up to WRITE_DELAY (500 ms) later: a killed process would lose them, an upload's
                // claim among them, and the upload would be sent again after the restart (found by the crash suite)
                try (Connection c = ds.getConnection(); Statement st = c.createStatement()) {
                    st.execute("SET WRITE_DELAY 0");
                }
            }
            return new Ledger(ds, ds);
        } catch (SQLException e) {
            ds.close();
            throw new IllegalStateException("cannot set up the ledger database: " + e.getMessage(), e);
        } catch (RuntimeException e) {
            ds.close();
            throw e;
        }
    }

    public DataSource dataSource() {
        return dataSource;
    }

    /** Records a photo as RECEIVED, or finds the row that already holds the same bytes for the same order. */
    public Admission admit(NewPhotoRecord p) {
        // the row is built from what was written, not read back: one statement less per photo
        Instant now = Instant.now().truncatedTo(ChronoUnit.MICROS);
        try (Connection c = dataSource.getConnection()) {
            c.setAutoCommit(false);
            try {
                long id;
                try (PreparedStatement st = c.prepareStatement("insert into photo (order_id, sha256, source_uri, original_name,"
                        + " media_kind, mime_type, size_bytes, type_id, picture_time, picture_offset, picture_time_from, state,"
                        + " attempts, created_at, updated_at, source_version, embedded_video_offset, embedded_video_length)"
                        + " values (?,?,?,?,?,?,?,?,?,?,?,?,0,?,?,?,?,?)", new String[] {"id"})) {
                    st.setLong(1, p.orderId());
                    st.setString(2, p.sha256());
                    st.setString(3, p.sourceUri());
                    st.setString(4, p.originalName());
                    st.setString(5, p.mediaKind());
                    st.setString(6, p.mimeType());
                    st.setLong(7, p.sizeBytes());
                    setInt(st, 8, p.typeId());
                    st.setTimestamp(9, p.pictureTime() == null ? null : Timestamp.valueOf(p.pictureTime()));
                    st.setString(10, p.pictureOffset());
                    st.setString(11, p.pictureTimeFrom());
                    st.setString(12, PhotoState.RECEIVED.name());
                    st.setTimestamp(13, Timestamp.from(now));
                    st.setTimestamp(14, Timestamp.from(now));
                    st.setString(15, p.sourceVersion());
                    st.setObject(16, p.embeddedVideoOffset(), Types.BIGINT);
                    st.setObject(17, p.embeddedVideoLength(), Types.BIGINT);
                    st.executeUpdate();
                    try (ResultSet keys = st.getGeneratedKeys()) {
                        keys.next();
                        id = keys.getLong(1);
                    }
                }
                insertEvent(c, id, p.orderId(), p.sourceUri(), "RECEIVED",
                        p.originalName() + " (" + p.mediaKind() + ", " + p.sizeBytes() + " bytes, sha256 " + p.sha256()
                                + (p.embeddedVideoLength() == null ? "" : ", with an embedded video of " + p.embeddedVideoLength()
                                + " bytes at byte " + p.embeddedVideoOffset()) + ")", now);
                c.commit();
                return new Admission(new PhotoRecord(id, p.orderId(), p.sha256(), p.sourceUri(), p.sourceVersion(),
                        p.originalName(), p.mediaKind(), p.mimeType(), p.sizeBytes(), p.typeId(), p.pictureTime(),
                        p.pictureOffset(), p.pictureTimeFrom(), PhotoState.RECEIVED, null, null, null, 0, now, now,
                        p.embeddedVideoOffset(), p.embeddedVideoLength()), true);
            } catch (SQLException e) {
                c.rollback();
                if (!UNIQUE_VIOLATION.equals(e.getSQLState())) {
                    throw e;
                }
            }
        } catch (SQLException e) {
            throw new LedgerException("cannot record " + p.sourceUri(), e);
        }
        PhotoRecord existing = find(p.orderId(), p.sha256()).orElseThrow(
                () -> new LedgerException("photo of order " + p.orderId() + " with sha256 " + p.sha256() + " vanished", null));
        event(existing.id(), p.orderId(), p.sourceUri(), "SEEN_AGAIN",
                p.originalName() + " has the same bytes as photo " + existing.id() + " (" + existing.state() + ")");
        return new Admission(existing, false);
    }

    /**
     * Takes the photo for an upload attempt. FRESH: nobody tried yet, or every earlier try got a definite refusal; STALE: it is
     * left UPLOADING by an earlier run (crash) or by an attempt whose outcome is unknown; UNCONFIRMED: FAILED, but an earlier
     * try may have reached RecoveryConnect (no definite refusal, or an attachment id is known). STALE and UNCONFIRMED must be
     * looked up by their tag before anything is sent. BUSY: this run is uploading it right now; DONE: nothing to do.
     */
    public Claim claim(long id, String runId, String rcFileName) {
        return claim(id, runId, rcFileName, true);
    }

    /**
     * {@link #claim(long, String, String)} for a caller that knows whether an upload of this run still holds the photo: when
     * none does ({@code sameRunInFlight} false), a row this run left UPLOADING was abandoned (its exchange ended without
     * recording an outcome) and is STALE, not BUSY.
     */
    public Claim claim(long id, String runId, String rcFileName, boolean sameRunInFlight) {
        Instant now = Instant.now();
        try (Connection c = dataSource.getConnection()) {
            c.setAutoCommit(false);
            try {
                PhotoState state;
                String claimedBy;
                long orderId;
                String source;
                boolean unconfirmed;
                Long attachmentId;
                try (PreparedStatement st = c.prepareStatement("select state, claimed_by, order_id, source_uri, rc_unconfirmed,"
                        + " rc_attachment_id from photo where id = ? for update")) {
                    st.setLong(1, id);
                    try (ResultSet rs = st.executeQuery()) {
                        if (!rs.next()) {
                            throw new LedgerException("no photo " + id, null);
                        }
                        state = PhotoState.valueOf(rs.getString(1));
                        claimedBy = rs.getString(2);
                        orderId = rs.getLong(3);
                        source = rs.getString(4);
                        unconfirmed = rs.getBoolean(5);
                        attachmentId = rs.getObject(6, Long.class);
                    }
                }
                Claim claim = decide(state, claimedBy, runId, sameRunInFlight, unconfirmed, attachmentId);
                if (claim == Claim.FRESH || claim == Claim.STALE || claim == Claim.UNCONFIRMED) {
                    // set before anything is sent: from now on the upload may reach RecoveryConnect without a confirmation
                    try (PreparedStatement st = c.prepareStatement("update photo set state = ?, claimed_by = ?, rc_file_name = ?,"
                            + " rc_unconfirmed = ?, attempts = attempts + 1, updated_at = ? where id = ?")) {
                        st.setString(1, PhotoState.UPLOADING.name());
                        st.setString(2, runId);
                        st.setString(3, rcFileName);
                        st.setBoolean(4, true);
                        st.setTimestamp(5, Timestamp.from(now));
                        st.setLong(6, id);
                        st.executeUpdate();
                    }
                    insertEvent(c, id, orderId, source, "UPLOADING", switch (claim) {
                        case STALE -> claimedBy == null || claimedBy.equals(runId)
                                ? "an earlier attempt's outcome is unknown; looking " + rcFileName + " up before sending it"
                                : "an earlier run (" + claimedBy + ") left this upload unfinished; reconciling as " + rcFileName;
                        case UNCONFIRMED -> "an earlier attempt may have reached RecoveryConnect"
                                + (attachmentId == null ? "" : " (attachment " + attachmentId + ")") + "; looking " + rcFileName
                                + " up before sending it";
                        default -> "uploading as " + rcFileName;
                    }, now);
                }
                c.commit();
                return claim;
            } catch (SQLException | RuntimeException e) {
                c.rollback();
                throw e;
            }
        } catch (SQLException e) {
            throw new LedgerException("cannot claim photo " + id, e);
        }
    }

    private static Claim decide(PhotoState state, String claimedBy, String runId, boolean sameRunInFlight, boolean unconfirmed,
                                Long attachmentId) {
        return switch (state) {
            case UPLOADED, SKIPPED -> Claim.DONE;
            case UPLOADING -> runId.equals(claimedBy) && sameRunInFlight ? Claim.BUSY : Claim.STALE;
            case FAILED -> unconfirmed || attachmentId != null ? Claim.UNCONFIRMED : Claim.FRESH;
            case RECEIVED -> Claim.FRESH;
        };
    }

    /**
     * When the photo was last tried, if a claim now would have to look it up first (STALE or UNCONFIRMED): RecoveryConnect may
     * still be storing that try, so the lookup waits for the unknown-outcome delay from then. Empty when no lookup is due.
     */
    public Optional<Instant> unconfirmedSince(long id, String runId, boolean sameRunInFlight) {
        try (Connection c = dataSource.getConnection(); PreparedStatement st = c.prepareStatement(
                "select state, claimed_by, rc_unconfirmed, rc_attachment_id, updated_at from photo where id = ?")) {
            st.setLong(1, id);
            try (ResultSet rs = st.executeQuery()) {
                if (!rs.next()) {
                    return Optional.empty();
                }
                Claim claim = decide(PhotoState.valueOf(rs.getString(1)), rs.getString(2), runId, sameRunInFlight,
                        rs.getBoolean(3), rs.getObject(4, Long.class));
                return claim == Claim.STALE || claim == Claim.UNCONFIRMED
                        ? Optional.of(rs.getTimestamp(5).toInstant()) : Optional.empty();
            }
        } catch (SQLException e) {
            throw new LedgerException("cannot read photo " + id, e);
        }
    }

    /** Another attempt within the same run, after a retryable failure. */
    public void retrying(long id, String reason) {
        update(id, "RETRY", "update photo set attempts = attempts + 1, last_error = ?, updated_at = ? where id = ?", reason,
                st -> st.setString(1, clip(reason)));
    }

    /** Outcome of {@link #claim}. */
    public enum Claim { FRESH, STALE, UNCONFIRMED, BUSY, DONE }

    /** RecoveryConnect holds the photo; {@code how} says whether an upload or a reconciliation found that out. */
    public void markUploaded(long id, long attachmentId, String how) {
        update(id, "UPLOADED", "update photo set state = ?, rc_attachment_id = ?, last_error = null, rc_unconfirmed = false,"
                        + " updated_at = ? where id = ?",
                how + ": attachment " + attachmentId, st -> {
                    st.setString(1, PhotoState.UPLOADED.name());
                    st.setLong(2, attachmentId);
                });
    }

    /**
     * Given up on this photo, with the reason (the vendor's status and message, or the rule broken). If an upload was tried
     * without a definite refusal, a re-send still looks the photo up first.
     */
    public void markFailed(long id, String reason) {
        update(id, "FAILED", "update photo set state = ?, last_error = ?, updated_at = ? where id = ?", reason, st -> {
            st.setString(1, PhotoState.FAILED.name());
            st.setString(2, clip(reason));
        });
    }

    /**
     * Given up on this photo because RecoveryConnect refused its upload with a 4xx answer: a definite outcome, so a re-send
     * needs no lookup first (unless an earlier attempt left an attachment id).
     */
    public void markRefused(long id, String reason) {
        update(id, "FAILED", "update photo set state = ?, last_error = ?, rc_unconfirmed = false, updated_at = ? where id = ?",
                reason, st -> {
                    st.setString(1, PhotoState.FAILED.name());
                    st.setString(2, clip(reason));
                });
    }

    /**
     * Gave up on an upload whose outcome is unknown (no answer, aborted or interrupted mid-call): RecoveryConnect may hold the
     * photo, so it is not FAILED but stays UPLOADING, released by this run, and the next attempt looks it up by its tag first.
     */
    public void markOutcomeUnknown(long id, String reason) {
        update(id, "OUTCOME_UNKNOWN", "update photo set state = ?, claimed_by = null, rc_unconfirmed = true, last_error = ?,"
                + " updated_at = ? where id = ?", "RecoveryConnect may hold this photo; the next attempt looks it up by its tag"
                + " before sending it (" + reason + ")", st -> {
                    st.setString(1, PhotoState.UPLOADING.name());
                    st.setString(2, clip(reason));
                });
    }

    /** Recorded but deliberately not sent to RecoveryConnect. */
    public void markSkipped(long id, String reason) {
        update(id, "SKIPPED", "update photo set state = ?, last_error = null, updated_at = ? where id = ?", reason, st ->
                st.setString(1, PhotoState.SKIPPED.name()));
    }

    /** An input of a known order rejected before it could be recorded (it broke a content rule): a FAILED row saying why. */
    public long failedInput(long orderId, String sourceUri, String sourceVersion, String originalName, Integer typeId,
                            String reason) {
        Instant now = Instant.now();
        try (Connection c = dataSource.getConnection()) {
            c.setAutoCommit(false);
            try {
                long id;
                try (PreparedStatement st = c.prepareStatement("insert into photo (order_id, source_uri, source_version,"
                        + " original_name, type_id, state, last_error, attempts, created_at, updated_at)"
                        + " values (?,?,?,?,?,?,?,0,?,?)", new String[] {"id"})) {
                    st.setLong(1, orderId);
                    st.setString(2, sourceUri);
                    st.setString(3, sourceVersion);
                    st.setString(4, originalName);
                    setInt(st, 5, typeId);
                    st.setString(6, PhotoState.FAILED.name());
                    st.setString(7, clip(reason));
                    st.setTimestamp(8, Timestamp.from(now));
                    st.setTimestamp(9, Timestamp.from(now));
                    st.executeUpdate();
                    try (ResultSet keys = st.getGeneratedKeys()) {
                        keys.next();
                        id = keys.getLong(1);
                    }
                }
                insertEvent(c, id, orderId, sourceUri, "REJECTED", reason, now);
                c.commit();
                return id;
            } catch (SQLException | RuntimeException e) {
                c.rollback();
                throw e;
            }
        } catch (SQLException e) {
            throw new LedgerException("cannot record the rejection of " + sourceUri, e);
        }
    }

    /** An input that never became a photo row (no order could be told from it, unreadable...): the timeline still says why. */
    public void rejected(Long orderId, String sourceUri, String reason) {
        event(null, orderId, sourceUri, "REJECTED", reason);
    }

    /** Adds an entry to an order's timeline. */
    public void event(Long photoId, Long orderId, String sourceUri, String kind, String detail) {
        try (Connection c = dataSource.getConnection()) {
            insertEvent(c, photoId, orderId, sourceUri, kind, detail, Instant.now());
        } catch (SQLException e) {
            throw new LedgerException("cannot record event " + kind, e);
        }
    }

    public Optional<PhotoRecord> get(long id) {
        List<PhotoRecord> rows = queryPhotos("select * from photo where id = ?", st -> st.setLong(1, id));
        return rows.stream().findFirst();
    }

    public Optional<PhotoRecord> find(long orderId, String sha256) {
        return queryPhotos("select * from photo where order_id = ? and sha256 = ?", st -> {
            st.setLong(1, orderId);
            st.setString(2, sha256);
        }).stream().findFirst();
    }

    /** Every photo of an order, oldest first. */
    public List<PhotoRecord> photos(long orderId) {
        return queryPhotos("select * from photo where order_id = ? order by id", st -> st.setLong(1, orderId));
    }

    public List<PhotoRecord> inState(PhotoState state) {
        return queryPhotos("select * from photo where state = ? order by id", st -> st.setString(1, state.name()));
    }

    /** An order's timeline, oldest first. */
    public List<PhotoEvent> timeline(long orderId) {
        List<PhotoEvent> events = new ArrayList<>();
        try (Connection c = dataSource.getConnection();
             PreparedStatement st = c.prepareStatement("select * from photo_event where order_id = ? order by id")) {
            st.setLong(1, orderId);
            try (ResultSet rs = st.executeQuery()) {
                while (rs.next()) {
                    events.add(new PhotoEvent(rs.getLong("id"), (Long) rs.getObject("photo_id", Long.class),
                            rs.getObject("order_id", Long.class), rs.getString("source_uri"), rs.getString("kind"),
                            rs.getString("detail"), rs.getTimestamp("at").toInstant()));
                }
            }
        } catch (SQLException e) {
            throw new LedgerException("cannot read the timeline of order " + orderId, e);
        }
        return events;
    }

    /** Events without a photo row, for inputs rejected before an order was known. */
    public List<PhotoEvent> rejections() {
        List<PhotoEvent> events = new ArrayList<>();
        try (Connection c = dataSource.getConnection();
             PreparedStatement st = c.prepareStatement("select * from photo_event where kind = 'REJECTED' order by id")) {
            try (ResultSet rs = st.executeQuery()) {
                while (rs.next()) {
                    events.add(new PhotoEvent(rs.getLong("id"), rs.getObject("photo_id", Long.class),
                            rs.getObject("order_id", Long.class), rs.getString("source_uri"), rs.getString("kind"),
                            rs.getString("detail"), rs.getTimestamp("at").toInstant()));
                }
            }
        } catch (SQLException e) {
            throw new LedgerException("cannot read rejections", e);
        }
        return events;
    }

    @Override
    public void close() throws Exception {
        if (owned != null) {
            owned.close();
        }
    }

    private interface Binder {
        void bind(PreparedStatement st) throws SQLException;
    }

    /** Runs a state change (last two parameters: updated_at, id) and its timeline event in one transaction, in two statements. */
    private void update(long id, String kind, String sql, String detail, Binder binder) {
        Instant now = Instant.now();
        try (Connection c = dataSource.getConnection()) {
            c.setAutoCommit(false);
            try {
                try (PreparedStatement st = c.prepareStatement(sql)) {
                    binder.bind(st);
                    int n = (int) sql.chars().filter(ch -> ch == '?').count();
                    st.setTimestamp(n - 1, Timestamp.from(now));
                    st.setLong(n, id);
                    if (st.executeUpdate() == 0) {
                        throw new LedgerException("no photo " + id, null);
                    }
                }
                // the event takes the photo's order and source from its row
                try (PreparedStatement st = c.prepareStatement("insert into photo_event (photo_id, order_id, source_uri, kind,"
                        + " detail, at) select id, order_id, source_uri, ?, ?, ? from photo where id = ?")) {
                    st.setString(1, kind);
                    st.setString(2, clip(detail));
                    st.setTimestamp(3, Timestamp.from(now));
                    st.setLong(4, id);
                    st.executeUpdate();
                }
                c.commit();
            } catch (SQLException | RuntimeException e) {
                c.rollback();
                throw e;
            }
        } catch (SQLException e) {
            throw new LedgerException("cannot mark photo " + id + " " + kind, e);
        }
    }

    private static void insertEvent(Connection c, Long photoId, Long orderId, String sourceUri, String kind, String detail,
                                    Instant at) throws SQLException {
        try (PreparedStatement st = c.prepareStatement(
                "insert into photo_event (photo_id, order_id, source_uri, kind, detail, at) values (?,?,?,?,?,?)")) {
            if (photoId == null) {
                st.setNull(1, Types.BIGINT);
            } else {
                st.setLong(1, photoId);
            }
            if (orderId == null) {
                st.setNull(2, Types.BIGINT);
            } else {
                st.setLong(2, orderId);
            }
            st.setString(3, sourceUri);
            st.setString(4, kind);
            st.setString(5, clip(detail));
            st.setTimestamp(6, Timestamp.from(at));
            st.executeUpdate();
        }
    }

    private List<PhotoRecord> queryPhotos(String sql, Binder binder) {
        List<PhotoRecord> rows = new ArrayList<>();
        try (Connection c = dataSource.getConnection(); PreparedStatement st = c.prepareStatement(sql)) {
            binder.bind(st);
            try (ResultSet rs = st.executeQuery()) {
                while (rs.next()) {
                    rows.add(map(rs));
                }
            }
        } catch (SQLException e) {
            throw new LedgerException("cannot read photos", e);
        }
        return rows;
    }

    private static PhotoRecord map(ResultSet rs) throws SQLException {
        Timestamp picture = rs.getTimestamp("picture_time");
        LocalDateTime pictureTime = picture == null ? null : picture.toLocalDateTime();
        return new PhotoRecord(rs.getLong("id"), rs.getLong("order_id"), rs.getString("sha256"), rs.getString("source_uri"),
                rs.getString("source_version"),
                rs.getString("original_name"), rs.getString("media_kind"), rs.getString("mime_type"),
                rs.getObject("size_bytes", Long.class), rs.getObject("type_id", Integer.class), pictureTime,
                rs.getString("picture_offset"), rs.getString("picture_time_from"), PhotoState.valueOf(rs.getString("state")),
                rs.getObject("rc_attachment_id", Long.class), rs.getString("rc_file_name"), rs.getString("last_error"),
                rs.getInt("attempts"), rs.getTimestamp("created_at").toInstant(), rs.getTimestamp("updated_at").toInstant(),
                rs.getObject("embedded_video_offset", Long.class), rs.getObject("embedded_video_length", Long.class));
    }

    private static void setInt(PreparedStatement st, int index, Integer value) throws SQLException {
        if (value == null) {
            st.setNull(index, Types.INTEGER);
        } else {
            st.setInt(index, value);
        }
    }

    private static String clip(String s) {
        return s == null || s.length() <= MAX_TEXT ? s : s.substring(0, MAX_TEXT - 3) + "...";
    }

    /** The result of {@link #admit}: the row, and whether this call created it. */
    public record Admission(PhotoRecord record, boolean created) {
    }
}
