package io.photobridge.bench;

import java.io.IOException;
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
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import io.photobridge.sandbox.InspektlabsSandbox;
import io.photobridge.sandbox.PaveSandbox;
import io.photobridge.sandbox.RecoveryConnectSandbox;
import io.photobridge.sandbox.StoredPhoto;

/**
 * The benchmark harness: runs the shipped jar against sandboxes on loopback (hosted here, outside PhotoBridge's process) and, for
 * throughput, the raw JDK HttpClient baseline against the same sandbox. Usage: {@code bench/run [scenario...]} with scenarios
 * throughput, latency, memory, backlog, startup (default: all), and instances (1, 2, 3 jars on one PostgreSQL ledger). Results:
 * stdout and {@code target/bench/<scenario>.md}.
 */
public final class Bench {

    static final long ORDER = 57076501L;
    /** The throughput warm-up batches' order. */
    static final long WARM_ORDER = ORDER + 1;
    static final int PARALLEL = 4;
    private static final Pattern GC_PAUSE = Pattern.compile("(\\d+)M->(\\d+)M\\((\\d+)M\\)");

    private final Path project = Path.of("").toAbsolutePath();
    private final Path work = project.resolve("target/bench");
    private final Path fixtures = work.resolve("fixtures");
    private final double scale = Double.parseDouble(System.getProperty("bench.scale", "1"));
    private int runs;
    /** When set, PhotoBridge runs through the distribution's launcher (its JVM settings): backlog, memory, and -Dbench.launcher=true. */
    private Path launcherRoot;

    public static void main(String[] args) throws Exception {
        List<String> scenarios = args.length == 0 ? List.of("startup", "throughput", "latency", "backlog", "memory") : List.of(args);
        Bench bench = new Bench();
        if (Boolean.getBoolean("bench.launcher")) {
            bench.useLauncher();
        }
        for (String scenario : scenarios) {
            String markdown = switch (scenario) {
                case "throughput" -> bench.throughput();
                case "latency" -> bench.latency();
                case "memory" -> bench.memory();
                case "backlog" -> bench.backlog();
                case "startup" -> bench.startup();
                case "instances" -> new InstancesBench(bench.project, bench.work, bench.scale).run();
                default -> throw new IllegalArgumentException("unknown scenario " + scenario
                        + " (throughput, latency, memory, backlog, startup, instances)");
            };
            Files.createDirectories(bench.work);
            String text = "### " + scenario + " (" + Instant.now() + ", " + Runtime.getRuntime().availableProcessors() + " CPUs, Java "
                    + System.getProperty("java.version") + ")\n\n" + markdown + "\n";
            Files.writeString(bench.work.resolve(scenario + ".md"), text);
            System.out.println(text);
        }
        System.exit(0);
    }

    // ---------------------------------------------------------------- throughput

