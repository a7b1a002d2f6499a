package io.photobridge.cluster;

import org.apache.camel.CamelContext;
import org.apache.camel.NamedNode;
import org.apache.camel.impl.cluster.ClusteredRoutePolicy;
import org.apache.camel.model.RouteDefinition;
import org.apache.camel.spi.RoutePolicy;
import org.apache.camel.spi.RoutePolicyFactory;

/**
 * Makes a route whose group is {@code singleton-<name>} run on one instance at a time: Camel's ClusteredRoutePolicy for the
 * cluster namespace {@code <name>} starts it on the instance leading that singleton and stops it elsewhere. A route edit
 * gets a policy of its own for its new route.
 */
public final class SingletonRoutes implements RoutePolicyFactory {

    /** The route group prefix that marks a singleton route; the rest of the group is the singleton's name. */
    public static final String GROUP_PREFIX = "singleton-";

    private final LedgerClusterService cluster;

    public SingletonRoutes(LedgerClusterService cluster) {
        this.cluster = cluster;
    }

    @Override
    public RoutePolicy createRoutePolicy(CamelContext context, String routeId, NamedNode route) {
        String group = route instanceof RouteDefinition definition ? definition.getGroup() : null;
        if (group == null || !group.startsWith(GROUP_PREFIX) || group.length() == GROUP_PREFIX.length()) {
            return null;
        }
        try {
            ClusteredRoutePolicy policy = ClusteredRoutePolicy.forNamespace(cluster, group.substring(GROUP_PREFIX.length()));
            policy.setCamelContext(context);
            return policy;
        } catch (Exception e) {
            throw new IllegalStateException("cannot make route " + routeId + " a singleton (" + group + "): " + e.getMessage(), e);
        }
    }

    /** The singleton a route belongs to, or null. */
    public static String singletonOf(RouteDefinition definition) {
        String group = definition == null ? null : definition.getGroup();
        return group != null && group.startsWith(GROUP_PREFIX) ? group.substring(GROUP_PREFIX.length()) : null;
    }
}
