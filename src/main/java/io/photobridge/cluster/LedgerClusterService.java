package io.photobridge.cluster;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.TreeSet;
import java.util.concurrent.ScheduledExecutorService;

import javax.sql.DataSource;

import org.apache.camel.support.cluster.AbstractCamelClusterService;

/**
 * Camel cluster service over the ledger database: each singleton (a cluster namespace) is led by the instance holding its
 * PostgreSQL session advisory lock, taken on a connection of its own, so PostgreSQL itself releases it when that instance
 * stops, dies or loses the database. On H2 (one process by nature) this instance leads every singleton.
 */
public final class LedgerClusterService extends AbstractCamelClusterService<LedgerClusterView> {

    /** The singletons' advisory locks' first key ("PB01"); the second is the namespace's hash. */
    static final int LOCK_CLASS = 0x50423031;
    /** The run locks' first key ("PB02"); the second is the name's hash. */
    static final int RUN_LOCK_CLASS = 0x50423032;
    private static final String APPLICATION_PREFIX = "photobridge/";

    private final String instance;
    private final String jdbcUrl;
    private final String user;
    private final String password;
    private final DataSource ledger;
    private final Duration checkInterval;
    private ScheduledExecutorService scheduler;

    /**
     * @param instance      this instance's id (in the log, the health details and PostgreSQL's application_name)
     * @param jdbcUrl       the ledger's JDBC URL: PostgreSQL gives a cluster, anything else a single instance
     * @param ledger        the ledger's pool, to read who leads a singleton
     * @param checkInterval how often a follower tries to take a singleton and its leader checks its lock connection
     */
    public LedgerClusterService(String instance, String jdbcUrl, String user, String password, DataSource ledger,
                                Duration checkInterval) {
        super("photobridge-ledger");
        this.instance = instance;
        this.jdbcUrl = jdbcUrl;
        this.user = user;
        this.password = password;
        this.ledger = ledger;
        this.checkInterval = checkInterval;
    }

    /** This instance's id. */
    public String instance() {
        return instance;
    }

    /** Whether the instances share singletons (the ledger is PostgreSQL); false: this instance leads them all. */
    public boolean clustered() {
        return jdbcUrl.startsWith("jdbc:postgresql:");
    }

    Duration checkInterval() {
        return checkInterval;
    }

    ScheduledExecutorService scheduler() {
        return scheduler;
    }

    @Override
    protected LedgerClusterView createView(String namespace) {
        return new LedgerClusterView(this, namespace);
    }

    @Override
    protected void doStart() throws Exception {
        scheduler = getCamelContext().getExecutorServiceManager().newSingleThreadScheduledExecutor(this, "photobridge-cluster");
        super.doStart();
    }

    @Override
    protected void doStop() throws Exception {
        super.doStop();
        if (scheduler != null) {
            getCamelContext().getExecutorServiceManager().shutdownNow(scheduler);
            scheduler = null;
        }
    }

    /** Each singleton this instance takes part in, and the instance leading it now (null: none). */
    public Map<String, String> leaders() {
        Map<String, String> leaders = new LinkedHashMap<>();
        for (String namespace : new TreeSet<>(getNamespaces())) {
            leaders.put(namespace, leader(namespace).orElse(null));
        }
        return leaders;
    }

    /** The instance leading this singleton now, if any. */
    public Optional<String> leader(String namespace) {
        if (!clustered() || isLeader(namespace)) {
            return getNamespaces().contains(namespace) ? Optional.of(instance) : Optional.empty();
        }
        return holder(namespace);
    }

    /** A connection of its own for one singleton's lock, named after this instance, that notices a dead peer in seconds. */
    Connection connect() throws SQLException {
        Properties properties = new Properties();
        if (user != null) {
            properties.setProperty("user", user);
        }
        if (password != null) {
            properties.setProperty("password", password);
        }
        properties.setProperty("ApplicationName", APPLICATION_PREFIX + instance);
        properties.setProperty("tcpKeepAlive", "true");
        Connection connection = DriverManager.getConnection(jdbcUrl, properties);
        try (Statement st = connection.createStatement()) {
            // the server then ends the session of an instance cut off from it after about 20 s, releasing its locks; the
            // instance itself notices at its next check (check-interval-ms) and stops leading first
            st.execute("set tcp_keepalives_idle = 10");
            st.execute("set tcp_keepalives_interval = 5");
            st.execute("set tcp_keepalives_count = 2");
        } catch (SQLException e) {
            connection.close();
            throw e;
        }
        return connection;
    }