    /**
     * Drop folder -> RecoveryConnect for 100 KB, 2 MB and 20 MB photos: PhotoBridge with its ledger on H2 (the embedded default),
     * PhotoBridge with its ledger on PostgreSQL (a fresh schema each run) and the raw baseline, alternately, 3 rounds each.
     * {@code -Dbench.sizes=100000,2000000} picks sizes, {@code -Dbench.rounds=} the rounds, {@code -Dbench.postgres=} the
     * PostgreSQL URL (empty: no PostgreSQL column). Each side first sends a warm-up batch of a quarter as many photos to
     * another order, untimed ({@code -Dbench.warmup=0} for none): the figures are a running service's, not its first seconds'.
     */
    String throughput() throws Exception {
        String postgres = System.getProperty("bench.postgres", "jdbc:postgresql://127.0.0.1:5432/test");
        int rounds = Integer.getInteger("bench.rounds", 3);
        double warmup = Double.parseDouble(System.getProperty("bench.warmup", "0.25"));
        StringBuilder table = new StringBuilder("| photo size | photos | raw baseline photos/s | MB/s | PhotoBridge, H2 ledger photos/s"
                + " | ratio (median; rounds) |" + (postgres.isEmpty() ? "" : " PhotoBridge, PostgreSQL ledger photos/s | ratio (median; rounds) |")
                + " CPU ms per photo: raw / H2 / PostgreSQL |\n|---|---|---|---|---|---|---|" + (postgres.isEmpty() ? "" : "---|---|") + "\n");
        Map<Long, Integer> sizes = new TreeMap<>(Map.of(100_000L, count(2000), 2_000_000L, count(300), 20_000_000L, count(40)));
        String only = System.getProperty("bench.sizes", "");
        if (!only.isBlank()) {
            List<Long> wanted = Arrays.stream(only.split(",")).map(String::trim).map(Long::valueOf).toList();
            sizes.keySet().retainAll(wanted);
        }
        for (Map.Entry<Long, Integer> size : sizes.entrySet()) {
            byte[] photo = Fixtures.photo(fixtures, size.getKey());
            int count = size.getValue();
            int warmCount = (int) Math.round(count * warmup);
            Path warm = work.resolve("warm");
            clean(warm);
            if (warmCount > 0) {
                Fixtures.copies(photo, warm.resolve(String.valueOf(WARM_ORDER)), "wu", warmCount);
            }
            double[] h2 = new double[rounds];
            double[] pg = new double[rounds];
            double[] raw = new double[rounds];
            double[][] cpu = new double[3][rounds];
            for (int round = 0; round < rounds; round++) {
                Path batch = work.resolve("batch");
                clean(batch);
                Fixtures.copies(photo, batch.resolve(String.valueOf(ORDER)), "tp", count);
                Run run = photoBridgeRun(batch, count, Map.of(), null, warmCount > 0 ? warm : null);
                clean(run.home());
                h2[round] = run.seconds();
                cpu[0][round] = run.cpuSeconds();
                if (!postgres.isEmpty()) {
                    String schema = "bench_" + System.nanoTime();
                    postgresSchema(postgres, "create schema " + schema);
                    try {
                        run = photoBridgeRun(batch, count, Map.of("photobridge.records.url", postgres + "?currentSchema=" + schema,
                                "photobridge.records.user", "postgres"), null, warmCount > 0 ? warm : null);
                        clean(run.home());
                        pg[round] = run.seconds();
                        cpu[1][round] = run.cpuSeconds();
                    } finally {
                        postgresSchema(postgres, "drop schema " + schema + " cascade");
                    }
                }
                double[] rawRun = rawRun(batch.resolve(String.valueOf(ORDER)), count,
                        warmCount > 0 ? warm.resolve(String.valueOf(WARM_ORDER)) : null, warmCount);
                raw[round] = rawRun[0];
                cpu[2][round] = rawRun[1];
                log("throughput %s x %d round %d: PhotoBridge H2 %.2f s (CPU %.2f s), PostgreSQL %.2f s (CPU %.2f s), raw %.2f s"
                        + " (CPU %.2f s), load %s", human(photo.length), count, round + 1, h2[round], cpu[0][round], pg[round],
                        cpu[1][round], raw[round], cpu[2][round], loadAverage());
            }
            double rawMedian = median(raw);
            double mb = (double) photo.length * count / 1e6;
            table.append(String.format(Locale.ROOT, "| %s | %d | %.1f | %.1f | %s |", human(photo.length), count, count / rawMedian,
                    mb / rawMedian, ratios(count, h2, raw)));
            table.append(postgres.isEmpty() ? "" : " " + ratios(count, pg, raw) + " |");
            table.append(String.format(Locale.ROOT, " %.2f / %.2f / %.2f |%n", median(cpu[2]) * 1000 / count,
                    median(cpu[0]) * 1000 / count, postgres.isEmpty() ? 0 : median(cpu[1]) * 1000 / count));
        }
        return table + "\nPhotoBridge: the shipped jar with its default settings (" + PARALLEL + " parallel uploads), damage analysis and "
                + "PAVE off, its ledger on H2 (the embedded default) or on PostgreSQL (" + postgres + ", a fresh schema each run); "
                + "each side first sends a warm-up batch of " + Math.round(warmup * 100) + "% as many photos (untimed, another order), then is "
                + "timed from the one rename that drops the order folder into the inbox to the last photo stored by the "
                + "sandbox. Raw baseline: RawBaseline (JDK HttpClient, same Base64 JSON, " + PARALLEL + " threads) on the same files "
                + "and a fresh sandbox; timed from its first request to its last answer. Ratio: raw seconds / PhotoBridge seconds of "
                + "the same round. CPU: the process's CPU time in the timed window (PhotoBridge: the jar; raw: the baseline program; "
                + "neither counts the sandbox), median per photo. Load average at the end: " + loadAverage() + ".\n";
    }

