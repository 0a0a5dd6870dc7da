package dev.herald.netty;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.herald.core.HeartbeatPolicy;
import dev.herald.core.Hub;
import dev.herald.core.Publication;
import dev.herald.core.testing.SseWireClient;
import dev.herald.core.testing.WireClients;
import dev.herald.netty.testing.RawHttp;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * What the Netty transport does with requests no well-behaved client sends: every one is refused
 * with a problem (or, for a connection that never says anything, closed) quickly, stores nothing,
 * and leaves the server serving.
 */
class HostileRequestsTest {

    private Hub hub;
    private HeraldNettyServer server;

    @BeforeEach
    void start() throws Exception {
        start(ServerLimits.defaults().withRequestTimeout(Duration.ofMillis(800)).withIdleTimeout(Duration.ofMillis(1500)));
    }

    private void start(ServerLimits limits) throws Exception {
        hub = Hub.builder().heartbeat(HeartbeatPolicy.disabled()).maxDataBytes(1024).queueCapacity(16).build();
        server = HeraldNettyServer.builder(hub).host("127.0.0.1").port(0).maxEventBytes(1024).limits(limits)
                .socketSendBuffer(8 * 1024).build().start();
    }

    @AfterEach
    void stop() {
        hub.close();
        server.close();
    }

    private RawHttp connect() throws IOException {
        return new RawHttp(server.port());
    }

    private int stored() {
        return hub.eventLog().readAfter(0, 10_000).events().size();
    }

    private static String publish(String body) {
        return "POST /events HTTP/1.1\r\nHost: h\r\nContent-Type: application/json\r\nContent-Length: "
                + body.getBytes(StandardCharsets.UTF_8).length + "\r\n\r\n" + body;
    }

    @Test
    void aRequestHeadDribbledAByteAtATimeIsAnswered408AndClosed() throws Exception {
        try (RawHttp slow = connect()) {
            String head = "GET /events?topic=t HTTP/1.1\r\nHost: h\r\nX-Slow: ";
            boolean closedByTheServer = false;
            try {
                // A byte every 150 ms, never finishing the head; 200 bytes would take 30 s.
                for (int i = 0; i < 200; i++) {
                    slow.send(head.substring(i % head.length(), i % head.length() + 1));
                    Thread.sleep(150);
                }
            } catch (IOException closed) {
                closedByTheServer = true;
            }
            assertThat(closedByTheServer).isTrue();

            RawHttp.Response answer = slow.read();

            assertThat(answer.status()).isEqualTo(408);
            assertThat(answer.header("Content-Type")).isEqualTo("application/problem+json");
            assertThat(answer.body()).contains("urn:herald:problem:request-timeout");
            assertThat(slow.closedWithin(Duration.ofSeconds(5))).isTrue();
        }
    }

    @Test
    void aConnectionThatSendsNothingIsClosed() throws Exception {
        try (RawHttp silent = connect()) {
            assertThat(silent.closedWithin(Duration.ofSeconds(5))).isTrue();
        }
        await().atMost(Duration.ofSeconds(5)).until(() -> server.openConnections() == 0);
    }

    @Test
    void aBodyThatStopsArrivingIsAnswered408AndNothingIsStored() throws Exception {
        try (RawHttp stalled = connect()) {
            stalled.send("POST /events HTTP/1.1\r\nHost: h\r\nContent-Type: application/json\r\nContent-Length: 1000\r\n\r\n{\"topic\":");

            RawHttp.Response answer = stalled.read();

            assertThat(answer.status()).isEqualTo(408);
            assertThat(stalled.closedWithin(Duration.ofSeconds(5))).isTrue();
        }
        assertThat(stored()).isZero();
    }

    @Test
    void anIdleKeepAliveConnectionIsClosedAfterTheIdleTimeout() throws Exception {
        try (RawHttp idle = connect()) {
            idle.send(publish("{\"topic\":\"t\"}"));
            assertThat(idle.read().status()).isEqualTo(201);

            assertThat(idle.closedWithin(Duration.ofSeconds(5))).isTrue();
        }
    }

    @Test
    void aBodyDeclaredTooLargeIsRefusedBeforeItIsSent() throws Exception {
        try (RawHttp big = connect()) {
            big.send("POST /events HTTP/1.1\r\nHost: h\r\nContent-Type: application/json\r\nContent-Length: 10485760\r\n"
                    + "Expect: 100-continue\r\n\r\n");

            RawHttp.Response answer = big.read();

            assertThat(answer.status()).isEqualTo(413);
            assertThat(answer.body()).contains("request-too-large");
            assertThat(big.closedWithin(Duration.ofSeconds(5))).isTrue();
        }
    }

