package dev.herald.netty;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.herald.core.HeartbeatPolicy;
import dev.herald.core.Hub;
import dev.herald.http.Access;
import dev.herald.http.HeraldAuthenticator;
import dev.herald.http.HttpRequestView;
import dev.herald.netty.testing.RawHttp;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Answers leave in request order however requests are sent and however long they take: behind a
 * slow authenticator, past Netty's own pipelining depth, with timeouts firing, with
 * {@code Connection: close} and {@code Expect: 100-continue} in the middle; and a client that sends
 * requests without reading the answers holds nothing for long.
 */
class PipeliningTest {

    private Hub hub;
    private HeraldNettyServer server;

    @AfterEach
    void stop() {
        if (hub != null) {
            hub.close();
        }
        if (server != null) {
            server.close();
        }
    }

    /** Trusts everyone, after a pause: an authenticator that asks the network, as a JWK set or callback may. */
    private static HeraldAuthenticator slow(long millis) {
        return new HeraldAuthenticator() {
            @Override
            public Access authenticate(HttpRequestView request) {
                try {
                    Thread.sleep(millis);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
                return Access.trusted(null);
            }
        };
    }

    private void start(HeraldAuthenticator authenticator, ServerLimits limits) throws Exception {
        hub = Hub.builder().heartbeat(HeartbeatPolicy.disabled()).build();
        server = HeraldNettyServer.builder(hub).host("127.0.0.1").port(0).authenticator(authenticator).limits(limits).build().start();
    }

    private static String publish(String data, String... extraHeaders) {
        String body = "{\"topic\":\"t\",\"data\":\"" + data + "\"}";
        return "POST /events HTTP/1.1\r\nHost: h\r\nContent-Type: application/json\r\n" + String.join("", extraHeaders)
                + "Content-Length: " + body.length() + "\r\n\r\n" + body;
    }

    private List<String> stored() {
        return hub.eventLog().readAfter(0, 100_000).events().stream().map(e -> e.data()).toList();
    }

    @Test
    void hundredsOfPipelinedPublishesBehindABlockingAuthenticatorAreAllAnsweredInOrder() throws Exception {
        start(slow(1), ServerLimits.defaults());
        StringBuilder requests = new StringBuilder();
        for (int i = 0; i < 300; i++) {
            requests.append(publish("p" + i));
        }
        try (RawHttp client = new RawHttp(server.port())) {
            client.send(requests.toString());
            List<Integer> statuses = new ArrayList<>();
            for (int i = 0; i < 300; i++) {
                statuses.add(client.read().status());
            }
            assertThat(statuses).containsOnly(201);
        }
        List<String> expected = new ArrayList<>();
        for (int i = 0; i < 300; i++) {
            expected.add("p" + i);
        }
        assertThat(stored()).containsExactlyElementsOf(expected);
    }

    @Test
    void aRequestThatTimesOutWhileAnEarlierOneIsServedIsAnsweredAfterIt() throws Exception {
        start(slow(2000), ServerLimits.defaults().withRequestTimeout(Duration.ofMillis(500)));
        try (RawHttp client = new RawHttp(server.port())) {
            // The first publish is complete and slowly authenticated; the second stops mid-body.
            client.send(publish("first") + "POST /events HTTP/1.1\r\nHost: h\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{\"to");

            RawHttp.Response first = client.read();
            RawHttp.Response second = client.read();

            assertThat(first.status()).isEqualTo(201);
            assertThat(second.status()).isEqualTo(408);
            assertThat(client.closedWithin(Duration.ofSeconds(5))).isTrue();
        }
        assertThat(stored()).containsExactly("first");
    }

    @Test
    void aKeepAliveConnectionOutlivesTheRequestTimeoutAndServesTheNextRequest() throws Exception {
        start(HeraldAuthenticator.trusting("user"), ServerLimits.defaults().withRequestTimeout(Duration.ofMillis(300))
                .withIdleTimeout(Duration.ofSeconds(30)));
        try (RawHttp client = new RawHttp(server.port())) {
            client.send(publish("one"));
            assertThat(client.read().status()).isEqualTo(201);

            Thread.sleep(1000); // three request timeouts, well inside the idle timeout

            client.send(publish("two"));
            RawHttp.Response next = client.read();
            assertThat(next.status()).as("the answer to the second request, not a stale 408").isEqualTo(201);
        }
        assertThat(stored()).containsExactly("one", "two");
    }

    @Test
    void nothingPipelinedBehindConnectionCloseIsServed() throws Exception {
        start(HeraldAuthenticator.trusting("user"), ServerLimits.defaults());
        try (RawHttp client = new RawHttp(server.port())) {
            client.send(publish("last", "Connection: close\r\n") + publish("ignored"));

            assertThat(client.read().status()).isEqualTo(201);
            assertThat(client.closedWithin(Duration.ofSeconds(5))).isTrue();
        }
        assertThat(stored()).containsExactly("last");
    }

    @Test
    void aContinueIsOwedUntilTheAnswersBeforeItAreWritten() throws Exception {
        start(slow(500), ServerLimits.defaults());
        try (RawHttp client = new RawHttp(server.port())) {
            client.send(publish("before") + "POST /events HTTP/1.1\r\nHost: h\r\nContent-Type: application/json\r\n"
                    + "Expect: 100-continue\r\nContent-Length: 22\r\n\r\n");

            assertThat(client.read().status()).isEqualTo(201);
            assertThat(client.read().status()).isEqualTo(100);
            client.send("{\"topic\":\"t\",\"data\":1}");
            assertThat(client.read().status()).isEqualTo(201);
        }
        assertThat(stored()).containsExactly("before", "1");
    }

    @Test
    void aClientThatSendsRequestsWithoutReadingAnswersIsDroppedAndHoldsNothing() throws Exception {
        start(HeraldAuthenticator.trusting("user"), ServerLimits.defaults().withIdleTimeout(Duration.ofSeconds(1)));
        byte[] request = "GET /nothing-here HTTP/1.1\r\nHost: h\r\n\r\n".getBytes(StandardCharsets.US_ASCII);
        Thread pusher;
        try (RawHttp client = new RawHttp(server.port())) {
            client.socket().setReceiveBufferSize(4096);
            // Writes stop once the server stops reading; a thread keeps pushing until it cannot.
            pusher = Thread.ofVirtual().start(() -> {
                try {
                    for (int i = 0; i < 200_000; i++) {
                        client.send(request);
                    }
                } catch (java.io.IOException closed) {
                    // the server gave the connection up, or the test closed it
                }
            });
            // The server lets go of its end although the client never closes its own.
            await().atMost(Duration.ofSeconds(20)).until(() -> server.openConnections() == 0);
        }
        pusher.join(Duration.ofSeconds(20));
        assertThat(pusher.isAlive()).isFalse();
    }
}
