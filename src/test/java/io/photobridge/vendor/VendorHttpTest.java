package io.photobridge.vendor;

import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.time.Duration;

import com.sun.net.httpserver.HttpServer;
import io.micrometer.core.instrument.Metrics;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class VendorHttpTest {

    private final SimpleMeterRegistry registry = new SimpleMeterRegistry();

    @AfterEach
    void leaveTheGlobalRegistry() {
        Metrics.removeRegistry(registry);
    }

    @Test
    void theOperationTagKeepsTheKindOfCallWithoutIds() {
        assertThat(VendorHttp.operationTag("create photo (order 57076501, a.jpg)")).isEqualTo("create photo");
        assertThat(VendorHttp.operationTag("get session photos SBX-ABCDEFGHIJ")).isEqualTo("get session photos");
        assertThat(VendorHttp.operationTag("upload 3 files (case 57076501, session x)")).isEqualTo("upload");
        assertThat(VendorHttp.operationTag("download photo https://cdn.example.com/p/1.jpg")).isEqualTo("download photo");
        assertThat(VendorHttp.operationTag("authenticate")).isEqualTo("authenticate");
        assertThat(VendorHttp.operationTag("42")).isEqualTo("other");
    }

    @Test
    void eachCallIsTimedByVendorOperationAndStatusAndACallWithoutAnswerToo() throws Exception {
        Metrics.addRegistry(registry);
        HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.createContext("/", exchange -> {
            exchange.sendResponseHeaders(503, -1);
            exchange.close();
        });
        server.start();
        HttpClient http = VendorHttp.client(Duration.ofSeconds(2));
        try {
            URI uri = URI.create("http://127.0.0.1:" + server.getAddress().getPort() + "/photos");
            for (int i = 0; i < 2; i++) {
                VendorHttp.send(http, HttpRequest.newBuilder(uri).GET().build(), "ExampleVendor", "get photo " + i).body().close();
            }
        } finally {
            server.stop(0);
        }
        int closed;
        try (ServerSocket socket = new ServerSocket(0)) {
            closed = socket.getLocalPort();
        }
        URI nobody = URI.create("http://127.0.0.1:" + closed + "/photos");
        assertThatThrownBy(() -> VendorHttp.send(http, HttpRequest.newBuilder(nobody).GET().build(), "ExampleVendor", "get photo 3"))
                .isInstanceOf(RetryableVendorException.class);

        assertThat(registry.get(VendorHttp.CALLS).tags("vendor", "ExampleVendor", "operation", "get photo", "status", "503")
                .timer().count()).isEqualTo(2);
        assertThat(registry.get(VendorHttp.CALLS).tags("vendor", "ExampleVendor", "operation", "get photo", "status",
                VendorHttp.NO_ANSWER).timer().count()).isEqualTo(1);
    }
}
