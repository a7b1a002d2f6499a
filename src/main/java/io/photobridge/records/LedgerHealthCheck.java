package io.photobridge.records;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.util.Map;

import org.apache.camel.health.HealthCheckResultBuilder;
import org.apache.camel.impl.health.AbstractHealthCheck;

/** Readiness of the order records: a real query on the photo table through the ledger's pool. */
public final class LedgerHealthCheck extends AbstractHealthCheck {

    private final Ledger ledger;

    public LedgerHealthCheck(Ledger ledger) {
        super("photobridge", "ledger");
        this.ledger = ledger;
    }

    @Override
    protected void doCall(HealthCheckResultBuilder builder, Map<String, Object> options) {
        try (Connection connection = ledger.dataSource().getConnection();
                PreparedStatement query = connection.prepareStatement("select count(*) from photo where id < 0")) {
            query.setQueryTimeout(5);
            try (ResultSet rows = query.executeQuery()) {
                rows.next();
            }
            builder.up();
        } catch (Exception e) {
            builder.message("the order records database does not answer: " + e.getMessage()).down();
        }
    }

    @Override
    public boolean isLiveness() {
        return false;
    }
}
