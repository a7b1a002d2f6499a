package io.photobridge.cluster;

import java.sql.Connection;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

import org.apache.camel.cluster.CamelClusterMember;
import org.apache.camel.support.cluster.AbstractCamelClusterView;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One singleton (cluster namespace) as this instance sees it: it leads while its connection holds the singleton's advisory
 * lock; a follower tries to take the lock every check interval, a leader checks that its connection is still alive.
 */
final class LedgerClusterView extends AbstractCamelClusterView {

    private static final Logger LOG = LoggerFactory.getLogger(LedgerClusterView.class);

    private final LedgerClusterService service;
    private final Member local;
    private volatile boolean leading;
    private Connection connection;
    private ScheduledFuture<?> checks;
    private String lastProblem;

    LedgerClusterView(LedgerClusterService service, String namespace) {
        super(service, namespace);
        this.service = service;
        this.local = new Member(service.instance(), true);
    }

    @Override
    protected void doStart() {
        if (!service.clustered()) {
            lead("the ledger is not PostgreSQL: one instance");
            return;
        }
        long interval = service.checkInterval().toMillis();
        checks = service.scheduler().scheduleWithFixedDelay(this::check, 0, interval, TimeUnit.MILLISECONDS);
    }

    @Override
    protected void doStop() {
        if (checks != null) {
            checks.cancel(false);
            checks = null;
        }
        synchronized (this) {
            if (leading && connection != null) {
                try {
                    LedgerClusterService.unlock(connection, getNamespace());
                } catch (SQLException e) {
                    LOG.debug("Cluster: unlock of {} failed (closing its connection releases it): {}", getNamespace(), e.getMessage());
                }
            }
            closeConnection();
            if (leading) {
                leading = false;
                LOG.info("Cluster: instance {} no longer leads singleton '{}' (stopping)", service.instance(), getNamespace());
                fireLeadershipChangedEvent((CamelClusterMember) null);
            }
        }
    }

    private synchronized void check() {
        try {
            if (leading) {
                if (!connection.isValid((int) Math.max(1, service.checkInterval().toSeconds()))) {
                    closeConnection();
                    stepDown("its lock connection to PostgreSQL stopped answering");
                }
                return;
            }
            if (connection == null || connection.isClosed()) {
                connection = service.connect();
            }
            if (LedgerClusterService.tryLock(connection, getNamespace())) {
                lastProblem = null;
                lead("took the singleton's PostgreSQL advisory lock");
            }
        } catch (SQLException | RuntimeException e) {
            closeConnection();
            if (leading) {
                stepDown("its lock connection failed: " + e.getMessage());
            } else if (!String.valueOf(e.getMessage()).equals(lastProblem)) {
                lastProblem = String.valueOf(e.getMessage());
                LOG.warn("Cluster: instance {} cannot try to lead singleton '{}' (trying again every {} ms): {}", service.instance(),
                        getNamespace(), service.checkInterval().toMillis(), e.getMessage());
            }
        }
    }

    private void lead(String why) {
        leading = true;
        LOG.info("Cluster: instance {} now leads singleton '{}' ({})", service.instance(), getNamespace(), why);
        fireLeadershipChangedEvent(local);
    }

    private void stepDown(String why) {
        leading = false;
        LOG.warn("Cluster: instance {} no longer leads singleton '{}' ({})", service.instance(), getNamespace(), why);
        fireLeadershipChangedEvent((CamelClusterMember) null);
    }

    private void closeConnection() {
        if (connection != null) {
            try {
                connection.close();
            } catch (SQLException e) {
                LOG.debug("Cluster: closing the lock connection of {} failed: {}", getNamespace(), e.getMessage());
            }
            connection = null;
        }
    }

    @Override
    public Optional<CamelClusterMember> getLeader() {
        if (leading) {
            return Optional.of(local);
        }
        return service.clustered() ? service.holder(getNamespace()).map(id -> new Member(id, false)) : Optional.empty();
    }

    @Override
    public CamelClusterMember getLocalMember() {
        return local;
    }

    @Override
    public List<CamelClusterMember> getMembers() {
        List<CamelClusterMember> members = new ArrayList<>();
        members.add(local);
        getLeader().filter(m -> !m.isLocal()).ifPresent(members::add);
        return members;
    }

    /** An instance taking part in this singleton: this one (local) or the one leading it. */
    private final class Member implements CamelClusterMember {
        private final String id;
        private final boolean isLocal;

        Member(String id, boolean isLocal) {
            this.id = id;
            this.isLocal = isLocal;
        }

        @Override
        public String getId() {
            return id;
        }

        @Override
        public boolean isLocal() {
            return isLocal;
        }

        @Override
        public boolean isLeader() {
            return isLocal ? leading : true;
        }
    }
}
