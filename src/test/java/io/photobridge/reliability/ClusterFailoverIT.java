package io.photobridge.reliability;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.time.Duration;
import java.util.UUID;

import io.photobridge.bench.JarProcess;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Two shipped jars on one PostgreSQL ledger (the machine's, a fresh schema): the first leads the singletons (damage batches,
 * job crons), the second is ready as a follower, and when the leader is killed with -9 the follower leads both within the
 * stated failover time (photobridge.cluster.check-interval-ms). Writes target/reliability/cluster-failover.md.
 */
class ClusterFailoverIT {

    private static final Path PROJECT = Path.of("").toAbsolutePath();
    private static final String PG = "jdbc:postgresql://127.0.0.1:5432/test";
    private static final Duration CHECK = Duration.ofSeconds(2);

    @TempDir
    Path home;

    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    private JarProcess instance(String id, String url) {
        return new JarProcess(PROJECT, home.resolve(id))
                .property("photobridge.cluster.instance-id", id)
                .property("photobridge.cluster.check-interval-ms", String.valueOf(CHECK.toMillis()))
                .property("photobridge.records.url", url)
                .property("photobridge.records.user", "postgres")
                .property("photobridge.inspektlabs.media-dir", home.resolve("shared-media").toString())
                // the production default: readiness then counts every route of the route files, singletons included
                .property("photobridge.routes.reload-enabled", "true");
    }

    private String health(JarProcess app) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create(app.httpBase() + "/observe/health?data=true")).GET().build(),
                HttpResponse.BodyHandlers.ofString()).body();
    }

    private static boolean leads(JarProcess app, String id, String singleton) throws Exception {
        return Files.readString(app.log()).contains("Cluster: instance " + id + " now leads singleton '" + singleton + "'");
    }

    @Test
    void theFollowerLeadsWithinTheFailoverTimeWhenTheLeaderIsKilled() throws Exception {
        String schema = "pb_test_" + UUID.randomUUID().toString().replace("-", "");
        try (Connection c = DriverManager.getConnection(PG, "postgres", ""); Statement st = c.createStatement()) {
            st.execute("create schema " + schema);
        }
        String url = PG + "?currentSchema=" + schema;
        JarProcess a = instance("jar-a", url);
        JarProcess b = instance("jar-b", url);
        try {
            a.start().awaitReady(Duration.ofSeconds(90));
            await().atMost(CHECK.multipliedBy(3)).until(() -> leads(a, "jar-a", "damage-batches") && leads(a, "jar-a", "jobs"));
            b.start().awaitReady(Duration.ofSeconds(90));
            // the follower is ready (its stopped singleton routes do not count against it) and names the leader
            assertThat(health(b)).contains("\"singleton.damage-batches.leader\":\"jar-a\"")
                    .contains("\"singleton.jobs.leader\":\"jar-a\"");
            assertThat(leads(b, "jar-b", "damage-batches")).isFalse();

            a.kill();
            long killed = System.nanoTime();
            await().atMost(CHECK.plusSeconds(10)).pollInterval(Duration.ofMillis(50))
                    .until(() -> leads(b, "jar-b", "damage-batches") && leads(b, "jar-b", "jobs"));
            Duration failover = Duration.ofNanos(System.nanoTime() - killed);
            await().atMost(Duration.ofSeconds(10)).until(() -> health(b).contains("\"singleton.damage-batches.leader\":\"jar-b\""));
            // the new leader's singleton routes run: still ready
            assertThat(http.send(HttpRequest.newBuilder(URI.create(b.httpBase() + "/observe/health/ready")).GET().build(),
                    HttpResponse.BodyHandlers.ofString()).statusCode()).isEqualTo(200);

            SuiteSize.current().writeResult("cluster-failover", "| check | figure |\n|---|---|\n"
                    + "| check interval (photobridge.cluster.check-interval-ms) | " + CHECK.toMillis() + " ms |\n"
                    + "| kill -9 of the leader -> the follower leads damage-batches and jobs | " + failover.toMillis() + " ms |\n");
        } finally {
            a.close();
            b.close();
        }
    }
}
