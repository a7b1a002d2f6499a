package io.photobridge.bench;

import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/** The shipped jar ({@code target/photobridge.jar}) run as its own process, the way the README runs it, on a home folder of its own. */
public final class JarProcess implements AutoCloseable {

    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

    private final Path projectDir;
    private final Path home;
    private final List<String> jvmOptions = new ArrayList<>();
    private final Map<String, String> properties = new LinkedHashMap<>();
    private final Map<String, String> environment = new LinkedHashMap<>();
    private final List<String> arguments = new ArrayList<>(List.of("demo"));
    private final int httpPort;
    private Path launcherRoot;
    private Process process;

    /**
     * A jar run from {@code projectDir} (routes/ and config/ as shipped) whose inbox, ledger and sandbox data live under
     * {@code home}; in demo mode ({@code java -jar photobridge.jar demo}) unless {@link #production()} is called.
     */
    public JarProcess(Path projectDir, Path home) {
        this.projectDir = projectDir.toAbsolutePath();
        this.home = home.toAbsolutePath();
        this.httpPort = freePort();
        property("photobridge.inbox.dir", this.home.resolve("inbox").toString());
        // -Dbench.records-url=jdbc:h2:mem:bench measures the pipeline without the ledger's file (an experiment, not a mode)
        property("photobridge.records.url", System.getProperty("bench.records-url",
                "jdbc:h2:file:" + this.home.resolve("records/photobridge")));
        property("photobridge.sandbox.data-dir", this.home.resolve("sandbox").toString());
        property("photobridge.inspektlabs.media-dir", this.home.resolve("media").toString());
        property("photobridge.pave.link-dir", this.home.resolve("pave-links").toString());
        property("photobridge.pave.staging-dir", this.home.resolve("pave-staging").toString());
        property("camel.management.port", String.valueOf(httpPort));
        property("camel.server.port", String.valueOf(httpPort));
        property("photobridge.inspektlabs.public-base-url", httpBase());
        property("photobridge.sandbox.recoveryconnect.port", "0");
        property("photobridge.sandbox.inspektlabs.port", "0");
        property("photobridge.sandbox.pave.port", "0");
        property("photobridge.routes.reload-enabled", "false");
    }

    /**
     * Production mode (no {@code demo} argument), for vendors the caller hosts and points the jar at: their sandboxes' default
     * credentials, and test secrets of its own for the webhooks and the API (the shipped demo ones are refused). Later
     * {@link #property} calls win.
     */
    public JarProcess production() {
        arguments.remove("demo");
        property("photobridge.recoveryconnect.username", "sandbox@example.com");
        property("photobridge.recoveryconnect.password", "sandbox");
        property("photobridge.inspektlabs.api-key", "sandbox-inspektlabs-key");
        property("photobridge.inspektlabs.webhook.secret", "jar-test-webhook-secret-5d1e");
        property("photobridge.pave.webhook.secret", "jar-test-pave-webhook-secret-8a2c");
        property("photobridge.api.token", "jar-test-api-token-3f9b");
        return this;
    }

    /**
     * Runs the unpacked distribution's launcher ({@code <root>/bin/photobridge}, see {@link #unpackDistribution}) instead of
     * {@code java -jar}: the JVM settings it ships with and its class-data archive (in {@code <root>/data/cds}, made by the
     * first run that stops cleanly). The settings and JVM options of this launcher go in through JAVA_OPTS.
     */
    public JarProcess launcher(Path root) {
        this.launcherRoot = root.toAbsolutePath();
        return this;
    }

