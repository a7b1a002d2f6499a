package io.photobridge.jobs;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.time.Instant;
import java.util.UUID;
import java.util.stream.Stream;

import io.photobridge.records.Ledger;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import static org.assertj.core.api.Assertions.assertThat;

/** The job run records behave the same on H2 and on the machine's PostgreSQL (several instances, one ledger). */
class JobRecordsTest {

    private static final String PG = "jdbc:postgresql://127.0.0.1:5432/test";

    @TempDir
    static Path dir;

    static Stream<Arguments> databases() {
        return Stream.of(Arguments.of("h2"), Arguments.of("postgresql"));
    }

    private static Ledger open(String kind) throws Exception {
        if (kind.equals("h2")) {
            return Ledger.open("jdbc:h2:file:" + dir.resolve(UUID.randomUUID().toString()).toAbsolutePath(), "sa", "", 2);
        }
        String schema = "pb_test_" + UUID.randomUUID().toString().replace("-", "");
        try (Connection c = DriverManager.getConnection(PG, "postgres", ""); Statement st = c.createStatement()) {
            st.execute("create schema " + schema);
        }
        return Ledger.open(PG + "?currentSchema=" + schema, "postgres", "", 2);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("databases")
    void runsAreRecordedNewestFirst(String kind) throws Exception {
        try (Ledger ledger = open(kind)) {
            JobRecords records = new JobRecords(ledger);
            Instant t0 = Instant.parse("2026-01-01T02:00:00Z");
            long first = records.started("reconcile", "instance-a", "cron", t0);
            records.finished(first, t0.plusSeconds(3), 3000, "PARTIAL", "orders=2 errors=1", "error: order 1: HTTP 503");
            long second = records.started("reconcile", "instance-b", "api", t0.plusSeconds(60));

            assertThat(records.runs("reconcile", 5)).extracting(JobRecords.Run::id).containsExactly(second, first);
            JobRecords.Run done = records.runs("reconcile", 5).get(1);
            assertThat(done.outcome()).isEqualTo("PARTIAL");
            assertThat(done.durationMs()).isEqualTo(3000L);
            assertThat(done.detail()).contains("HTTP 503");
            assertThat(records.runs("reconcile", 5).get(0).outcome()).isNull();
            assertThat(records.pruneRuns(t0.plusSeconds(30))).isEqualTo(1);
            assertThat(records.runs("reconcile", 5)).extracting(JobRecords.Run::id).containsExactly(second);
        }
    }
}
