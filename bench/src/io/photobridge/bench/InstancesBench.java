package io.photobridge.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import io.photobridge.sandbox.RecoveryConnectSandbox;
import io.photobridge.sandbox.StoredPhoto;

/**
 * {@code bench/run instances}: 1, 2 and 3 instances of the shipped jar (production mode, against a RecoveryConnect sandbox
 * hosted here) on one PostgreSQL ledger, a fresh database each time, sharing one drop folder; the same files each time.
 * Photos/s and the ratio to 1 instance, each instance's share (its "Delivered" lines), copies stored more than once, and
 * where the CPU went (the instances, this JVM with the sandbox, everything else: PostgreSQL and other load).
 */
final class InstancesBench {

    private static final long ORDER = Bench.ORDER;
    /** The machine's PostgreSQL (trust auth); -Dbench.pg.url=jdbc:postgresql://host:port/ and -Dbench.pg.user for another. */
    private static final String PG = System.getProperty("bench.pg.url", "jdbc:postgresql://127.0.0.1:5432/");
    private static final String PG_USER = System.getProperty("bench.pg.user", "postgres");
    private static final String DATABASE = "photobridge_bench_instances";
    /** Linux clock ticks per second of /proc/[pid]/stat (USER_HZ, 100 on every common kernel). */
    private static final double TICKS = 100.0;

    private final Path project;
    private final Path work;
    private final int count;

    InstancesBench(Path project, Path work, double scale) {
        this.project = project;
        this.work = work.resolve("instances");
        this.count = Math.max(30, (int) Math.round(2000 * scale));
    }

    String run() throws Exception {
        byte[] photo = Fixtures.photo(work.getParent().resolve("fixtures"), 100_000);
        Path batch = work.resolve("batch");
        clean(work);
        Fixtures.copies(photo, batch.resolve(String.valueOf(ORDER)), "mi", count);
        List<Result> results = new ArrayList<>();
        for (int instances = 1; instances <= 3; instances++) {
            results.add(once(instances, batch));
        }
        double single = results.get(0).rate();
        StringBuilder table = new StringBuilder("| instances | photos/s | ratio to 1 | delivered by each instance | stored twice | failed "
                + "| CPU ms per photo: PhotoBridge, PostgreSQL, sandbox | machine busy | other load, CPU s | load average |\n"
                + "|---|---|---|---|---|---|---|---|---|---|\n");
        for (Result r : results) {
            table.append(String.format(Locale.ROOT, "| %d | %.1f | %.2f | %s | %d | %d | %.1f, %.1f, %.1f | %.0f%% | %.1f of %.1f | %s |%n",
                    r.instances, r.rate(), r.rate() / single, r.shares(), r.storedTwice, r.failed, 1000 * r.instancesCpu / count,
                    1000 * r.pgCpu / count, 1000 * r.benchCpu / count, r.busyShare * 100, r.otherCpu(), r.busyCpu, r.load));
        }
        Result last = results.get(results.size() - 1);
        return table + String.format(Locale.ROOT, "%n%d photos of %s each, %.0f to %.0f s a row, dropped into one shared inbox by one rename; the jars in "
                        + "production mode with default settings (%d parallel uploads each), damage analysis and PAVE off, ledger on "
                        + "PostgreSQL (a fresh database per row); timed from the rename to the last photo stored by the sandbox. "
                        + "\"Delivered by each\": the instances' Delivered log lines (share of the photos). CPU: the machine's busy "
                        + "time (/proc/stat) during the run, split into the PhotoBridge processes, this JVM (the RecoveryConnect "
                        + "sandbox decoding and storing every photo), the PostgreSQL backends serving the ledger, and the rest (other load on the "
                        + "machine; load average at the start and the end). Ledger growth: %.1f KB "
                        + "per photo (PostgreSQL tables and indexes, %d instances).%n",
                count, photo.length / 1000 + " KB", results.stream().mapToDouble(Result::seconds).min().orElse(0),
                results.stream().mapToDouble(Result::seconds).max().orElse(0), Bench.PARALLEL, last.ledgerBytesPerPhoto / 1000.0, last.instances);
    }

