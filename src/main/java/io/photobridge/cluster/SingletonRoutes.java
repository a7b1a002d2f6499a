package io.photobridge.cluster;

import java.util.Collections;
import java.util.Set;
import java.util.WeakHashMap;

import org.apache.camel.CamelContext;
import org.apache.camel.ExtendedStartupListener;
import org.apache.camel.NamedNode;
import org.apache.camel.Route;
import org.apache.camel.ServiceStatus;
import org.apache.camel.impl.cluster.ClusteredRoutePolicy;
import org.apache.camel.model.RouteDefinition;
import org.apache.camel.spi.RoutePolicy;
import org.apache.camel.spi.RoutePolicyFactory;

/**
 * Makes a route whose group is {@code singleton-<name>} run on one instance at a time: Camel's ClusteredRoutePolicy for the
 * cluster namespace {@code <name>} starts it on the instance leading that singleton and stops it elsewhere. A route edit
 * gets a policy of its own for its new route.
 */
public final class SingletonRoutes implements RoutePolicyFactory, ExtendedStartupListener {

    /** The route group prefix that marks a singleton route; the rest of the group is the singleton's name. */
    public static final String GROUP_PREFIX = "singleton-";

    /** The routes stopped once after their creation (a route object is new after each edit). */
    private static final Set<Route> STOPPED_ONCE = Collections.synchronizedSet(Collections.newSetFromMap(new WeakHashMap<>()));

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

    @Override
    public void onCamelContextStarted(CamelContext context, boolean alreadyStarted) {
    }

    /**
     * Camel starts the processors of a route it does not start (autoStartup false) all the same: an aggregator would then
     * run its completion timeouts and recovery on an instance that does not lead its singleton. Stopping such a route once
     * (at start-up, and after routes are added) stops its processors too; ClusteredRoutePolicy starts it, processors
     * included, when this instance takes the lead.
     */
    @Override
    public void onCamelContextFullyStarted(CamelContext context, boolean alreadyStarted) throws Exception {
        for (Route route : context.getRoutes()) {
            stopOnFollower(context, route);
        }
    }

    /**
     * Whether a route a route edit just added runs as it should: started, or (a singleton route on a follower) stopped with
     * its processors. On the leader, ClusteredRoutePolicy flags the lead before it starts the route, on the cluster's thread:
     * the start is awaited until {@code deadline} (System.nanoTime; the edit would otherwise be rolled back as "did not
     * start" while it starts).
     */
    public static boolean runsAsItShould(CamelContext context, String routeId, long deadline) throws Exception {
        while (true) {
            Route route = context.getRoute(routeId);
            if (route == null) {
                return false;
            }
            if (stopOnFollower(context, route)) {
                return true;
            }
            ServiceStatus status = context.getRouteController().getRouteStatus(routeId);
            if (status != null && status.isStarted()) {
                return true;
            }
            if (!clustered(route) || System.nanoTime() - deadline > 0) {
                return false;
            }
            try {
                Thread.sleep(20);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw e;
            }
        }
    }

    private static boolean clustered(Route route) {
        return route.getRoutePolicyList().stream().anyMatch(ClusteredRoutePolicy.class::isInstance);
    }

    /**
     * Camel starts the processors of a route it does not start (autoStartup false) all the same: an aggregator would then
     * run its completion timeouts and recovery on an instance that does not lead its singleton. Stopping such a route once
     * (after start-up, and after a route edit replaced it) stops its processors too; ClusteredRoutePolicy starts it,
     * processors included, when this instance takes the lead. The policy flags the lead, then starts its routes, under a
     * lock of its own: a lead taken while this stop ran may have started the route just before it, so the lead is read
     * again after the stop and the route started if this instance leads now. True when the route is a singleton route
     * this instance does not lead (so it stays stopped).
     */
    public static boolean stopOnFollower(CamelContext context, Route route) throws Exception {
        for (RoutePolicy policy : route.getRoutePolicyList()) {
            if (policy instanceof ClusteredRoutePolicy clustered) {
                if (clustered.isLeader()) {
                    return false;
                }
                ServiceStatus status = context.getRouteController().getRouteStatus(route.getRouteId());
                if (status != null && !status.isStarted() && STOPPED_ONCE.add(route)) {
                    context.getRouteController().stopRoute(route.getRouteId());
                    if (clustered.isLeader()) {
                        context.getRouteController().startRoute(route.getRouteId());
                        return false;
                    }
                }
                return true;
            }
        }
        return false;
    }
}