    /** "photos/s | median ratio; each round's ratio" for one PhotoBridge column against the raw baseline of the same rounds. */
    private static String ratios(int count, double[] ours, double[] raw) {
        double[] ratios = new double[ours.length];
        StringBuilder each = new StringBuilder();
        for (int i = 0; i < ours.length; i++) {
            ratios[i] = raw[i] / ours[i];
            each.append(i == 0 ? "" : ", ").append(String.format(Locale.ROOT, "%.2f", ratios[i]));
        }
        return String.format(Locale.ROOT, "%.1f | %.2f (%s)", count / median(ours), median(ratios), each);
    }

    private static void postgresSchema(String url, String sql) throws Exception {
        try (Connection c = DriverManager.getConnection(url, "postgres", "");
             Statement st = c.createStatement()) {
            st.execute(sql);
        }
    }

    private static Duration cpuTime(long pid) {
        return ProcessHandle.of(pid).flatMap(p -> p.info().totalCpuDuration()).orElse(Duration.ZERO);
    }

    private static String loadAverage() {
        try {
            return Files.readString(Path.of("/proc/loadavg")).split(" ")[0];
        } catch (IOException e) {
            return "?";
        }
    }

    private Run photoBridgeRun(Path batch, int expected, Map<String, String> properties, List<String> jvm) throws Exception {
        return photoBridgeRun(batch, expected, properties, jvm, null);
    }

    /**
     * One PhotoBridge run: starts the jar, sends {@code warm}'s order folders (if any) and waits for them untimed, then drops
     * {@code batch}'s order folders into the inbox in one rename each and waits for all uploads.
     */
    private Run photoBridgeRun(Path batch, int expected, Map<String, String> properties, List<String> jvm, Path warm) throws Exception {
        Path home = work.resolve("run-" + (++runs));
        clean(home);
        try (RecoveryConnectSandbox sandbox = recoveryConnect(home);
             JarProcess app = launched(new JarProcess(project, home))) {
            app.production().property("photobridge.recoveryconnect.base-url", sandbox.baseUrl())
                    .property("photobridge.inspektlabs.enabled", "false")
                    .property("photobridge.pave.enabled", "false");
            properties.forEach(app::property);
            if (jvm != null) {
                jvm.forEach(app::jvm);
            }
            // extra options for the jar, e.g. -Dbench.jvm=-XX:StartFlightRecording=filename={home}/run.jfr to profile a run
            for (String option : System.getProperty("bench.jvm", "").split(" ")) {
                if (!option.isBlank()) {
                    app.jvm(option);
                }
            }
            app.start().awaitReady(Duration.ofSeconds(60));
            Files.createDirectories(app.inbox());
            int warmed = warm == null ? 0 : moveOrders(warm, app.inbox());
            await(() -> sandbox.createdPhotos() >= warmed, Duration.ofMinutes(20), app, "warm-up (" + sandbox.createdPhotos() + "/" + warmed + ")");
            int before = sandbox.createdPhotos();
            Duration cpuBefore = cpuTime(app.pid());
            long started = System.nanoTime();
            try (Stream<Path> orders = Files.list(batch)) {
                for (Path order : orders.toList()) {
                    Files.move(order, app.inbox().resolve(order.getFileName()));
                }
            }
            await(() -> sandbox.createdPhotos() - before >= expected, Duration.ofMinutes(20), app,
                    "uploads (" + (sandbox.createdPhotos() - before) + "/" + expected + ")");
            double seconds = (System.nanoTime() - started) / 1e9;
            double cpuSeconds = cpuTime(app.pid()).minus(cpuBefore).toMillis() / 1000.0;
            await(() -> countFiles(app.inbox().resolve(".done")) >= expected + warmed, Duration.ofMinutes(1), app, ".done files");
            check(sandbox.createdPhotos() == expected + warmed, "sandbox holds " + sandbox.createdPhotos() + " photos, expected "
                    + (expected + warmed));
            long peakRss = app.peakRssBytes();
            app.stop();
            // the files as delivered, for the raw baseline and the next round
            Path done = app.inbox().resolve(".done");
            try (Stream<Path> orders = Files.list(done)) {
                for (Path order : orders.toList()) {
                    boolean warmUp = warm != null && order.getFileName().toString().equals(String.valueOf(WARM_ORDER));
                    Files.move(order, (warmUp ? warm : batch).resolve(order.getFileName()));
                }
            }
            return new Run(seconds, peakRss, app.log(), home, cpuSeconds);
        } finally {
            clean(home.resolve("sandbox"));
        }
    }