    private Result once(int instances, Path batch) throws Exception {
        Path runDir = work.resolve(instances + "-instances");
        clean(runDir);
        Path inbox = runDir.resolve("inbox");
        String url = freshDatabase();
        List<JarProcess> apps = new ArrayList<>();
        try (RecoveryConnectSandbox sandbox = new RecoveryConnectSandbox(RecoveryConnectSandbox.Settings.defaults()
                .withDataDir(runDir.resolve("sandbox")))) {
            sandbox.start();
            for (int i = 1; i <= instances; i++) {
                JarProcess app = new JarProcess(project, runDir.resolve("instance-" + i)).production()
                        .property("photobridge.recoveryconnect.base-url", sandbox.baseUrl())
                        .property("photobridge.inspektlabs.enabled", "false")
                        .property("photobridge.pave.enabled", "false")
                        .property("photobridge.inbox.dir", inbox.toString())
                        .property("photobridge.records.url", url)
                        .property("photobridge.records.user", PG_USER);
                apps.add(app);
            }
            // all at once, as a Deployment's replicas start: Flyway serialises the migration of the fresh ledger
            for (JarProcess app : apps) {
                app.start();
            }
            for (JarProcess app : apps) {
                app.awaitReady(Duration.ofSeconds(120));
            }
            long ledgerBefore = ledgerBytes(url);
            Files.createDirectories(inbox);
            long[] machineBefore = machineTicks();
            String loadBefore = loadAverage();
            List<Long> backends = ledgerBackends(url);
            double[] cpuBefore = cpu(apps);
            double pgBefore = cpuOf(backends);
            double benchBefore = benchCpu();
            long started = System.nanoTime();
            Files.move(batch.resolve(String.valueOf(ORDER)), inbox.resolve(String.valueOf(ORDER)));
            long deadline = started + Duration.ofMinutes(20).toNanos();
            // until the sandbox holds every photo (as in the throughput scenario), or every file is finished when some failed;
            // the folders are walked only every half second, so that the harness's own CPU stays out of the figures
            for (int polls = 1; sandbox.createdPhotos() < count && (polls % 25 != 0 || finished(inbox) < count); polls++) {
                for (JarProcess app : apps) {
                    check(app.isAlive(), "an instance died; see " + app.log());
                }
                check(System.nanoTime() < deadline, "gave up after 20 min: " + finished(inbox) + "/" + count + " files finished");
                Thread.sleep(20);
            }
            double seconds = (System.nanoTime() - started) / 1e9;
            double[] cpuAfter = cpu(apps);
            double pgCpu = cpuOf(backends) - pgBefore;
            String load = loadBefore + " → " + loadAverage();
            double benchCpu = benchCpu() - benchBefore;
            long[] machineAfter = machineTicks();
            double busy = (machineAfter[0] - machineBefore[0]) / TICKS;
            double total = (machineAfter[1] - machineBefore[1]) / TICKS;
            double instancesCpu = 0;
            for (int i = 0; i < apps.size(); i++) {
                instancesCpu += cpuAfter[i] - cpuBefore[i];
            }
            for (long until = System.nanoTime() + Duration.ofMinutes(1).toNanos(); finished(inbox) < count; ) {
                check(System.nanoTime() < until, "files still not in .done/ or .error/ a minute after the last upload");
                Thread.sleep(100);
            }
            long ledgerPerPhoto = (ledgerBytes(url) - ledgerBefore) / count;
            List<StoredPhoto> stored = sandbox.photos(ORDER);
            long distinct = stored.stream().map(StoredPhoto::sha256).distinct().count();
            for (JarProcess app : apps) {
                app.stop();
            }
            List<Integer> delivered = new ArrayList<>();
            for (JarProcess app : apps) {
                delivered.add(lines(app.log(), " : Delivered "));
            }
            int failed = (int) countFiles(inbox.resolve(".error"), false);
            putBack(inbox, batch);
            Result result = new Result(instances, seconds, delivered, stored.size() - (int) distinct, failed, busy / total,
                    instancesCpu, pgCpu, benchCpu, busy, load, ledgerPerPhoto);
            log("instances %d: %d photos in %.2f s (%.1f photos/s), delivered %s, stored twice %d, failed %d", instances, count, seconds,
                    count / seconds, delivered, result.storedTwice, failed);
            return result;
        } finally {
            for (JarProcess app : apps) {
                app.stop();
            }
            clean(runDir.resolve("sandbox"));
        }
    }

    /** A fresh, empty ledger database; its JDBC URL. */
    private static String freshDatabase() throws SQLException {
        try (Connection c = DriverManager.getConnection(PG + "postgres", PG_USER, null); Statement s = c.createStatement()) {
            s.execute("DROP DATABASE IF EXISTS " + DATABASE + " WITH (FORCE)");
            s.execute("CREATE DATABASE " + DATABASE);
        }
        return PG + DATABASE;
    }

    private static long ledgerBytes(String url) throws SQLException {
        try (Connection c = DriverManager.getConnection(url, PG_USER, null); Statement s = c.createStatement();
             ResultSet r = s.executeQuery("SELECT sum(pg_total_relation_size(c.oid)) FROM pg_class c JOIN pg_namespace n"
                     + " ON n.oid = c.relnamespace WHERE c.relkind = 'r' AND n.nspname = 'public'")) {
            r.next();
            return r.getLong(1);
        }
    }

    /** Files of the batch that are finished: in .done/ or in .error/ (not counting the notes). */
    private static long finished(Path inbox) {
        return countFiles(inbox.resolve(".done"), true) + countFiles(inbox.resolve(".error"), false);
    }

