package io.photobridge.ingest;

import java.nio.file.Path;
import java.sql.Timestamp;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.function.Function;
import java.util.stream.Stream;

import io.photobridge.records.Ledger;
import io.photobridge.records.TestLedgers;
import org.apache.camel.CamelContext;
import org.apache.camel.impl.DefaultCamelContext;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.springframework.jdbc.core.JdbcTemplate;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** Claims shared by two instances on one ledger (H2 and PostgreSQL): one holder at a time, kept alive, taken over when stale. */
class LedgerClaimsTest {

    private static final Duration KEEP_ALIVE = Duration.ofMillis(200);
    private static final Duration MAX_AGE = Duration.ofSeconds(2);

    @TempDir
    Path dir;

    private final List<AutoCloseable> open = new ArrayList<>();

    static Stream<Arguments> databases() {
        return TestLedgers.databases();
    }

    @AfterEach
    void close() throws Exception {
        for (AutoCloseable c : open) {
            c.close();
        }
    }

    @ParameterizedTest
    @MethodSource("databases")
    void anInputIsClaimedByOneInstanceAndFreedWhenRemoved(String db) throws Exception {
        Ledger ledger = ledger(db);
        LedgerClaims a = claims(ledger, "a");
        LedgerClaims b = claims(ledger, "b");

        assertThat(a.add("/inbox/1/IMG_1.jpg")).isTrue();
        assertThat(b.add("/inbox/1/IMG_1.jpg")).as("held by a").isFalse();
        assertThat(b.contains("/inbox/1/IMG_1.jpg")).isTrue();
        assertThat(b.remove("/inbox/1/IMG_1.jpg")).as("b cannot drop a's claim").isFalse();
        assertThat(b.add("/inbox/1/IMG_1.jpg")).as("still held by a").isFalse();
        assertThat(a.remove("/inbox/1/IMG_1.jpg")).isTrue();
        assertThat(b.add("/inbox/1/IMG_1.jpg")).as("a later file of the same name").isTrue();
    }

    @ParameterizedTest
    @MethodSource("databases")
    void aClaimKeptAliveIsNeverTakenOverButOneLeftByADeadInstanceIs(String db) throws Exception {
        Ledger ledger = ledger(db);
        LedgerClaims alive = claims(ledger, "alive");
        LedgerClaims other = claims(ledger, "other");
        assertThat(alive.add("kept")).isTrue();
        // a claim whose holder stopped refreshing it: written long ago by an instance that no longer runs
        new JdbcTemplate(ledger.dataSource()).update("insert into camel_messageprocessed (processorname, messageid, createdat, claimed_by)"
                + " values ('test', 'orphan', ?, 'killed')", new Timestamp(System.currentTimeMillis() - MAX_AGE.toMillis() - 1000));

        assertThat(other.contains("orphan")).as("a stale claim is no claim").isFalse();
        assertThat(other.add("orphan")).as("taken over").isTrue();
        new JdbcTemplate(ledger.dataSource()).update("insert into camel_messageprocessed (processorname, messageid, createdat, claimed_by)"
                + " values ('test', 'moved-before-the-kill', ?, 'killed')", new Timestamp(System.currentTimeMillis() - MAX_AGE.toMillis() - 1000));
        // once both claims were refreshed later than the max age after they were taken, they still hold
        Timestamp past = new Timestamp(System.currentTimeMillis() + MAX_AGE.toMillis());
        JdbcTemplate jdbc = new JdbcTemplate(ledger.dataSource());
        await().atMost(MAX_AGE.multipliedBy(5)).until(() -> jdbc.queryForObject("select count(*) from camel_messageprocessed"
                + " where messageid in ('kept', 'orphan') and createdat > ?", Integer.class, past) == 2);
        assertThat(other.add("kept")).as("refreshed by its holder").isFalse();
        assertThat(alive.add("orphan")).as("refreshed by the instance that took it over").isFalse();
        // a stale claim nobody takes (its file was moved before the kill) is swept
        await().atMost(MAX_AGE.multipliedBy(5)).until(() -> jdbc.queryForObject(
                "select count(*) from camel_messageprocessed where messageid = 'moved-before-the-kill'", Integer.class) == 0);
    }

