package io.photobridge.routes;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Supplier;

import org.apache.camel.Route;
import org.apache.camel.health.HealthCheckResultBuilder;
import org.apache.camel.impl.cluster.ClusteredRoutePolicy;
import org.apache.camel.impl.health.AbstractHealthCheck;

/** Readiness of the routes: DOWN, naming them, whenever a route that should run does not; the last reload in the details. */
public final class RoutesHealthCheck extends AbstractHealthCheck {

    private final Supplier<Set<String>> expected;
    private final ValidatingRouteReloadStrategy reloader;

    /** expected: the ids of the routes that should run; reloader: null when route reload is off. */
    public RoutesHealthCheck(Supplier<Set<String>> expected, ValidatingRouteReloadStrategy reloader) {
        super("photobridge", "routes-running");
        this.expected = expected;
        this.reloader = reloader;
    }

    @Override
    protected void doCall(HealthCheckResultBuilder builder, Map<String, Object> options) {
        Set<String> shouldRun = expected.get();
        List<String> missing = new ArrayList<>(shouldRun);
        for (Route route : getCamelContext().getRoutes()) {
            if (getCamelContext().getRouteController().getRouteStatus(route.getRouteId()).isStarted() || ledElsewhere(route)) {
                missing.remove(route.getRouteId());
            }
        }
        missing.sort(null);
        builder.detail("routes.expected", shouldRun.size());
        if (reloader != null) {
            List<Reload> recent = reloader.recentReloads();
            if (!recent.isEmpty()) {
                Reload last = recent.get(0);
                builder.detail("reload.last", last.outcome().label() + " at " + last.at() + ": " + last.detail());
            }
            if (reloader.pendingRejection() != null) {
                builder.detail("reload.rejected-edit-on-disk", reloader.pendingRejection());
            }
        }
        if (missing.isEmpty()) {
            builder.up();
        } else {
            builder.message("routes that should run are not running: " + missing).detail("routes.not-running", missing).down();
        }
    }

    /** A singleton route (group singleton-*) stays stopped on the instances that do not lead its singleton. */
    private static boolean ledElsewhere(Route route) {
        return route != null && route.getRoutePolicyList().stream().anyMatch(policy -> policy instanceof ClusteredRoutePolicy clustered
                && !clustered.isLeader());
    }

    @Override
    public boolean isLiveness() {
        return false;
    }
}