    /** {@code target/photobridge-<version>.tar.gz} unpacked into {@code into}, unless already there; the archive's root folder. */
    public static Path unpackDistribution(Path projectDir, Path into) throws IOException, InterruptedException {
        Path archive;
        try (java.util.stream.Stream<Path> files = Files.list(projectDir.resolve("target"))) {
            archive = files.filter(f -> f.getFileName().toString().matches("photobridge-.+\\.tar\\.gz")).findFirst()
                    .orElseThrow(() -> new IllegalStateException("target/photobridge-<version>.tar.gz is missing: run mvn package"));
        }
        Path root = into.resolve(archive.getFileName().toString().replaceFirst("\\.tar\\.gz$", ""));
        Path jar = root.resolve("lib/photobridge.jar");
        Path marker = into.resolve(".unpacked");
        String unpacked = archive + " " + Files.getLastModifiedTime(archive).toMillis();
        if (Files.isRegularFile(jar) && Files.exists(marker) && Files.readString(marker).equals(unpacked)) {
            return root;
        }
        Files.createDirectories(into);
        Process tar = new ProcessBuilder("tar", "-xzf", archive.toString(), "-C", into.toString()).inheritIO().start();
        if (tar.waitFor() != 0 || !Files.isRegularFile(jar)) {
            throw new IllegalStateException("could not unpack " + archive + " into " + into);
        }
        Files.writeString(marker, unpacked);
        return root;
    }

    /** Sets a PhotoBridge or Camel setting ({@code -Dkey=value}); later calls win. */
    public JarProcess property(String key, String value) {
        properties.put(key, value);
        return this;
    }

    /** Drops a setting this launcher passes by default, e.g. to set it through the environment instead. */
    public JarProcess withoutProperty(String key) {
        properties.remove(key);
        return this;
    }

    /** Adds a JVM option such as {@code -Xmx128m}; {@code {home}} in it stands for the home folder. */
    public JarProcess jvm(String option) {
        jvmOptions.add(option);
        return this;
    }

    /** Sets an environment variable of the process (secrets are passed this way, as the README says). */
    public JarProcess env(String name, String value) {
        environment.put(name, value);
        return this;
    }

