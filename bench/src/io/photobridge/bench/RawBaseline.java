package io.photobridge.bench;

import java.lang.management.ManagementFactory;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.Stream;

/**
 * The raw baseline: a plain JDK HttpClient program that uploads every file of a folder to RecoveryConnect as the same Base64 JSON
 * PhotoBridge sends, with a fixed number of parallel uploads, and nothing else (no ledger, no checks, no retries).
 * Usage: {@code RawBaseline <base-url> <username> <password> <order-id> <parallel> <folder> [<warm-up folder> <warm-up order-id>]};
 * the warm-up folder's files are sent first, untimed; prints {@code files bytes millis cpu-millis} of the timed folder.
 */
public final class RawBaseline {

    private RawBaseline() {
    }

    public static void main(String[] args) throws Exception {
        String baseUrl = args[0];
        long order = Long.parseLong(args[3]);
        int parallel = Integer.parseInt(args[4]);
        List<Path> files = files(Path.of(args[5]));
        HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
        HttpResponse<String> auth = http.send(HttpRequest.newBuilder(URI.create(baseUrl + "/api/v140/auth"))
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString("{\"username\":\"" + args[1] + "\",\"password\":\"" + args[2] + "\"}"))
                .build(), HttpResponse.BodyHandlers.ofString());
        String token = auth.body().replaceAll("(?s).*\"access_token\"\\s*:\\s*\"([^\"]+)\".*", "$1");
        ExecutorService pool = Executors.newFixedThreadPool(parallel);
        if (args.length > 7 && !args[6].isEmpty()) {
            upload(http, pool, token, URI.create(baseUrl + "/api/v140/orders/" + args[7] + "/photos"), files(Path.of(args[6])));
        }
        long started = System.nanoTime();
        long cpuStarted = cpuNanos();
        long bytes = upload(http, pool, token, URI.create(baseUrl + "/api/v140/orders/" + order + "/photos"), files);
        long millis = (System.nanoTime() - started) / 1_000_000;
        long cpuMillis = (cpuNanos() - cpuStarted) / 1_000_000;
        pool.shutdown();
        System.out.println(files.size() + " " + bytes + " " + millis + " " + cpuMillis);
    }

    private static List<Path> files(Path folder) throws Exception {
        try (Stream<Path> listing = Files.list(folder)) {
            return listing.filter(Files::isRegularFile).sorted().toList();
        }
    }

    /** Uploads the files, {@code pool}'s size at a time; the bytes sent. */
    private static long upload(HttpClient http, ExecutorService pool, String token, URI photos, List<Path> files) throws Exception {
        List<Future<Long>> uploads = new ArrayList<>();
        for (Path file : files) {
            uploads.add(pool.submit(() -> {
                byte[] bytes = Files.readAllBytes(file);
                String name = file.getFileName().toString();
                String json = "{\"file_name\":\"" + name + "\",\"image_name\":\"AR General Photo - " + name
                        + "\",\"picture_time\":\"2025-06-14 09:31:07\",\"type\":2,\"data\":\""
                        + Base64.getEncoder().encodeToString(bytes) + "\"}";
                HttpResponse<String> answer = http.send(HttpRequest.newBuilder(photos).timeout(Duration.ofMinutes(5))
                        .header("Authorization", "Bearer " + token).header("Content-Type", "application/json")
                        .header("Accept", "application/json")
                        .POST(HttpRequest.BodyPublishers.ofString(json)).build(), HttpResponse.BodyHandlers.ofString());
                if (answer.statusCode() / 100 != 2) {
                    throw new IllegalStateException(name + ": HTTP " + answer.statusCode() + " " + answer.body());
                }
                return (long) bytes.length;
            }));
        }
        long bytes = 0;
        for (Future<Long> upload : uploads) {
            bytes += upload.get();
        }
        return bytes;
    }

    /** This process's CPU time. */
    private static long cpuNanos() {
        return ((com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean()).getProcessCpuTime();
    }
}
