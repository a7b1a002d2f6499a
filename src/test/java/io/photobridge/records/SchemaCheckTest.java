package io.photobridge.records;

import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.Map;
import java.util.TreeMap;
import java.util.UUID;
import java.util.stream.Stream;

import com.zaxxer.hikari.HikariDataSource;
import org.flywaydb.core.Flyway;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Start-up skips Flyway only when Flyway would have nothing to do, on H2 and on PostgreSQL. */
class SchemaCheckTest {

    @TempDir
    static Path dir;

    static Stream<Arguments> databases() {
        return TestLedgers.databases();
    }

    private static HikariDataSource dataSource(String kind) throws Exception {
        HikariDataSource ds = new HikariDataSource();
        if (kind.equals("h2")) {
            ds.setJdbcUrl("jdbc:h2:file:" + dir.resolve(UUID.randomUUID().toString()).toAbsolutePath());
            ds.setUsername("sa");
        } else {
            ds.setJdbcUrl(TestLedgers.PG + "?currentSchema=" + TestLedgers.newSchema());
            ds.setUsername("postgres");
        }
        ds.setPassword("");
        return ds;
    }

    private static Flyway flyway(HikariDataSource ds) {
        return Flyway.configure().dataSource(ds).locations("classpath:" + SchemaCheck.LOCATION).load();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("databases")
    void theShippedChecksumsAreTheOnesFlywayRecords(String kind) throws Exception {
        try (HikariDataSource ds = dataSource(kind)) {
            flyway(ds).migrate();
            Map<String, Integer> recorded = new TreeMap<>();
            try (Connection c = ds.getConnection(); Statement st = c.createStatement();
                 ResultSet rs = st.executeQuery("select \"version\", \"checksum\" from \"flyway_schema_history\" where \"version\" is not null")) {
                while (rs.next()) {
                    recorded.put(rs.getString(1), rs.getInt(2));
                }
            }
            assertThat(SchemaCheck.shipped()).hasValueSatisfying(shipped -> {
                assertThat(shipped).hasSizeGreaterThanOrEqualTo(12);
                assertThat(shipped).isEqualTo(recorded);
            });
            assertThat(SchemaCheck.upToDate(ds)).isTrue();
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("databases")
    void aNewDatabaseOrOneMigrationBehindGoesToFlywayWhichBringsItUpToDate(String kind) throws Exception {
        try (HikariDataSource ds = dataSource(kind)) {
            assertThat(SchemaCheck.upToDate(ds)).as("no history yet").isFalse();
            Flyway.configure().dataSource(ds).locations("classpath:" + SchemaCheck.LOCATION).target("11").load().migrate();
            assertThat(SchemaCheck.upToDate(ds)).as("V12 not applied").isFalse();
            try (Ledger ledger = new Ledger(ds)) {
                assertThat(SchemaCheck.upToDate(ds)).isTrue();
                // V12's column is there: the ledger marks a queued photo
                long photo = ledger.admit(new NewPhotoRecord(5L, "5".repeat(64), "file:///inbox/5/a.jpg", "a.jpg", "IMAGE",
                        "image/jpeg", 10L, null, null, null, null, null)).record().id();
                DamageRecords damage = new DamageRecords(ledger);
                assertThat(damage.queue(photo, 5L, "IMAGE", 99, "5", "test")).isTrue();
                assertThat(damage.queue(photo, 5L, "IMAGE", 99, "5", "test")).isFalse();
                assertThat(damage.queuedBefore(photo)).isTrue();
            }
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("databases")
    void aChangedMigrationIsStillReportedByFlyway(String kind) throws Exception {
        try (HikariDataSource ds = dataSource(kind)) {
            flyway(ds).migrate();
            try (Connection c = ds.getConnection(); Statement st = c.createStatement()) {
                st.executeUpdate("update \"flyway_schema_history\" set \"checksum\" = \"checksum\" + 1 where \"version\" = '3'");
            }
            assertThat(SchemaCheck.upToDate(ds)).isFalse();
            assertThatThrownBy(() -> new Ledger(ds)).hasMessageContaining("checksum mismatch").hasMessageContaining("3");
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("databases")
    void aFailedMigrationInTheHistoryIsLeftToFlyway(String kind) throws Exception {
        try (HikariDataSource ds = dataSource(kind)) {
            flyway(ds).migrate();
            try (Connection c = ds.getConnection(); Statement st = c.createStatement()) {
                st.executeUpdate("update \"flyway_schema_history\" set \"success\" = false where \"version\" = '12'");
            }
            assertThat(SchemaCheck.upToDate(ds)).isFalse();
        }
    }

    @Test
    void theChecksumIgnoresLineEndingsAndALeadingByteOrderMark() throws Exception {
        int unix = SchemaCheck.checksum(new ByteArrayInputStream("create table t (a int);\n-- é\n".getBytes(StandardCharsets.UTF_8)));
        int windows = SchemaCheck.checksum(new ByteArrayInputStream("\uFEFFcreate table t (a int);\r\n-- é\r\n"
                .getBytes(StandardCharsets.UTF_8)));
        int other = SchemaCheck.checksum(new ByteArrayInputStream("create table t (b int);\n-- é\n".getBytes(StandardCharsets.UTF_8)));
        assertThat(windows).isEqualTo(unix);
        assertThat(other).isNotEqualTo(unix);
    }
}
