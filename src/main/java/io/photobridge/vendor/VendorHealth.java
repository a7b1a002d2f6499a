package io.photobridge.vendor;

import java.time.Duration;
import java.time.Instant;
import java.util.Map;

import org.apache.camel.health.HealthCheckResultBuilder;
import org.apache.camel.impl.health.AbstractHealthCheck;

/**
 * Readiness of one vendor: a cheap authenticated call (the client's {@code checkAccess}), its outcome cached so that health
 * polls do not load the vendor. A refusal or no answer makes readiness DOWN with the vendor's status and message.
 */
public final class VendorHealth extends AbstractHealthCheck {

    private final String vendor;
    private final boolean simulated;
    private final Duration cacheFor;
    private final Runnable probe;
    private final String checks;
    private Instant checkedAt;
    private String problem;
    private int status;

    /** checks: what the probe proves, shown in the details (e.g. "authentication"). */
    public VendorHealth(String vendor, boolean simulated, Duration cacheFor, String checks, Runnable probe) {
        super("photobridge", "vendor-" + vendor);
        this.vendor = vendor;
        this.simulated = simulated;
        this.cacheFor = cacheFor;
        this.checks = checks;
        this.probe = probe;
    }

    @Override
    protected synchronized void doCall(HealthCheckResultBuilder builder, Map<String, Object> options) {
        Instant now = Instant.now();
        if (checkedAt == null || !now.isBefore(checkedAt.plus(cacheFor))) {
            probe(now);
        }
        builder.detail("vendor", vendor).detail("simulated", simulated).detail("checks", checks)
                .detail("checked.at", checkedAt.toString());
        if (status > 0) {
            builder.detail("http.status", status);
        }
        if (problem == null) {
            builder.up();
        } else {
            builder.message(problem).down();
        }
    }

    private void probe(Instant now) {
        checkedAt = now;
        try {
            probe.run();
            problem = null;
            status = 0;
        } catch (VendorException e) {
            // the clients' messages name the vendor, the operation, the status and the vendor's own words, never a credential
            problem = e.getMessage();
            status = e.status();
        } catch (RuntimeException e) {
            problem = vendor + " check failed: " + e.getClass().getSimpleName();
            status = 0;
        }
    }

    @Override
    public boolean isLiveness() {
        return false;
    }
}