    /** Moves every order folder of {@code from} into {@code inbox}, one rename each; the number of files moved. */
    private static int moveOrders(Path from, Path inbox) throws IOException {
        int files = 0;
        try (Stream<Path> orders = Files.list(from)) {
            for (Path order : orders.toList()) {
                files += (int) countFiles(order);
                Files.move(order, inbox.resolve(order.getFileName()));
            }
        }
        return files;
    }

    /** One raw baseline run after its untimed warm-up on {@code warm} (null: none): its seconds and its CPU seconds. */
    private double[] rawRun(Path folder, int expected, Path warm, int warmCount) throws Exception {
        Path home = work.resolve("run-" + (++runs));
        clean(home);
        try (RecoveryConnectSandbox sandbox = recoveryConnect(home)) {
            Process raw = new ProcessBuilder(javaBin(), "-cp", System.getProperty("java.class.path"), RawBaseline.class.getName(),
                    sandbox.baseUrl(), "sandbox@example.com", "sandbox", String.valueOf(ORDER), String.valueOf(PARALLEL), folder.toString(),
                    warm == null ? "" : warm.toString(), String.valueOf(WARM_ORDER))
                    .redirectErrorStream(true).start();
            String out = new String(raw.getInputStream().readAllBytes()).trim();
            check(raw.waitFor() == 0, "raw baseline failed: " + out);
            int total = expected + (warm == null ? 0 : warmCount);
            check(sandbox.createdPhotos() == total, "raw baseline stored " + sandbox.createdPhotos() + ", expected " + total);
            String[] figures = out.lines().reduce((a, b) -> b).orElseThrow().split(" ");
            return new double[] {Long.parseLong(figures[2]) / 1000.0, Long.parseLong(figures[3]) / 1000.0};
        } finally {
            clean(home);
        }
    }

    // ---------------------------------------------------------------- latency

    /** A steady 20 photos/s for 60 s (2 MB photos): time from a file being complete in the inbox to the photo stored by the sandbox. */
    String latency() throws Exception {
        StringBuilder out = new StringBuilder("| delivery into the inbox | photos | p50 | p90 | p99 | max |\n|---|---|---|---|---|---|\n");
        byte[] photo = Fixtures.photo(fixtures, 2_000_000);
        int count = count(1200);
        for (boolean inPlace : new boolean[] {false, true}) {
            double[] latencies = steadyLatencies(photo, count, 20, inPlace);
            out.append(String.format(Locale.ROOT, "| %s | %d | %.2f s | %.2f s | %.2f s | %.2f s |%n",
                    inPlace ? "written in place (like cp: fresh mtime, PhotoBridge waits settle-ms = 1 s)"
                            : "renamed in complete (old mtime: taken at once)",
                    count, percentile(latencies, 50), percentile(latencies, 90), percentile(latencies, 99), percentile(latencies, 100)));
        }
        return out + "\n" + human(photo.length) + " photos at a steady 20 photos/s, the shipped jar with default settings, damage "
                + "analysis and PAVE off. Latency = from the moment the file is complete in the inbox (rename done, or last byte "
                + "written and closed) to the moment the sandbox lists the stored photo (sampled every 5 ms).\n";
    }