    @Test
    void anEndlessChunkedBodyIsRefusedOnceItCrossesTheLimit() throws Exception {
        try (RawHttp endless = connect()) {
            endless.send("POST /events HTTP/1.1\r\nHost: h\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n");
            String chunk = "x".repeat(4096);
            RawHttp.Response answer = null;
            // The limit is about 22 KB here: the answer must come long before 1 MB is sent.
            for (int i = 0; i < 256; i++) {
                try {
                    endless.send(Integer.toHexString(chunk.length()) + "\r\n" + chunk + "\r\n");
                } catch (IOException closed) {
                    break;
                }
                if (endless.socket().getInputStream().available() > 0) {
                    break;
                }
                Thread.sleep(2);
            }
            answer = endless.read();
            assertThat(answer.status()).isEqualTo(413);
        }
        assertThat(stored()).isZero();
    }

    @Test
    void aBrokenChunkIsRefusedWithoutPublishingAndTheConnectionClosed() throws Exception {
        try (RawHttp broken = connect()) {
            String json = "{\"topic\":\"t\",\"data\":\"x\"}";
            broken.send("POST /events HTTP/1.1\r\nHost: h\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n"
                    + Integer.toHexString(json.length()) + "\r\n" + json + "\r\nzz-not-a-size\r\n\r\n");

            RawHttp.Response answer = broken.read();

            assertThat(answer.status()).isEqualTo(400);
            assertThat(answer.body()).contains("urn:herald:problem:bad-request");
            assertThat(broken.closedWithin(Duration.ofSeconds(5))).isTrue();
        }
        assertThat(stored()).isZero();
    }

    @Test
    void http11NeedsExactlyOneHost() throws Exception {
        try (RawHttp none = connect()) {
            none.send("GET /events?topic=t HTTP/1.1\r\n\r\n");
            assertThat(none.read().status()).isEqualTo(400);
        }
        try (RawHttp two = connect()) {
            two.send("GET /events?topic=t HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n");
            assertThat(two.read().status()).isEqualTo(400);
        }
        assertThat(hub.stats().opened()).isZero();
    }

    @Test
    void anAbsoluteFormTargetIsServedLikeItsPath() throws Exception {
        try (RawHttp proxyStyle = connect()) {
            proxyStyle.send("POST http://h/events HTTP/1.1\r\nHost: h\r\nContent-Type: application/json\r\nContent-Length: 13\r\n\r\n{\"topic\":\"t\"}");
            assertThat(proxyStyle.read().status()).isEqualTo(201);
        }
    }

    @Test
    void aMethodThePathDoesNotServeGets405WithAllow() throws Exception {
        try (RawHttp put = connect()) {
            put.send("PUT /events HTTP/1.1\r\nHost: h\r\nContent-Length: 0\r\n\r\n");

            RawHttp.Response answer = put.read();

            assertThat(answer.status()).isEqualTo(405);
            assertThat(answer.header("Allow")).isEqualTo("GET, POST");
            assertThat(answer.body()).contains("method-not-allowed");
        }
    }

    @Test
    void overlongUrlsAndHeadersAreRefused() throws Exception {
        try (RawHttp url = connect()) {
            url.send("GET /events?topic=" + "a".repeat(100_000) + " HTTP/1.1\r\nHost: h\r\n\r\n");
            RawHttp.Response answer = url.read();
            assertThat(answer.status()).isEqualTo(414);
            assertThat(answer.body()).contains("uri-too-long");
        }
        try (RawHttp headers = connect()) {
            headers.send("GET /events?topic=t HTTP/1.1\r\nHost: h\r\nX-Big: " + "b".repeat(100_000) + "\r\n\r\n");
            RawHttp.Response answer = headers.read();
            assertThat(answer.status()).isEqualTo(431);
            assertThat(answer.body()).contains("headers-too-large");
        }
    }

    @Test
    void tooManyQueryParametersOrTopicsAreRefusedBeforeAnyIsParsed() throws Exception {
        StringBuilder topics = new StringBuilder("/events?");
        for (int i = 0; i < 300; i++) {
            topics.append("topic=t").append(i).append("/%7Bx%7D&");
        }
        try (RawHttp many = connect()) {
            many.send("GET " + topics + " HTTP/1.1\r\nHost: h\r\n\r\n");
            RawHttp.Response answer = many.read();
            assertThat(answer.status()).isEqualTo(400);
            assertThat(answer.body()).contains("invalid-query");
        }
        try (RawHttp some = connect()) {
            some.send("GET /events?topic=a&topic=b&topic=c" + "&topic=x".repeat(70) + " HTTP/1.1\r\nHost: h\r\n\r\n");
            RawHttp.Response answer = some.read();
            assertThat(answer.status()).isEqualTo(400);
            assertThat(answer.body()).contains("invalid-subscription").contains("at most 64");
        }
    }

