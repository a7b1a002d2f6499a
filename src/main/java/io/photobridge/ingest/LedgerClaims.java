package io.photobridge.ingest;

import java.sql.Timestamp;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

import javax.sql.DataSource;

import org.apache.camel.CamelContext;
import org.apache.camel.processor.idempotent.jdbc.JdbcMessageIdRepository;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.dao.DataIntegrityViolationException;

/**
 * Claims on inputs in the ledger (Camel's JDBC idempotent repository table), shared by every instance on that ledger: an
 * input is taken by one instance, its claim kept alive while that instance works on it, and taken over by another once its
 * holder stopped refreshing it for {@code maxAge} (a kill -9'd instance).
 * <p>
 * camel-sql's JdbcOrphanLockAwareIdempotentRepository has the same idea, but two of its paths do not hold between
 * instances: it takes a stale claim over with an unconditional update, so two instances can both take the same orphan, and
 * it does not keep a claim it took over alive, so a third instance takes it again while it is being worked on. Here a claim
 * is an insert (the primary key decides between two instances) or a takeover conditional on the claim still being stale,
 * and every claim this instance holds is refreshed.
 * <p>
 * {@link #confirm} marks an input done for good (the S3 source's record of objects taken); {@link #remove} drops the claim
 * (the drop folder's read lock, once the file has left the inbox, so a later file of the same name is read too), and only
 * a claim of this instance.
 * <p>
 * A source whose claims are only read locks (the drop folder: nothing is confirmed) on a ledger no other process can open
 * (embedded H2) keeps them in memory, {@link #local}: they guard nothing beyond this process, and writing them would cost two
 * ledger commits per file.
 */
public final class LedgerClaims extends JdbcMessageIdRepository {

    private static final Logger LOG = LoggerFactory.getLogger(LedgerClaims.class);
    private static final String TABLE = "camel_messageprocessed";

    private final CamelContext context;
    private final String owner;
    private final Duration keepAlive;
    private final Duration maxAge;
    private final boolean soleUser;
    private final boolean inMemory;
    private static final long SNAPSHOT_MS = 1000;

    private final Set<String> held = ConcurrentHashMap.newKeySet();
    private volatile Snapshot snapshot;
    private ScheduledExecutorService refresher;
    private long lastSweep;

    /**
     * processor: the source's name in the table; owner: this instance (its run id); keepAlive must be well below maxAge;
     * soleUser: no other process can use this ledger (embedded H2), so claims of earlier runs are dropped at start instead
     * of waiting maxAge after a crash.
     */
    public LedgerClaims(CamelContext context, DataSource dataSource, String processor, String owner, Duration keepAlive,
                        Duration maxAge, boolean soleUser) {
        this(context, dataSource, processor, owner, keepAlive, maxAge, soleUser, false);
    }

    /**
     * Claims that are read locks only, of a source that never confirms an input, on a ledger no other process uses: held in
     * memory (claims an earlier version of this run left in the ledger are still dropped at start).
     */
    public static LedgerClaims local(CamelContext context, DataSource dataSource, String processor, String owner, Duration keepAlive,
                                     Duration maxAge) {
        return new LedgerClaims(context, dataSource, processor, owner, keepAlive, maxAge, true, true);
    }

    private LedgerClaims(CamelContext context, DataSource dataSource, String processor, String owner, Duration keepAlive,
                         Duration maxAge, boolean soleUser, boolean inMemory) {
        super(dataSource, processor);
        if (keepAlive.compareTo(maxAge) >= 0) {
            throw new IllegalArgumentException("photobridge.claims.keep-alive-ms (" + keepAlive.toMillis()
                    + ") must be less than photobridge.claims.max-age-ms (" + maxAge.toMillis() + ")");
        }
        this.context = context;
        this.owner = owner;
        this.keepAlive = keepAlive;
        this.maxAge = maxAge;
        this.soleUser = soleUser;
        this.inMemory = inMemory;
        setCreateTableIfNotExists(false);
    }

    /** Claims the input: true when it was free, or its claim was stale and this instance took it over. */
    @Override
    public boolean add(String key) {
        if (inMemory) {
            return held.add(key);
        }
        // twice at most: a stale row swept (refresh) between the failed insert and the takeover leaves nothing to take over
        for (int attempt = 0; attempt < 2; attempt++) {
            Timestamp now = new Timestamp(System.currentTimeMillis());
            try {
                jdbcTemplate.update("insert into " + TABLE + " (processorname, messageid, createdat, claimed_by) values (?, ?, ?, ?)",
                        processorName, key, now, owner);
                held.add(key);
                return true;
            } catch (DataIntegrityViolationException taken) {
                // a row exists: done, held by a live instance, or left by one that stopped
            }
            int taken = jdbcTemplate.update("update " + TABLE + " set createdat = ?, claimed_by = ? where processorname = ?"
                    + " and messageid = ? and claimed_by is not null and createdat < ?", now, owner, processorName, key, staleBefore());
            if (taken == 1) {
                held.add(key);
                LOG.info("Took over {}'s claim on {}: its holder had not refreshed it for {} s", processorName, key, maxAge.toSeconds());
                return true;
            }
            if (rowExists(key)) {
                return false;
            }
        }
        return false;
    }

    /** Whether the input is done, or claimed by an instance that still refreshes its claim. */
    @Override
    public boolean contains(String key) {
        return inMemory ? held.contains(key) : queryForInt(key) > 0;
    }