    private double[] steadyLatencies(byte[] photo, int count, int perSecond, boolean inPlace) throws Exception {
        Path home = work.resolve("run-" + (++runs));
        clean(home);
        Path staging = home.resolve("staging");
        List<Path> files = Fixtures.copies(photo, staging, inPlace ? "cp" : "mv", count);
        try (RecoveryConnectSandbox sandbox = recoveryConnect(home);
             JarProcess app = new JarProcess(project, home)) {
            app.production().property("photobridge.recoveryconnect.base-url", sandbox.baseUrl())
                    .property("photobridge.inspektlabs.enabled", "false")
                    .property("photobridge.pave.enabled", "false");
            app.start().awaitReady(Duration.ofSeconds(60));
            Path orderDir = Files.createDirectories(app.inbox().resolve(String.valueOf(ORDER)));
            Map<String, Long> complete = new HashMap<>();
            Map<String, Long> stored = new HashMap<>();
            long start = System.nanoTime();
            long intervalNanos = 1_000_000_000L / perSecond;
            int next = 0;
            while (stored.size() < count) {
                long now = System.nanoTime();
                while (next < count && now - start >= next * intervalNanos) {
                    Path file = files.get(next++);
                    if (inPlace) {
                        Files.copy(file, orderDir.resolve(file.getFileName()));
                    } else {
                        Fixtures.deliver(file, orderDir);
                    }
                    complete.put(file.getFileName().toString(), System.nanoTime());
                    now = System.nanoTime();
                }
                for (StoredPhoto p : sandbox.photos(ORDER)) {
                    String name = p.imageName().substring(p.imageName().lastIndexOf(" - ") + 3);
                    stored.putIfAbsent(name, now);
                }
                check(app.isAlive(), "PhotoBridge died; see " + app.log());
                check(now - start < TimeUnit.MINUTES.toNanos(10), "latency run did not finish: " + stored.size() + "/" + count);
                Thread.sleep(5);
            }
            check(sandbox.createdPhotos() == count, "sandbox holds " + sandbox.createdPhotos() + " photos, expected " + count);
            double[] latencies = new double[count];
            int i = 0;
            for (Map.Entry<String, Long> e : complete.entrySet()) {
                latencies[i++] = (stored.get(e.getKey()) - e.getValue()) / 1e9;
            }
            log("latency (%s): p50 %.2f s, p99 %.2f s", inPlace ? "in place" : "renamed", percentile(latencies, 50), percentile(latencies, 99));
            return latencies;
        } finally {
            clean(home);
        }
    }

    // ---------------------------------------------------------------- memory

    /** With -Xmx128m: a 100 MB video through Inspektlabs multipart, 99 x 10 MB photos through RecoveryConnect, and small-file controls. */
    String memory() throws Exception {
        useLauncher();
        StringBuilder out = new StringBuilder("| workload (-Xmx128m) | completed | OutOfMemoryError | heap used, peak | live heap after GC, peak | RSS, peak |\n"
                + "|---|---|---|---|---|---|\n");
        out.append(photosUnderSmallHeap(100_000, 99));
        out.append(photosUnderSmallHeap(10_000_000, 99));
        out.append(videoUnderSmallHeap(2_000_000));
        out.append(videoUnderSmallHeap(100_000_000));
        return out + "\nThe unpacked distribution run by bin/photobridge (its JVM settings, SerialGC) with -Xmx128m and -Xlog:gc added in JAVA_OPTS. Heap figures from the GC log: the largest heap before a "
                + "collection and the largest live heap after one; RSS is the process's VmHWM. Videos go through Inspektlabs "
                + "multipart (file mode) until the damage report is stored; photos through RecoveryConnect (damage analysis off).\n";
    }

    private String photosUnderSmallHeap(long size, int count) throws Exception {
        byte[] photo = Fixtures.photo(fixtures, size);
        Path batch = work.resolve("batch");
        clean(batch);
        Fixtures.copies(photo, batch.resolve(String.valueOf(ORDER)), "mem", count);
        Run run = photoBridgeRun(batch, count, Map.of(), smallHeap());
        clean(batch);
        String row = memoryRow(count + " x " + human(photo.length) + " photos -> RecoveryConnect", count + "/" + count, run);
        clean(run.home());
        return row;
    }

    private String videoUnderSmallHeap(long size) throws Exception {
        Path home = work.resolve("run-" + (++runs));
        clean(home);
        String token = "bench-api-token";
        try (RecoveryConnectSandbox sandbox = recoveryConnect(home);
             InspektlabsSandbox inspektlabs = new InspektlabsSandbox(InspektlabsSandbox.Settings.defaults()
                     .withDataDir(home.resolve("inspektlabs")).withCallbackDelay(Duration.ofMillis(200)));
             JarProcess app = launched(new JarProcess(project, home))) {
            inspektlabs.start();
            app.production().property("photobridge.recoveryconnect.base-url", sandbox.baseUrl())
                    .property("photobridge.inspektlabs.base-url", inspektlabs.baseUrl())
                    .property("photobridge.inspektlabs.quiet-period-ms", "1000")
                    .property("photobridge.pave.enabled", "false")
                    .property("photobridge.api.token", token);
            smallHeap().forEach(app::jvm);
            app.start().awaitReady(Duration.ofSeconds(60));
            Path video = Fixtures.video(home.resolve("staging/walkaround.mp4"), size);
            Fixtures.deliver(video, app.inbox().resolve(String.valueOf(ORDER)));
            HttpClient http = HttpClient.newHttpClient();
            HttpRequest records = HttpRequest.newBuilder(URI.create(app.httpBase() + "/api/orders/" + ORDER + "/records"))
                    .header("Authorization", "Bearer " + token).build();
            await(() -> {
                try {
                    String body = http.send(records, HttpResponse.BodyHandlers.ofString()).body();
                    return body.matches("(?s).*\"damageReports\"\\s*:\\s*\\[\\s*\\{.*");
                } catch (IOException | InterruptedException e) {
                    return false;
                }
            }, Duration.ofMinutes(10), app, "the damage report of the video");
            Run run = new Run(0, app.peakRssBytes(), app.log(), home, 0);
            app.stop();
            return memoryRow("1 video of " + human(size) + " -> Inspektlabs multipart", "report stored", run);
        } finally {
            clean(home);
        }
    }