    @Test
    void malformedEscapesAndInvalidUtf8InTheTargetAreRefused() throws Exception {
        for (String target : List.of("/events?topic=%zz", "/events?topic=%C0%AF", "/events?topic=%ED%A0%80", "/events?topic=%")) {
            try (RawHttp bad = connect()) {
                bad.send("GET " + target + " HTTP/1.1\r\nHost: h\r\n\r\n");
                RawHttp.Response answer = bad.read();
                assertThat(answer.status()).as(target).isEqualTo(400);
                assertThat(answer.body()).as(target).contains("invalid-query");
            }
        }
    }

    @Test
    void bodiesThatAreNotValidUnicodeAreRefusedAndNothingIsStored() throws Exception {
        byte[] overlong = "{\"topic\":\"t\",\"data\":\"a\u0000b\"}".getBytes(StandardCharsets.UTF_8);
        // The NUL becomes the overlong two-byte form C0 80, which a lenient decoder reads as NUL.
        byte[] body = new byte[overlong.length + 1];
        int at = 0;
        for (byte b : overlong) {
            if (b == 0) {
                body[at++] = (byte) 0xC0;
                body[at++] = (byte) 0x80;
            } else {
                body[at++] = b;
            }
        }
        try (RawHttp invalid = connect()) {
            invalid.send(("POST /events HTTP/1.1\r\nHost: h\r\nContent-Type: application/json\r\nContent-Length: " + body.length + "\r\n\r\n")
                    .getBytes(StandardCharsets.US_ASCII));
            invalid.send(body);
            RawHttp.Response answer = invalid.read();
            assertThat(answer.status()).isEqualTo(400);
            assertThat(answer.body()).contains("not valid UTF-8");
        }
        try (RawHttp surrogate = connect()) {
            surrogate.send(publish("{\"topic\":\"t\",\"type\":\"x\\ud800y\",\"data\":\"z\"}"));
            RawHttp.Response answer = surrogate.read();
            assertThat(answer.status()).isEqualTo(400);
            assertThat(answer.body()).contains("unpaired surrogate");
        }
        assertThat(stored()).isZero();
    }

    @Test
    void anExpectContinueWithinTheLimitGetsContinueThenItsAnswer() throws Exception {
        try (RawHttp polite = connect()) {
            polite.send("POST /events HTTP/1.1\r\nHost: h\r\nContent-Type: application/json\r\nContent-Length: 13\r\nExpect: 100-continue\r\n\r\n");
            assertThat(polite.read().status()).isEqualTo(100);
            polite.send("{\"topic\":\"t\"}");
            assertThat(polite.read().status()).isEqualTo(201);
        }
        try (RawHttp odd = connect()) {
            odd.send("POST /events HTTP/1.1\r\nHost: h\r\nContent-Length: 0\r\nExpect: something-else\r\n\r\n");
            assertThat(odd.read().status()).isEqualTo(417);
        }
    }

    @Test
    void connectionsBeyondTheLimitPerAddressAreRefusedWith429() throws Exception {
        stop();
        start(ServerLimits.defaults().withMaxConnectionsPerAddress(3));
        List<RawHttp> held = new ArrayList<>();
        try {
            for (int i = 0; i < 3; i++) {
                held.add(connect());
            }
            await().until(() -> server.openConnections() == 3);
            try (RawHttp fourth = connect()) {
                fourth.send("GET /events?topic=t HTTP/1.1\r\nHost: h\r\n\r\n");
                RawHttp.Response answer = fourth.read();
                assertThat(answer.status()).isEqualTo(429);
                assertThat(answer.body()).contains("too-many-connections").contains("\"scope\":\"address\"");
                assertThat(fourth.closedWithin(Duration.ofSeconds(5))).isTrue();
            }
            held.removeFirst().close();
            await().until(() -> server.openConnections() == 2);
            try (RawHttp again = connect()) {
                again.send(publish("{\"topic\":\"t\"}"));
                assertThat(again.read().status()).isEqualTo(201);
            }
        } finally {
            for (RawHttp connection : held) {
                connection.close();
            }
        }
    }

    @Test
    void aDroppedSlowReaderLosesItsSocketAtOnceThoughItNeverCloses() throws Exception {
        try (WireClients clients = new WireClients(server.port())) {
            SseWireClient stalled = clients.stalled("/events?topic=firehose");
            SseWireClient reader = clients.get("/events?topic=firehose");
            await().until(() -> hub.stats().connections() == 2);
            String payload = "x".repeat(1000);

            for (int i = 0; i < 2000 && hub.stats().slowDisconnects() == 0; i++) {
                hub.publish(Publication.to("firehose").data(payload).build());
                if (i % 16 == 15) {
                    int expected = i + 1;
                    await().until(() -> reader.parser().events().size() == expected);
                }
            }

            assertThat(hub.stats().slowDisconnects()).isEqualTo(1);
            // The stalled client still holds its end open; the server has let go of its own.
            await().atMost(Duration.ofSeconds(5)).until(() -> server.openConnections() == 1);
            assertThat(stalled.ended()).isFalse();
        }
    }
}