    /** Takes the singleton's advisory lock on this connection; false when another session holds it. */
    static boolean tryLock(Connection connection, String namespace) throws SQLException {
        return tryLock(connection, LOCK_CLASS, namespace);
    }

    private static boolean tryLock(Connection connection, int lockClass, String name) throws SQLException {
        try (PreparedStatement st = connection.prepareStatement("select pg_try_advisory_lock(?, ?)")) {
            st.setInt(1, lockClass);
            st.setInt(2, name.hashCode());
            try (ResultSet rs = st.executeQuery()) {
                return rs.next() && rs.getBoolean(1);
            }
        }
    }

    /** Gives the singleton's advisory lock back. */
    static void unlock(Connection connection, String namespace) throws SQLException {
        unlock(connection, LOCK_CLASS, namespace);
    }

    private static void unlock(Connection connection, int lockClass, String name) throws SQLException {
        try (PreparedStatement st = connection.prepareStatement("select pg_advisory_unlock(?, ?)")) {
            st.setInt(1, lockClass);
            st.setInt(2, name.hashCode());
            st.execute();
        }
    }

    /**
     * Holds a run lock (one run of a job at a time across the instances) until the answer is closed; empty when another
     * instance holds it. Like a singleton's lock it lives on a connection of its own, so PostgreSQL frees the lock of an
     * instance that dies during the run. On H2 (one instance) there is nobody to exclude: always held.
     */
    public Optional<AutoCloseable> tryRunLock(String name) {
        if (!clustered()) {
            return Optional.of(() -> { });
        }
        try {
            Connection connection = connect();
            try {
                if (tryLock(connection, RUN_LOCK_CLASS, name)) {
                    return Optional.of(() -> {
                        // given back at once; closing alone frees it only once the server has ended the session
                        try (connection) {
                            unlock(connection, RUN_LOCK_CLASS, name);
                        }
                    });
                }
            } catch (SQLException | RuntimeException e) {
                connection.close();
                throw e;
            }
            connection.close();
            return Optional.empty();
        } catch (SQLException e) {
            throw new IllegalStateException("cannot take the run lock of " + name + " in the ledger database: " + e.getMessage(), e);
        }
    }

    /** The instance holding a run lock now, if any. */
    public Optional<String> runLockHolder(String name) {
        return clustered() ? holder(RUN_LOCK_CLASS, name) : Optional.empty();
    }

    /** The instance whose session holds the singleton's lock, from PostgreSQL's own lock table; empty when none does. */
    Optional<String> holder(String namespace) {
        return holder(LOCK_CLASS, namespace);
    }

    private Optional<String> holder(int lockClass, String name) {
        try (Connection c = ledger.getConnection(); PreparedStatement st = c.prepareStatement("select a.application_name"
                + " from pg_locks l join pg_stat_activity a on a.pid = l.pid where l.locktype = 'advisory' and l.granted"
                + " and l.classid::bigint = ? and l.objid::bigint = ? and l.objsubid = 2")) {
            st.setLong(1, Integer.toUnsignedLong(lockClass));
            st.setLong(2, Integer.toUnsignedLong(name.hashCode()));
            try (ResultSet rs = st.executeQuery()) {
                if (!rs.next()) {
                    return Optional.empty();
                }
                String application = rs.getString(1);
                return Optional.of(application != null && application.startsWith(APPLICATION_PREFIX)
                        ? application.substring(APPLICATION_PREFIX.length()) : "another session (" + application + ")");
            }
        } catch (SQLException e) {
            return Optional.of("unknown (" + e.getMessage() + ")");
        }
    }
}