    /** Whether the key has a row: done, a live claim or a stale one. */
    private boolean rowExists(String key) {
        Integer n = jdbcTemplate.queryForObject("select count(*) from " + TABLE + " where processorname = ? and messageid = ?",
                Integer.class, processorName, key);
        return n != null && n > 0;
    }

    @Override
    protected int queryForInt(String key) {
        Integer n = jdbcTemplate.queryForObject("select count(*) from " + TABLE + " where processorname = ? and messageid = ?"
                + " and (claimed_by is null or createdat >= ?)", Integer.class, processorName, key, staleBefore());
        return n == null ? 0 : n;
    }

    /** The input is done for good: its row stays, no longer a claim, so it is never taken again. */
    @Override
    public boolean confirm(String key) {
        if (inMemory) {
            throw new UnsupportedOperationException(processorName + "'s claims are read locks held in memory; nothing is confirmed");
        }
        held.remove(key);
        return jdbcTemplate.update("update " + TABLE + " set claimed_by = null, createdat = ? where processorname = ? and messageid = ?",
                new Timestamp(System.currentTimeMillis()), processorName, key) == 1;
    }

    /**
     * Drops this instance's claim, or an input's done row; never another instance's claim in flight (Camel's file consumer
     * removes the key of every file it could not lock from its idempotent repository, which here holds the other's claim).
     */
    @Override
    public boolean remove(String key) {
        return inMemory ? held.remove(key) : super.remove(key);
    }

    @Override
    protected int delete(String key) {
        held.remove(key);
        return jdbcTemplate.update("delete from " + TABLE + " where processorname = ? and messageid = ?"
                + " and (claimed_by is null or claimed_by = ?)", processorName, key, owner);
    }

    /**
     * Whether the input is claimed (by any instance) or done, for a listing's filter: on a shared ledger from a snapshot of
     * the processor's live claims taken at most once per second, so a poll over a big backlog costs one query, not one per
     * file; a claim newer than the snapshot is still refused by {@link #add}. On a ledger of its own only this instance's
     * claims count, and no query is made.
     */
    public boolean taken(String key) {
        if (held.contains(key)) {
            return true;
        }
        if (soleUser) {
            return false;
        }
        Snapshot current = snapshot;
        long now = System.currentTimeMillis();
        if (current == null || now - current.at() > SNAPSHOT_MS) {
            current = new Snapshot(now, Set.copyOf(jdbcTemplate.queryForList("select messageid from " + TABLE
                    + " where processorname = ? and (claimed_by is null or createdat >= ?)", String.class, processorName,
                    staleBefore())));
            snapshot = current;
        }
        return current.keys().contains(key);
    }

    private record Snapshot(long at, Set<String> keys) {
    }

    /**
     * Refreshes every claim this instance holds (one batch), so that no other instance takes them over. Once per max age it
     * also deletes stale claims (a stale claim is free anyway), such as a killed instance's claims on files it had moved.
     */
    void refresh() {
        if (inMemory) {
            return;
        }
        long now = System.currentTimeMillis();
        if (now - lastSweep >= maxAge.toMillis()) {
            lastSweep = now;
            try {
                jdbcTemplate.update("delete from " + TABLE + " where processorname = ? and claimed_by is not null and createdat < ?",
                        processorName, staleBefore());
            } catch (RuntimeException e) {
                LOG.debug("Cannot delete stale claims of {}: {}", processorName, e.getMessage());
            }
        }
        List<Object[]> rows = held.stream().map(key -> new Object[] {new Timestamp(System.currentTimeMillis()), processorName, key, owner})
                .toList();
        if (rows.isEmpty()) {
            return;
        }
        try {
            jdbcTemplate.batchUpdate("update " + TABLE + " set createdat = ? where processorname = ? and messageid = ? and claimed_by = ?",
                    rows);
        } catch (RuntimeException e) {
            LOG.warn("Cannot refresh {} claims of {} in the ledger ({}); another instance takes them over after {} s without a refresh",
                    rows.size(), processorName, e.getMessage(), maxAge.toSeconds());
        }
    }

    /** The claims this instance holds now. */
    public int held() {
        return held.size();
    }

    private Timestamp staleBefore() {
        return new Timestamp(System.currentTimeMillis() - maxAge.toMillis());
    }

    @Override
    protected void doStart() throws Exception {
        super.doStart();
        if (soleUser) {
            int dropped = jdbcTemplate.update("delete from " + TABLE + " where processorname = ? and claimed_by is not null"
                    + " and claimed_by <> ?", processorName, owner);
            if (dropped > 0) {
                LOG.info("Dropped {} claims of {} left by an earlier run (the ledger is this process's alone)", dropped, processorName);
            }
        }
        if (refresher == null && !inMemory) {
            refresher = context.getExecutorServiceManager().newSingleThreadScheduledExecutor(this, "claims-" + processorName);
            refresher.scheduleWithFixedDelay(this::refresh, keepAlive.toMillis(), keepAlive.toMillis(), TimeUnit.MILLISECONDS);
        }
    }

    @Override
    protected void doStop() throws Exception {
        if (refresher != null) {
            context.getExecutorServiceManager().shutdownNow(refresher);
            refresher = null;
        }
        super.doStop();
    }
}