    private List<String> smallHeap() {
        return List.of("-Xmx128m", "-Xlog:gc:file={home}/gc.log");
    }

    private String memoryRow(String workload, String completed, Run run) throws IOException {
        String log = Files.readString(run.log());
        Path gcLog = run.home().resolve("gc.log");
        long peakUsed = 0;
        long peakLive = 0;
        for (String line : Files.readAllLines(gcLog)) {
            if (line.contains("Pause")) {
                Matcher m = GC_PAUSE.matcher(line);
                if (m.find()) {
                    peakUsed = Math.max(peakUsed, Long.parseLong(m.group(1)));
                    peakLive = Math.max(peakLive, Long.parseLong(m.group(2)));
                }
            }
        }
        return String.format(Locale.ROOT, "| %s | %s | %s | %d MB | %d MB | %d MB |%n", workload, completed,
                log.contains("OutOfMemoryError") ? "yes" : "no", peakUsed, peakLive, run.peakRss() / 1_000_000);
    }

    // ---------------------------------------------------------------- backlog

    /**
     * 100 files vs 10,000 files of 100 KB dumped at once (one rename), through the distribution's launcher (its JVM settings):
     * files/s of each (median of 3 rounds for the small one) and the peak RSS of each run.
     */
    String backlog() throws Exception {
        useLauncher();
        byte[] photo = Fixtures.photo(fixtures, 100_000);
        int big = count(10_000);
        double[] small = new double[3];
        long smallPeak = 0;
        for (int round = 0; round < 3; round++) {
            Run run = backlogRun(photo, 100);
            small[round] = run.seconds();
            smallPeak = Math.max(smallPeak, run.peakRss());
        }
        Run large = backlogRun(photo, big);
        double smallRate = 100 / median(small);
        double largeRate = big / large.seconds();
        return String.format(Locale.ROOT, "| files dumped at once | files/s | peak RSS |%n|---|---|---|%n"
                        + "| 100 (median of 3: %.1f, %.1f, %.1f) | %.1f | %d MB |%n| %d | %.1f | %d MB |%n%n"
                        + "Ratio %,d-file rate / 100-file rate: **%.2f**. %s photos, the unpacked distribution run by bin/photobridge "
                        + "(its JVM settings) with default settings (max-in-flight 32, 4 parallel uploads), damage analysis and PAVE "
                        + "off; timed from the one rename that drops the folder into the inbox to the last photo stored by the "
                        + "sandbox. Peak RSS: the JVM's VmHWM at the end of the run.%n",
                100 / small[0], 100 / small[1], 100 / small[2], smallRate, smallPeak / 1_000_000, big, largeRate,
                large.peakRss() / 1_000_000, big, largeRate / smallRate, human(photo.length));
    }

    private Run backlogRun(byte[] photo, int count) throws Exception {
        Path batch = work.resolve("batch");
        clean(batch);
        Fixtures.copies(photo, batch.resolve(String.valueOf(ORDER)), "bl", count);
        Run run = photoBridgeRun(batch, count, Map.of(), null);
        clean(batch);
        clean(run.home());
        log("backlog %d files: %.2f s (%.1f files/s), peak RSS %d MB", count, run.seconds(), count / run.seconds(),
                run.peakRss() / 1_000_000);
        return run;
    }

    // ---------------------------------------------------------------- startup

