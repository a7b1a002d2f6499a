package io.photobridge.reliability;

import java.net.ConnectException;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.NetworkInterface;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Collections;
import java.util.Optional;

import io.photobridge.bench.JarProcess;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

/**
 * The shipped jar configured through environment variables only, one of each kind: Camel's own ports (CAMEL_SERVER_PORT,
 * CAMEL_MANAGEMENT_PORT), a PhotoBridge setting (PHOTOBRIDGE_PAVE_WEBHOOK_HEADER) and a dedicated secret variable
 * (PHOTOBRIDGE_API_TOKEN); both servers on loopback only; refusals logged with the caller's address; and a production start
 * without a vendor URL stopped at once with the setting and its variable named.
 */
class EnvironmentIT {

    private static final Path PROJECT = Path.of("").toAbsolutePath();
    private static final String TOKEN = "env-api-token-6Yp2";

    @TempDir
    Path home;

    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    @Test
    void eachKindOfEnvironmentVariableTakesEffectAndBothServersListenOnLoopbackOnly() throws Exception {
        int serverPort = JarProcess.freePort();
        JarProcess app = new JarProcess(PROJECT, home.resolve("app"))
                .withoutProperty("camel.server.port").withoutProperty("camel.management.port");
        int managementPort = URI.create(app.httpBase()).getPort();
        app.env("CAMEL_SERVER_PORT", String.valueOf(serverPort))
                .env("CAMEL_MANAGEMENT_PORT", String.valueOf(managementPort))
                .env("PHOTOBRIDGE_PAVE_WEBHOOK_HEADER", "X-Example-Hook")
                .env("PHOTOBRIDGE_API_TOKEN", TOKEN);
        try {
            // health answers on CAMEL_MANAGEMENT_PORT
            app.start().awaitReady(Duration.ofSeconds(90));
            String server = "http://127.0.0.1:" + serverPort;

            // the API answers on CAMEL_SERVER_PORT, with the token of PHOTOBRIDGE_API_TOKEN
            assertThat(send(HttpRequest.newBuilder(URI.create(server + "/api/orders/57076502/records"))
                    .header("Authorization", "Bearer " + TOKEN).GET()).statusCode()).isEqualTo(200);
            assertThat(send(HttpRequest.newBuilder(URI.create(server + "/api/orders/57076502/records"))
                    .header("Authorization", "Bearer wrong").GET()).statusCode()).isEqualTo(401);

            // the PAVE webhook checks the header PHOTOBRIDGE_PAVE_WEBHOOK_HEADER names, not the default one
            String event = "{\"event\":\"SESSION:COMPLETE\",\"session_key\":\"UNLINKED-1\"}";
            assertThat(send(webhook(server, "X-Example-Hook", event)).statusCode()).isEqualTo(200);
            assertThat(send(webhook(server, "X-PhotoBridge-Webhook-Secret", event)).statusCode()).isEqualTo(401);

            assertThat(send(HttpRequest.newBuilder(URI.create(server + "/webhooks/inspektlabs/wrong-secret"))
                    .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString("{}"))).statusCode())
                    .isEqualTo(401);

            // each refusal names the caller's address; the demo announced itself
            await().atMost(Duration.ofSeconds(10)).until(() -> Files.readString(app.log())
                    .contains("PAVE webhook refused: missing or wrong X-Example-Hook (from 127.0.0.1:"));
            assertThat(Files.readString(app.log()))
                    .contains("API request refused: wrong bearer token for GET /api/orders/57076502/records (from 127.0.0.1:")
                    .contains("Inspektlabs webhook refused: missing or wrong secret (from 127.0.0.1:")
                    .containsPattern("WARN .*\\*\\*\\* DEMO MODE: RecoveryConnect, Inspektlabs and PAVE are simulated in-process");

            Optional<InetAddress> outside = nonLoopbackAddress();
            if (outside.isPresent()) {
                for (int port : new int[] {serverPort, managementPort}) {
                    assertThatThrownBy(() -> {
                        try (Socket socket = new Socket()) {
                            socket.connect(new InetSocketAddress(outside.get(), port), 2000);
                        }
                    }).as("port %d on %s", port, outside.get()).isInstanceOf(ConnectException.class);
                }
            }
        } finally {
            app.stop();
        }
    }

    @Test
    void aProductionStartWithoutAVendorUrlStopsAtOnceNamingTheSettingAndItsVariable() throws Exception {
        JarProcess app = new JarProcess(PROJECT, home.resolve("prod")).production()
                .property("photobridge.inspektlabs.enabled", "false").property("photobridge.pave.enabled", "false");
        try {
            app.start();
            await().atMost(Duration.ofSeconds(60)).until(() -> !app.isAlive());
            assertThat(app.stop()).isEqualTo(1);
            assertThat(Files.readString(app.log()))
                    .contains("photobridge.recoveryconnect.base-url is empty (env PHOTOBRIDGE_RECOVERYCONNECT_BASE_URL)")
                    .doesNotContain("sandbox listening");
        } finally {
            app.stop();
        }
    }

    private static HttpRequest.Builder webhook(String server, String header, String body) {
        return HttpRequest.newBuilder(URI.create(server + "/webhooks/pave")).header("Content-Type", "application/json")
                .header(header, "sandbox-pave-webhook-secret").POST(HttpRequest.BodyPublishers.ofString(body));
    }

    private HttpResponse<String> send(HttpRequest.Builder request) throws Exception {
        return http.send(request.timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString());
    }

    /** An IPv4 address of this machine that is not loopback, if it has one. */
    private static Optional<InetAddress> nonLoopbackAddress() throws Exception {
        for (NetworkInterface nic : Collections.list(NetworkInterface.getNetworkInterfaces())) {
            if (nic.isUp() && !nic.isLoopback()) {
                for (InetAddress address : Collections.list(nic.getInetAddresses())) {
                    if (address instanceof Inet4Address) {
                        return Optional.of(address);
                    }
                }
            }
        }
        return Optional.empty();
    }
}
