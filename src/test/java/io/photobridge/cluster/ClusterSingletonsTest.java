package io.photobridge.cluster;

import java.awt.Color;
import java.awt.Graphics2D;
import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import javax.imageio.ImageIO;

import io.photobridge.RunningPhotoBridge;
import io.photobridge.records.DamageJob;
import io.photobridge.records.DamageJobState;
import io.photobridge.records.PhotoState;
import io.photobridge.routes.ValidatingRouteReloadStrategy;
import io.photobridge.sandbox.FaultInjector;
import io.photobridge.sandbox.InspektlabsUpload;
import org.apache.camel.impl.DefaultCamelContext;
import org.apache.camel.processor.aggregate.AggregateProcessor;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Several instances on one PostgreSQL ledger (the machine's, a fresh schema): each singleton has exactly one leader, another
 * instance takes it over within the check interval when the leader stops or its database session dies (as with kill -9),
 * and a damage batch whose photos were queued on both instances is sent once with all of them across a failover.
 */
class ClusterSingletonsTest {

    private static final String PG = "jdbc:postgresql://127.0.0.1:5432/test";
    private static final Duration CHECK = Duration.ofMillis(500);
    /** The stated failover time: one check interval, plus a margin for a busy machine. */
    private static final Duration FAILOVER = CHECK.plusSeconds(5);
    private static final long ORDER = 57076503L;

    @TempDir
    Path home;

    private final List<AutoCloseable> open = new ArrayList<>();

    @AfterEach
    void close() throws Exception {
        for (int i = open.size() - 1; i >= 0; i--) {
            open.get(i).close();
        }
    }

    private static String newSchema() throws Exception {
        String schema = "pb_test_" + UUID.randomUUID().toString().replace("-", "");
        try (Connection c = DriverManager.getConnection(PG, "postgres", ""); Statement st = c.createStatement()) {
            st.execute("create schema " + schema);
        }
        return PG + "?currentSchema=" + schema;
    }

    /** A cluster service of its own Camel context, as one instance has. */
    private LedgerClusterService instance(String id, String url) throws Exception {
        DefaultCamelContext context = new DefaultCamelContext();
        org.postgresql.ds.PGSimpleDataSource pool = new org.postgresql.ds.PGSimpleDataSource();
        pool.setUrl(url);
        pool.setUser("postgres");
        LedgerClusterService cluster = new LedgerClusterService(id, url, "postgres", "", pool, CHECK);
        context.addService(cluster);
        context.start();
        open.add(context);
        return cluster;
    }

    @Test
    void oneInstanceLeadsASingletonAndAnotherTakesOverWhenItStopsOrItsSessionDies() throws Exception {
        String url = newSchema();
        LedgerClusterService a = instance("instance-a", url);
        a.getView("jobs");
        await().atMost(FAILOVER).until(() -> a.isLeader("jobs"));
        LedgerClusterService b = instance("instance-b", url);
        LedgerClusterService c = instance("instance-c", url);
        b.getView("jobs");
        c.getView("jobs");
        // b and c keep trying: still exactly one leader, and every instance names it
        await().during(CHECK.multipliedBy(4)).atMost(CHECK.multipliedBy(8)).until(() -> a.isLeader("jobs")
                && !b.isLeader("jobs") && !c.isLeader("jobs"));
        assertThat(b.leader("jobs")).contains("instance-a");
        assertThat(c.leaders()).containsEntry("jobs", "instance-a");

        // the leader stops: one of the others leads within the failover time
        a.getCamelContext().stop();
        await().atMost(FAILOVER).until(() -> b.isLeader("jobs") ^ c.isLeader("jobs"));
        LedgerClusterService leader = b.isLeader("jobs") ? b : c;
        LedgerClusterService follower = leader == b ? c : b;

        // the leader's database session dies (what kill -9 does to it): the follower leads, the old leader steps down
        try (Connection admin = DriverManager.getConnection(PG, "postgres", "");
             PreparedStatement st = admin.prepareStatement("select pg_terminate_backend(pid) from pg_stat_activity"
                     + " where application_name = ?")) {
            st.setString(1, "photobridge/" + leader.instance());
            st.execute();
        }
        await().atMost(FAILOVER).until(() -> follower.isLeader("jobs") && !leader.isLeader("jobs"));
        assertThat(leader.leader("jobs")).contains(follower.instance());
    }

    @Test
    void aRunLockIsHeldByOneInstanceAtATimeAndFreedWhenItsHolderDies() throws Exception {
        String url = newSchema();
        LedgerClusterService a = instance("instance-a", url);
        LedgerClusterService b = instance("instance-b", url);
        AutoCloseable held = a.tryRunLock("job:reconcile").orElseThrow();
        assertThat(b.tryRunLock("job:reconcile")).isEmpty();
        assertThat(b.runLockHolder("job:reconcile")).contains("instance-a");
        b.tryRunLock("job:housekeeping-done").orElseThrow().close();
        held.close();
        assertThat(b.runLockHolder("job:reconcile")).isEmpty();

        // a holder that dies mid-run (its session ends) frees the lock at once: no lease to wait out
        a.tryRunLock("job:reconcile").orElseThrow();
        try (Connection admin = DriverManager.getConnection(PG, "postgres", "");
             PreparedStatement st = admin.prepareStatement("select pg_terminate_backend(pid) from pg_stat_activity"
                     + " where application_name = ?")) {
            st.setString(1, "photobridge/instance-a");
            st.execute();
        }
        await().atMost(FAILOVER).until(() -> b.tryRunLock("job:reconcile").map(lock -> {
            open.add(lock);
            return true;
        }).orElse(false));
    }

    /** An instance of the real PhotoBridge on the shared ledger and the shared media folder, with an inbox of its own. */
    private RunningPhotoBridge photoBridge(String id, String url, Path media) {
        RunningPhotoBridge app = RunningPhotoBridge.start(home.resolve(id), Map.of(
                "camel.main.name", "photobridge-" + id,
                "photobridge.cluster.instance-id", id,
                "photobridge.cluster.check-interval-ms", String.valueOf(CHECK.toMillis()),
                "photobridge.records.url", url,
                "photobridge.records.user", "postgres",
                "photobridge.inspektlabs.media-dir", media.toString(),
                "photobridge.inspektlabs.quiet-period-ms", "3600000",
                "photobridge.inspektlabs.max-images-per-batch", "5"));
        open.add(app);
        return app;
    }

    private static LedgerClusterService cluster(RunningPhotoBridge app) {
        return app.context().getRegistry().lookupByNameAndType("cluster", LedgerClusterService.class);
    }

    private static AggregateProcessor batches(RunningPhotoBridge app) {
        return app.context().getProcessor("damage-batches", AggregateProcessor.class);
    }

    private static boolean started(RunningPhotoBridge app, String route) {
        return app.context().getRouteController().getRouteStatus(route).isStarted();
    }

    private void drop(RunningPhotoBridge app, String prefix, int n) throws Exception {
        Path staging = Files.createDirectories(home.resolve("staging-" + prefix));
        for (int i = 0; i < n; i++) {
            // the name drawn into it: distinct bytes (the ledger records the same bytes of an order once)
            BufferedImage image = new BufferedImage(96, 24, BufferedImage.TYPE_INT_RGB);
            Graphics2D g = image.createGraphics();
            g.setColor(Color.WHITE);
            g.drawString(prefix + "-" + i, 2, 16);
            g.dispose();
            ImageIO.write(image, "jpg", staging.resolve(prefix + "-" + i + ".jpg").toFile());
        }
        Path order = Files.createDirectories(app.inbox().resolve(Long.toString(ORDER)));
        for (int i = 0; i < n; i++) {
            Files.move(staging.resolve(prefix + "-" + i + ".jpg"), order.resolve(prefix + "-" + i + ".jpg"));
        }
    }

    private static boolean delivered(RunningPhotoBridge app, int photos) {
        return app.ledger().photos(ORDER).size() == photos
                && app.ledger().photos(ORDER).stream().allMatch(p -> p.state() == PhotoState.UPLOADED);
    }

    @Test
    void aDamageBatchQueuedOnTwoInstancesIsSentOnceWithAllItsPhotosAcrossAFailover() throws Exception {
        String url = newSchema();
        Path media = home.resolve("shared-media");
        RunningPhotoBridge a = photoBridge("a", url, media);
        await().atMost(FAILOVER).until(() -> cluster(a).isLeader("damage-batches") && cluster(a).isLeader("jobs"));
        RunningPhotoBridge b = photoBridge("b", url, media);
        assertThat(cluster(b).isLeader("damage-batches")).isFalse();
        assertThat(cluster(b).leaders()).containsEntry("damage-batches", "a").containsEntry("jobs", "a");
        assertThat(started(a, "inspektlabs-batches")).isTrue();
        assertThat(started(b, "inspektlabs-batches")).isFalse();
        assertThat(started(a, "job-reconcile")).isTrue();
        assertThat(started(b, "job-reconcile")).isFalse();
        // the follower's aggregator itself is stopped: no completion timeout and no recovery runs there
        assertThat(batches(a).isStarted()).isTrue();
        assertThat(batches(b).isStarted()).isFalse();

        // two photos of the order recorded by each instance: the leader takes all four into one open batch (of five)
        drop(a, "on-a", 2);
        drop(b, "on-b", 2);
        await().atMost(Duration.ofSeconds(60)).until(() -> delivered(a, 4) && a.damage().queued() == 0);
        assertThat(a.damage().jobs(ORDER)).isEmpty();

        // the leader stops with the batch open: b takes over, restores the batch from the repository, and the fifth
        // photo completes it
        a.close();
        open.remove(a);
        await().atMost(FAILOVER).until(() -> cluster(b).isLeader("damage-batches") && started(b, "inspektlabs-batches"));
        await().atMost(FAILOVER).until(() -> started(b, "job-reconcile") && batches(b).isStarted());
        drop(b, "on-b-again", 1);

        await().atMost(Duration.ofSeconds(60)).until(() -> b.damage().jobs(ORDER).size() == 1
                && b.damage().jobs(ORDER).get(0).state() == DamageJobState.REPORTED);
        DamageJob job = b.damage().jobs(ORDER).get(0);
        assertThat(job.mediaCount()).isEqualTo(5);
        List<InspektlabsUpload> uploads = b.inspektlabs().uploads();
        assertThat(uploads).singleElement().satisfies(u -> assertThat(u.files()).hasSize(5));
        await().during(Duration.ofSeconds(2)).atMost(Duration.ofSeconds(5)).until(() -> b.inspektlabs().uploads().size() == 1
                && b.damage().jobs(ORDER).size() == 1);
    }

    @Test
    void aCompletedBatchTheLeaderCouldNotSendIsRecoveredByTheNextLeader() throws Exception {
        String url = newSchema();
        Path media = home.resolve("shared-media");
        RunningPhotoBridge a = photoBridge("a", url, media);
        await().atMost(FAILOVER).until(() -> cluster(a).isLeader("damage-batches"));
        RunningPhotoBridge b = photoBridge("b", url, media);
        // Inspektlabs is in a service window for a: the batch completes there, is not accepted, and waits for recovery
        a.inspektlabs().faults().failNext(1000, "/api/upload",
                new FaultInjector.Status(503, "ML servers are not available currently.", null));
        drop(a, "on-a", 3);
        drop(b, "on-b", 2);
        await().atMost(Duration.ofSeconds(60)).until(() -> a.damage().jobs(ORDER).size() == 1
                && a.damage().jobs(ORDER).get(0).attempts() >= 2);
        // the follower neither recovers nor sends the batch
        await().during(Duration.ofSeconds(3)).atMost(Duration.ofSeconds(5)).until(() -> b.inspektlabs().uploads().isEmpty());

        a.close();
        open.remove(a);
        await().atMost(Duration.ofSeconds(60)).until(() -> b.damage().jobs(ORDER).size() == 1
                && b.damage().jobs(ORDER).get(0).state() == DamageJobState.REPORTED);
        assertThat(b.inspektlabs().uploads()).singleElement().satisfies(u -> assertThat(u.files()).hasSize(5));
    }

    /** An instance that reloads edits of its own copy of the route files. */
    private RunningPhotoBridge reloading(String id, String url, Path media) throws Exception {
        Path routes = Files.createDirectories(home.resolve(id + "-routes"));
        try (java.util.stream.Stream<Path> files = Files.list(Path.of("routes"))) {
            for (Path f : (Iterable<Path>) files::iterator) {
                Files.copy(f, routes.resolve(f.getFileName()));
            }
        }
        RunningPhotoBridge app = RunningPhotoBridge.start(home.resolve(id), Map.of(
                "camel.main.name", "photobridge-" + id,
                "photobridge.cluster.instance-id", id,
                "photobridge.cluster.check-interval-ms", String.valueOf(CHECK.toMillis()),
                "photobridge.records.url", url,
                "photobridge.records.user", "postgres",
                "photobridge.inspektlabs.media-dir", media.toString(),
                "camel.main.routes-include-pattern", "file:" + routes + "/*.camel.yaml",
                "photobridge.routes.reload-enabled", "true",
                "photobridge.routes.dir", routes.toString()));
        open.add(app);
        return app;
    }

    private static ValidatingRouteReloadStrategy reloader(RunningPhotoBridge app) {
        return app.context().getRegistry().lookupByNameAndType("routeReloader", ValidatingRouteReloadStrategy.class);
    }

    private void edit(String id) throws Exception {
        Path file = home.resolve(id + "-routes/inspektlabs-damage.camel.yaml");
        Files.writeString(file, Files.readString(file).replace("maxMessagesPerPoll: 500", "maxMessagesPerPoll: 400"));
    }

    @Test
    void anEditedSingletonRouteStillRunsOnOneInstanceOnly() throws Exception {
        String url = newSchema();
        Path media = home.resolve("shared-media");
        RunningPhotoBridge a = reloading("a", url, media);
        await().atMost(FAILOVER).until(() -> cluster(a).isLeader("damage-batches"));
        RunningPhotoBridge b = reloading("b", url, media);

        // the follower's edit replaces its stopped route: it stays stopped, its aggregator too
        edit("b");
        await().atMost(Duration.ofSeconds(30)).until(() -> reloader(b).acceptedReloads() >= 1);
        await().during(CHECK.multipliedBy(3)).atMost(CHECK.multipliedBy(6)).until(() -> !started(b, "inspektlabs-batches")
                && !batches(b).isStarted() && started(a, "inspektlabs-batches"));

        // the leader's edit replaces its running route: one instance runs it afterwards, with its aggregator
        edit("a");
        await().atMost(Duration.ofSeconds(30)).until(() -> reloader(a).acceptedReloads() >= 1);
        await().atMost(FAILOVER).until(() -> started(a, "inspektlabs-batches") ^ started(b, "inspektlabs-batches"));
        RunningPhotoBridge leader = started(a, "inspektlabs-batches") ? a : b;
        RunningPhotoBridge follower = leader == a ? b : a;
        await().during(CHECK.multipliedBy(3)).atMost(CHECK.multipliedBy(6)).until(() -> started(leader, "inspektlabs-batches")
                && batches(leader).isStarted() && !started(follower, "inspektlabs-batches") && !batches(follower).isStarted());

        // and it still batches: photos recorded on both instances, one batch of five
        drop(a, "on-a", 3);
        drop(b, "on-b", 2);
        await().atMost(Duration.ofSeconds(60)).until(() -> leader.damage().jobs(ORDER).size() == 1
                && leader.damage().jobs(ORDER).get(0).state() == DamageJobState.REPORTED);
        assertThat(leader.damage().jobs(ORDER).get(0).mediaCount()).isEqualTo(5);
    }
}
