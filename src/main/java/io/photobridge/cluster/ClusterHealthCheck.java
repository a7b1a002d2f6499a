package io.photobridge.cluster;

import java.util.Map;

import org.apache.camel.health.HealthCheckResultBuilder;
import org.apache.camel.impl.health.AbstractHealthCheck;

/** Who leads each singleton, in the health details (never DOWN: a follower is as ready as the leader). */
public final class ClusterHealthCheck extends AbstractHealthCheck {

    private final LedgerClusterService cluster;

    public ClusterHealthCheck(LedgerClusterService cluster) {
        super("photobridge", "cluster");
        this.cluster = cluster;
    }

    @Override
    protected void doCall(HealthCheckResultBuilder builder, Map<String, Object> options) {
        builder.detail("instance", cluster.instance());
        builder.detail("clustered", cluster.clustered());
        cluster.leaders().forEach((singleton, leader) -> {
            builder.detail("singleton." + singleton + ".leader", leader == null ? "none" : leader);
            builder.detail("singleton." + singleton + ".local", cluster.isLeader(singleton));
        });
        builder.up();
    }

    @Override
    public boolean isLiveness() {
        return false;
    }
}