    @ParameterizedTest
    @MethodSource("databases")
    void aConfirmedInputIsNeverTakenAgain(String db) throws Exception {
        Ledger ledger = ledger(db);
        LedgerClaims a = claims(ledger, "a");
        assertThat(a.add("s3-key@etag")).isTrue();
        assertThat(a.confirm("s3-key@etag")).isTrue();
        new JdbcTemplate(ledger.dataSource()).update("update camel_messageprocessed set createdat = ? where messageid = 's3-key@etag'",
                new Timestamp(System.currentTimeMillis() - 86_400_000L));

        LedgerClaims b = claims(ledger, "b");
        assertThat(b.contains("s3-key@etag")).isTrue();
        assertThat(b.add("s3-key@etag")).isFalse();
    }

    @ParameterizedTest
    @MethodSource("databases")
    void instancesRacingForTheSameInputsTakeEachOnce(String db) throws Exception {
        Ledger ledger = ledger(db);
        LedgerClaims a = claims(ledger, "a");
        LedgerClaims b = claims(ledger, "b");
        ExecutorService pool = Executors.newFixedThreadPool(4);
        try {
            List<Future<Boolean>> results = new ArrayList<>();
            for (int i = 0; i < 200; i++) {
                String key = "file-" + i;
                for (LedgerClaims c : List.of(a, b, a, b)) {
                    results.add(pool.submit((Callable<Boolean>) () -> c.add(key)));
                }
            }
            long taken = 0;
            for (Future<Boolean> r : results) {
                taken += r.get() ? 1 : 0;
            }
            assertThat(taken).as("claims granted for 200 inputs").isEqualTo(200);
        } finally {
            pool.shutdownNow();
        }
    }

    @ParameterizedTest
    @MethodSource("databases")
    void aSoleUserDropsClaimsOfEarlierRunsAtStart(String db) throws Exception {
        Ledger ledger = ledger(db);
        LedgerClaims crashed = claims(ledger, "crashed");
        assertThat(crashed.add("in-flight")).isTrue();
        crashed.stop(); // its claim stays, as after a kill -9

        LedgerClaims restarted = started(context -> new LedgerClaims(context, ledger.dataSource(), "test", "restarted", KEEP_ALIVE,
                MAX_AGE, true));
        assertThat(restarted.add("in-flight")).as("taken at once, not after the max age").isTrue();
    }

    @ParameterizedTest
    @MethodSource("databases")
    void localClaimsLockLikeLedgerClaimsWithoutWritingTheLedger(String db) throws Exception {
        Ledger ledger = ledger(db);
        LedgerClaims crashed = claims(ledger, "crashed");
        assertThat(crashed.add("left-by-an-earlier-version")).isTrue();
        crashed.stop();

        LedgerClaims local = started(context -> LedgerClaims.local(context, ledger.dataSource(), "test", "local", KEEP_ALIVE, MAX_AGE));
        JdbcTemplate jdbc = new JdbcTemplate(ledger.dataSource());
        assertThat(jdbc.queryForObject("select count(*) from camel_messageprocessed", Integer.class))
                .as("an earlier run's claims dropped at start").isZero();

        assertThat(local.add("/inbox/1/IMG_1.jpg")).isTrue();
        assertThat(local.add("/inbox/1/IMG_1.jpg")).as("held").isFalse();
        assertThat(local.contains("/inbox/1/IMG_1.jpg")).isTrue();
        assertThat(local.taken("/inbox/1/IMG_1.jpg")).isTrue();
        assertThat(jdbc.queryForObject("select count(*) from camel_messageprocessed", Integer.class)).as("nothing written").isZero();
        assertThat(local.remove("/inbox/1/IMG_1.jpg")).isTrue();
        assertThat(local.contains("/inbox/1/IMG_1.jpg")).isFalse();
        assertThat(local.add("/inbox/1/IMG_1.jpg")).as("a later file of the same name").isTrue();
    }

    private Ledger ledger(String db) throws Exception {
        Ledger ledger = TestLedgers.open(db, dir);
        open.add(ledger);
        return ledger;
    }

    private LedgerClaims claims(Ledger ledger, String owner) throws Exception {
        return started(context -> new LedgerClaims(context, ledger.dataSource(), "test", owner, KEEP_ALIVE, MAX_AGE, false));
    }

    /** Claims made on a started context of their own, both stopped after the test. */
    private LedgerClaims started(Function<CamelContext, LedgerClaims> make) throws Exception {
        CamelContext context = new DefaultCamelContext();
        context.start();
        open.add(context);
        LedgerClaims claims = make.apply(context);
        claims.start();
        open.add(0, claims::stop);
        return claims;
    }
}