    /**
     * The unpacked distribution run by its launcher (its JVM settings, its class-data archive), in demo mode (in-process
     * sandboxes) and in production mode against sandboxes hosted here: a first start (it writes the archive when stopped), then
     * 5 restarts on the same data folder; time to the first 200 of /observe/health, its phases from the log, idle RSS after 30 s.
     */
    String startup() throws Exception {
        Path dist = JarProcess.unpackDistribution(project, work.resolve("dist"));
        StringBuilder out = new StringBuilder("| mode | first start (writes the archive) | start-up to healthy, median of 5 | all 5 | "
                + "CPU used to healthy, median of 5 | idle RSS after 30 s (starts 1 and 5) |\n|---|---|---|---|---|---|\n");
        StringBuilder phases = new StringBuilder("| mode | JVM to Camel Main | Camel Main to context starting (beans, ledger, "
                + "routes loaded) | routes started | routes started to health 200 |\n|---|---|---|---|---|\n");
        for (boolean demo : new boolean[] {true, false}) {
            clean(dist.resolve("data"));
            Path home = work.resolve("run-" + (++runs));
            clean(home);
            try (RecoveryConnectSandbox rc = demo ? null : recoveryConnect(home);
                 InspektlabsSandbox inspektlabs = demo ? null : new InspektlabsSandbox(InspektlabsSandbox.Settings.defaults()
                         .withDataDir(home.resolve("inspektlabs")));
                 PaveSandbox pave = demo ? null : new PaveSandbox(PaveSandbox.Settings.defaults().withDataDir(home.resolve("pave")))) {
                if (!demo) {
                    inspektlabs.start();
                    pave.start();
                }
                String mode = demo ? "demo" : "production, vendors at stub URLs";
                double first = 0;
                double[] ready = new double[5];
                double[] cpu = new double[5];
                long[] idleRss = new long[2];
                double[][] phase = new double[4][5];
                for (int i = -1; i < 5; i++) {
                    JarProcess app = new JarProcess(project, home).launcher(dist);
                    if (!demo) {
                        app.production().property("photobridge.recoveryconnect.base-url", rc.baseUrl())
                                .property("photobridge.inspektlabs.base-url", inspektlabs.baseUrl())
                                .property("photobridge.pave.base-url", pave.baseUrl() + "/v1")
                                .property("photobridge.pave.username", "sandbox@example.com")
                                .property("photobridge.pave.api-key", "sandbox-pave-key")
                                .property("photobridge.pave.api.secret", "sandbox-pave-secret");
                    }
                    long logStart = Files.exists(app.log()) ? Files.size(app.log()) : 0;
                    try (app) {
                        double seconds = app.start().awaitReady(Duration.ofSeconds(120)).toMillis() / 1000.0;
                        if (i < 0) {
                            first = seconds;
                        } else {
                            ready[i] = seconds;
                            cpu[i] = app.cpuSeconds();
                            double[] p = phases(app, logStart, seconds);
                            for (int k = 0; k < 4; k++) {
                                phase[k][i] = p[k];
                            }
                            if (i == 0 || i == 4) {
                                Thread.sleep(30_000);
                                idleRss[i == 0 ? 0 : 1] = app.rssBytes();
                            }
                        }
                        check(app.stop() != 1, "PhotoBridge did not stop cleanly; see " + app.log());
                    }
                    log("startup %s %s: ready in %.2f s", mode, i < 0 ? "first start" : "start " + (i + 1), i < 0 ? first : ready[i]);
                }
                log("class-data archives in %s: %d", dist.resolve("data/cds"), countFiles(dist.resolve("data/cds")));
                out.append(String.format(Locale.ROOT, "| %s | %.2f s | %.2f s | %s | %.2f s | %d MB, %d MB |%n", mode, first,
                        median(ready), Arrays.toString(ready), median(cpu), idleRss[0] / 1_000_000, idleRss[1] / 1_000_000));
                phases.append(String.format(Locale.ROOT, "| %s | %.2f s | %.2f s | %.2f s | %.2f s |%n", mode, median(phase[0]),
                        median(phase[1]), median(phase[2]), median(phase[3])));
            } finally {
                clean(home);
            }
        }
        return out + "\n" + phases + "\nThe unpacked distribution started by bin/photobridge (its JVM settings; its class-data archive, "
                + "written by the first start when it stops and used by the 5 restarts), H2, the same data folder for all 6 starts: "
                + "from process start to the first 200 of /observe/health; CPU: all the JVM's threads, read at that moment. Phases: medians of the 5 restarts, from the log's "
                + "timestamps (\"Apache Camel (Main) ... is starting\", \"Apache Camel ... (photobridge) is starting\", \"... started "
                + "in\"). Production: RecoveryConnect, Inspektlabs and PAVE sandboxes hosted by the bench JVM, their URLs given as "
                + "settings.\n";
    }

