package io.photobridge;

import java.net.http.HttpClient;
import java.time.Duration;

/**
 * The HTTP client tests use against PhotoBridge's own endpoints: HTTP/1.1, as operators' tools and the vendors' webhooks speak
 * it. With the JDK client's default (an h2c upgrade on every plain-HTTP request) a FaultsIT request once went unanswered
 * with nothing in flight on either side and the build hung; the upgrade is the suspected cause, not a proven one.
 */
public final class TestHttp {

    private TestHttp() {
    }

    /** A new client, as {@code HttpClient.newHttpClient()} gave: no connection is reused across tests' servers. */
    public static HttpClient client() {
        return HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).connectTimeout(Duration.ofSeconds(10)).build();
    }
}