    /** Starts the jar; stdout and stderr are appended to {@code home/photobridge.log} (across restarts). */
    public JarProcess start() throws IOException {
        if (process != null && process.isAlive()) {
            throw new IllegalStateException("already running");
        }
        Path jar = projectDir.resolve("target/photobridge.jar");
        if (!Files.isRegularFile(jar)) {
            throw new IllegalStateException(jar + " is missing: build it first with mvn -B package -DskipTests");
        }
        Files.createDirectories(home);
        List<String> options = new ArrayList<>();
        jvmOptions.forEach(option -> options.add(option.replace("{home}", home.toString())));
        properties.forEach((k, v) -> options.add("-D" + k + "=" + v));
        List<String> command = new ArrayList<>();
        if (launcherRoot == null) {
            command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
            command.addAll(options);
            command.add("-jar");
            command.add(jar.toString());
        } else {
            options.stream().filter(o -> o.matches(".*\\s.*")).findFirst().ifPresent(o -> {
                throw new IllegalStateException("JAVA_OPTS cannot carry an option with a space: " + o);
            });
            command.add(launcherRoot.resolve("bin/photobridge").toString());
        }
        command.addAll(arguments);
        ProcessBuilder builder = new ProcessBuilder(command).directory(projectDir.toFile()).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(log().toFile()));
        if (launcherRoot != null) {
            builder.environment().put("JAVA_HOME", System.getProperty("java.home"));
            builder.environment().put("JAVA_OPTS", String.join(" ", options));
        }
        builder.environment().putAll(environment);
        process = builder.start();
        return this;
    }

    /** Waits until {@code /observe/health} answers 200 (all routes started); the time it took from start(). */
    public Duration awaitReady(Duration atMost) throws InterruptedException {
        long started = process.info().startInstant().map(i -> i.toEpochMilli()).orElse(System.currentTimeMillis());
        long deadline = System.nanoTime() + atMost.toNanos();
        HttpRequest health = HttpRequest.newBuilder(URI.create(httpBase() + "/observe/health")).timeout(Duration.ofSeconds(2)).build();
        while (System.nanoTime() < deadline) {
            if (!process.isAlive()) {
                throw new IllegalStateException("PhotoBridge exited with " + process.exitValue() + " before it was ready; see " + log());
            }
            try {
                if (HTTP.send(health, HttpResponse.BodyHandlers.discarding()).statusCode() == 200) {
                    return Duration.ofMillis(System.currentTimeMillis() - started);
                }
            } catch (IOException notYet) {
                // not listening yet
            }
            Thread.sleep(20);
        }
        throw new IllegalStateException("PhotoBridge was not ready within " + atMost + "; see " + log());
    }

    /** kill -9: the process gets no chance to finish anything. */
    public void kill() throws InterruptedException {
        if (process != null) {
            process.destroyForcibly();
            process.waitFor(30, TimeUnit.SECONDS);
        }
    }

    /** A normal stop (SIGTERM, Camel's graceful shutdown); the exit code. */
    public int stop() throws InterruptedException {
        if (process == null || !process.isAlive()) {
            return process == null ? 0 : process.exitValue();
        }
        process.destroy();
        if (!process.waitFor(60, TimeUnit.SECONDS)) {
            process.destroyForcibly();
            process.waitFor(30, TimeUnit.SECONDS);
        }
        return process.exitValue();
    }

    public boolean isAlive() {
        return process != null && process.isAlive();
    }

    public long pid() {
        return process.pid();
    }

    /** The JVM's process: the launcher's first run waits for its JVM (to keep the class-data archive it writes) instead of exec. */
    private long jvmPid() {
        return process.descendants().filter(p -> p.info().command().map(c -> c.endsWith("/java")).orElse(false))
                .mapToLong(ProcessHandle::pid).findFirst().orElse(process.pid());
    }

    /** CPU time the JVM has used so far, all its threads (Linux /proc: utime + stime), in seconds; a figure load barely moves. */
    public double cpuSeconds() {
        try {
            String stat = Files.readString(Path.of("/proc", String.valueOf(jvmPid()), "stat"));
            String[] fields = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
            return (Long.parseLong(fields[11]) + Long.parseLong(fields[12])) / 100.0;
        } catch (IOException | RuntimeException gone) {
            return -1;
        }
    }

    /** Current resident set size in bytes (Linux /proc), or -1. */
    public long rssBytes() {
        return procStatus("VmRSS:");
    }

    /** Peak resident set size in bytes since start (Linux /proc), or -1. */
    public long peakRssBytes() {
        return procStatus("VmHWM:");
    }

    private long procStatus(String field) {
        try {
            for (String line : Files.readAllLines(Path.of("/proc", String.valueOf(jvmPid()), "status"))) {
                if (line.startsWith(field)) {
                    return Long.parseLong(line.substring(field.length()).trim().split("\\s+")[0]) * 1024;
                }
            }
        } catch (IOException | RuntimeException gone) {
            return -1;
        }
        return -1;
    }

    public String httpBase() {
        return "http://127.0.0.1:" + httpPort;
    }

    public Path home() {
        return home;
    }

    public Path inbox() {
        return home.resolve("inbox");
    }

    public Path log() {
        return home.resolve("photobridge.log");
    }

    @Override
    public void close() throws InterruptedException {
        stop();
    }

    /**
     * A free port below the kernel's ephemeral range (32768 and up): a port taken from that range and released could be
     * handed to a sandbox that binds port 0 before PhotoBridge binds it, and requests then reach the sandbox.
     */
    public static int freePort() {
        java.util.concurrent.ThreadLocalRandom random = java.util.concurrent.ThreadLocalRandom.current();
        for (int attempt = 0; attempt < 200; attempt++) {
            int port = random.nextInt(20000, 32000);
            try (ServerSocket socket = new ServerSocket(port, 1, java.net.InetAddress.getLoopbackAddress())) {
                return socket.getLocalPort();
            } catch (IOException taken) {
                // in use: try another
            }
        }
        throw new IllegalStateException("no free port between 20000 and 32000");
    }
}