    private static final Pattern LOG_TIME = Pattern.compile("^(\\d{4}-\\d{2}-\\d{2}T\\d{2}:\\d{2}:\\d{2}\\.\\d{3}(?:Z|[+-]\\d{2}:\\d{2})) ");

    /** Seconds from process start to Camel Main, to the context starting, to the routes started, to health 200 (the total). */
    private static double[] phases(JarProcess app, long logStart, double total) throws IOException {
        String log;
        try (java.io.InputStream in = Files.newInputStream(app.log())) {
            in.skipNBytes(logStart);
            log = new String(in.readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
        }
        Instant processStart = ProcessHandle.of(app.pid()).flatMap(h -> h.info().startInstant()).orElseThrow();
        double[] at = new double[3];
        String[] marks = {"Apache Camel (Main) ", " (photobridge) is starting", " (photobridge) started in"};
        for (int k = 0; k < 3; k++) {
            String mark = marks[k];
            String line = log.lines().filter(l -> l.contains(mark)).findFirst()
                    .orElseThrow(() -> new IllegalStateException("no '" + mark + "' line in " + app.log()));
            Matcher m = LOG_TIME.matcher(line);
            check(m.find(), "no time stamp in " + line);
            at[k] = Duration.between(processStart, java.time.OffsetDateTime.parse(m.group(1)).toInstant()).toMillis() / 1000.0;
        }
        return new double[] {at[0], at[1] - at[0], at[2] - at[1], total - at[2]};
    }

    // ---------------------------------------------------------------- support

    /** Runs through the unpacked distribution's launcher ({@code bin/photobridge}, its JVM settings) from now on. */
    private void useLauncher() throws IOException, InterruptedException {
        if (launcherRoot == null) {
            launcherRoot = JarProcess.unpackDistribution(project, work.resolve("dist"));
        }
    }

    private JarProcess launched(JarProcess app) {
        return launcherRoot == null ? app : app.launcher(launcherRoot);
    }

    private RecoveryConnectSandbox recoveryConnect(Path home) {
        RecoveryConnectSandbox sandbox = new RecoveryConnectSandbox(RecoveryConnectSandbox.Settings.defaults()
                .withDataDir(home.resolve("sandbox")));
        sandbox.start();
        return sandbox;
    }

    private int count(int full) {
        return Math.max(10, (int) Math.round(full * scale));
    }

    private static void await(BooleanSupplier done, Duration atMost, JarProcess app, String what) throws InterruptedException {
        long deadline = System.nanoTime() + atMost.toNanos();
        while (!done.getAsBoolean()) {
            check(app.isAlive(), "PhotoBridge died while waiting for " + what + "; see " + app.log());
            check(System.nanoTime() < deadline, "gave up waiting for " + what + " after " + atMost + "; see " + app.log());
            Thread.sleep(10);
        }
    }

    private static long countFiles(Path dir) {
        if (!Files.isDirectory(dir)) {
            return 0;
        }
        try (Stream<Path> files = Files.walk(dir)) {
            return files.filter(Files::isRegularFile).count();
        } catch (IOException e) {
            return 0;
        }
    }

    private static void check(boolean condition, String message) {
        if (!condition) {
            throw new IllegalStateException(message);
        }
    }

    private static double median(double[] values) {
        return percentile(values, 50);
    }

    private static double percentile(double[] values, double p) {
        double[] sorted = values.clone();
        Arrays.sort(sorted);
        int index = (int) Math.ceil(p / 100.0 * sorted.length) - 1;
        return sorted[Math.max(0, Math.min(sorted.length - 1, index))];
    }

    private static String human(long bytes) {
        return bytes >= 1_000_000 ? Math.round(bytes / 1e6) + " MB" : Math.round(bytes / 1e3) + " KB";
    }

    private static String javaBin() {
        return Path.of(System.getProperty("java.home"), "bin", "java").toString();
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

    private static void log(String format, Object... args) {
        System.err.println("[bench] " + String.format(Locale.ROOT, format, args));
    }

    private record Run(double seconds, long peakRss, Path log, Path home, double cpuSeconds) {
    }
}
