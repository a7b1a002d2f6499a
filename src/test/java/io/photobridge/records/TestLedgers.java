package io.photobridge.records;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.util.UUID;
import java.util.stream.Stream;

import org.junit.jupiter.params.provider.Arguments;

/** Fresh ledgers for tests that run on H2 (embedded default) and on the machine's PostgreSQL (a schema of its own). */
public final class TestLedgers {

    /** The machine's PostgreSQL test database. */
    public static final String PG = "jdbc:postgresql://127.0.0.1:5432/test";

    private TestLedgers() {
    }

    /** The two databases, as the arguments of a parameterized test. */
    public static Stream<Arguments> databases() {
        return Stream.of(Arguments.of("h2"), Arguments.of("postgresql"));
    }

    /** A new, empty ledger: an H2 file under {@code dir}, or a new PostgreSQL schema. */
    public static Ledger open(String kind, Path dir) throws Exception {
        if (kind.equals("h2")) {
            return Ledger.open("jdbc:h2:file:" + dir.resolve(UUID.randomUUID().toString()).toAbsolutePath(), "sa", "", 2);
        }
        return Ledger.open(PG + "?currentSchema=" + newSchema(), "postgres", "", 2);
    }

    /** A new, empty PostgreSQL schema; its name. */
    public static String newSchema() throws Exception {
        String schema = "pb_test_" + UUID.randomUUID().toString().replace("-", "");
        try (Connection c = DriverManager.getConnection(PG, "postgres", "");
             Statement st = c.createStatement()) {
            st.execute("create schema " + schema);
        }
        return schema;
    }
}