    /** The same files for the next row: delivered and failed files go back into the batch folder, the notes are dropped. */
    private static void putBack(Path inbox, Path batch) throws IOException {
        Path target = Files.createDirectories(batch.resolve(String.valueOf(ORDER)));
        for (String folder : List.of(".done", ".error")) {
            Path dir = inbox.resolve(folder);
            if (!Files.isDirectory(dir)) {
                continue;
            }
            try (Stream<Path> files = Files.walk(dir)) {
                for (Path file : files.filter(Files::isRegularFile).toList()) {
                    if (file.toString().endsWith(".error.txt")) {
                        Files.delete(file);
                    } else {
                        Files.move(file, target.resolve(file.getFileName()));
                    }
                }
            }
        }
        try (Stream<Path> left = Files.walk(inbox.resolve(String.valueOf(ORDER)))) {
            for (Path file : left.filter(Files::isRegularFile).toList()) {
                Files.move(file, target.resolve(file.getFileName()));
            }
        } catch (IOException gone) {
            // the order folder was moved or removed with its last file
        }
    }

    /** CPU seconds (user + system) of each instance so far, from /proc/[pid]/stat. */
    private static double[] cpu(List<JarProcess> apps) {
        double[] seconds = new double[apps.size()];
        for (int i = 0; i < apps.size(); i++) {
            seconds[i] = cpuOf(List.of(apps.get(i).pid()));
        }
        return seconds;
    }

    /** The PostgreSQL backend processes connected to the ledger database (the instances' pools). */
    private static List<Long> ledgerBackends(String url) throws SQLException {
        List<Long> pids = new ArrayList<>();
        try (Connection c = DriverManager.getConnection(url, PG_USER, null); Statement s = c.createStatement();
             ResultSet r = s.executeQuery("SELECT pid FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()")) {
            while (r.next()) {
                pids.add(r.getLong(1));
            }
        }
        return pids;
    }

    /** CPU seconds (user + system) of these processes so far; one that is gone counts 0. */
    private static double cpuOf(List<Long> pids) {
        double seconds = 0;
        for (long pid : pids) {
            try {
                String stat = Files.readString(Path.of("/proc", String.valueOf(pid), "stat"));
                String[] fields = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
                seconds += (Long.parseLong(fields[11]) + Long.parseLong(fields[12])) / TICKS;
            } catch (IOException gone) {
                // ended
            }
        }
        return seconds;
    }

    private static String loadAverage() throws IOException {
        return Files.readString(Path.of("/proc/loadavg")).split(" ")[0];
    }

    /** CPU seconds of this JVM (the sandbox, the harness). */
    private static double benchCpu() {
        return ((com.sun.management.OperatingSystemMXBean) java.lang.management.ManagementFactory.getOperatingSystemMXBean())
                .getProcessCpuTime() / 1e9;
    }

    /** The machine's busy and total clock ticks, summed over its CPUs (/proc/stat). */
    private static long[] machineTicks() throws IOException {
        String[] f = Files.readAllLines(Path.of("/proc/stat")).get(0).trim().split("\\s+");
        long total = 0;
        for (int i = 1; i <= 8 && i < f.length; i++) {
            total += Long.parseLong(f[i]);
        }
        long idle = Long.parseLong(f[4]) + Long.parseLong(f[5]);
        return new long[] {total - idle, total};
    }

    private static int lines(Path log, String text) throws IOException {
        try (Stream<String> lines = Files.lines(log)) {
            return (int) lines.filter(l -> l.contains(text)).count();
        }
    }

    private static long countFiles(Path dir, boolean all) {
        if (!Files.isDirectory(dir)) {
            return 0;
        }
        try (Stream<Path> files = Files.walk(dir)) {
            return files.filter(Files::isRegularFile).filter(p -> all || !p.toString().endsWith(".error.txt")).count();
        } catch (IOException | java.io.UncheckedIOException moving) {
            return 0;
        }
    }

    private static void clean(Path dir) throws IOException {
        if (Files.exists(dir)) {
            try (Stream<Path> walk = Files.walk(dir)) {
                for (Path p : walk.sorted((a, b) -> b.getNameCount() - a.getNameCount()).toList()) {
                    Files.delete(p);
                }
            }
        }
    }

    private static void check(boolean condition, String message) {
        if (!condition) {
            throw new IllegalStateException(message);
        }
    }

    private static void log(String format, Object... args) {
        System.err.println("[bench] " + String.format(Locale.ROOT, format, args));
    }

    private record Result(int instances, double seconds, List<Integer> delivered, int storedTwice, int failed, double busyShare,
                          double instancesCpu, double pgCpu, double benchCpu, double busyCpu, String load, long ledgerBytesPerPhoto) {

        double rate() {
            return delivered.stream().mapToInt(Integer::intValue).sum() / seconds;
        }

        double otherCpu() {
            return busyCpu - instancesCpu - pgCpu - benchCpu;
        }

        String shares() {
            int all = Math.max(1, delivered.stream().mapToInt(Integer::intValue).sum());
            return delivered.stream().map(d -> String.format(Locale.ROOT, "%d (%.0f%%)", d, 100.0 * d / all)).collect(Collectors.joining(", "));
        }
    }
}
