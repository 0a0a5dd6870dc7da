package dev.herald.netty;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.herald.core.Event;
import dev.herald.core.EventLog;
import dev.herald.core.Hub;
import dev.herald.core.LogPage;
import dev.herald.core.Presence;
import dev.herald.core.Publication;
import dev.herald.core.RetentionPolicy;
import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Requests served off the event loop (subscribes on a log whose reads block, as a cluster's does;
 * presence queries) keep their place among pipelined requests: nothing sent after them on the same
 * connection is answered before them.
 */
class AsidePipeliningTest {

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

    /** The in-memory log, made slow to read its bounds, like a log across the network. */
    private static final class SlowBoundsLog implements EventLog {
        private final EventLog memory = EventLog.inMemory(RetentionPolicy.defaults());

        @Override
        public Event append(Publication publication) {
            return memory.append(publication);
        }

        @Override
        public CompletableFuture<Event> appendAsync(Publication publication) {
            return memory.appendAsync(publication);
        }

        @Override
        public LogPage readAfter(long afterId, int limit) {
            if (limit == 0) {
                sleep(300);
            }
            return memory.readAfter(afterId, limit);
        }

        @Override
        public java.util.OptionalLong idOfKey(String key) {
            return memory.idOfKey(key);
        }

        @Override
        public boolean readsBlock() {
            return true;
        }

        @Override
        public void close() {
            memory.close();
        }
    }

    /** A hub's own presence, slow to answer user queries. */
    private static Presence slow(Presence presence) {
        return new Presence() {
            @Override
            public long subscribers(String topic) {
                return presence.subscribers(topic);
            }

            @Override
            public long connections(String userId) {
                sleep(300);
                return presence.connections(userId);
            }

            @Override
            public Summary summary() {
                return presence.summary();
            }

            @Override
            public void share(String name, String document) {
                presence.share(name, document);
            }

            @Override
            public java.util.List<String> shared(String name) {
                return presence.shared(name);
            }
        };
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private void start() throws Exception {
        hub = Hub.builder().eventLog(new SlowBoundsLog()).build();
        server = HeraldNettyServer.builder(hub).host("127.0.0.1").port(0).presence(slow(Presence.local(hub)), "/presence")
                .build().start();
    }

    private static String post(String data) {
        String body = "{\"topic\":\"t\",\"data\":\"" + data + "\"}";
        return "POST /events HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: " + body.length()
                + "\r\n\r\n" + body;
    }

    private static String get(String pathAndQuery) {
        return "GET " + pathAndQuery + " HTTP/1.1\r\nHost: x\r\n\r\n";
    }

    /** Sends the requests in one write and reads until the text contains the marker (or 10 s pass). */
    private String exchange(String requests, String untilContains) throws Exception {
        try (Socket socket = new Socket("127.0.0.1", server.port())) {
            socket.setSoTimeout(10_000);
            OutputStream out = socket.getOutputStream();
            out.write(requests.getBytes(StandardCharsets.UTF_8));
            out.flush();
            InputStream in = socket.getInputStream();
            ByteArrayOutputStream seen = new ByteArrayOutputStream();
            byte[] buffer = new byte[4096];
            long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
            while (!seen.toString(StandardCharsets.UTF_8).contains(untilContains) && System.nanoTime() < deadline) {
                int n = in.read(buffer);
                if (n < 0) {
                    break;
                }
                seen.write(buffer, 0, n);
            }
            return seen.toString(StandardCharsets.UTF_8);
        }
    }

    @Test
    void aPresenceQueryIsAnsweredBeforeThePublishAndTheQuerySentAfterIt() throws Exception {
        start();

        String answers = exchange(get("/presence?user=a") + post("one") + get("/presence"), "\"nodes\"");

        int presence = answers.indexOf("\"user\":\"a\"");
        int created = answers.indexOf("201 Created");
        int summary = answers.indexOf("\"nodes\":1");
        assertThat(presence).as(answers).isPositive();
        assertThat(created).as(answers).isGreaterThan(presence);
        assertThat(summary).as(answers).isGreaterThan(created);
    }

    @Test
    void aSubscribeOpenedOffTheLoopStartsItsStreamBeforeAnythingPipelinedBehindItIsServed() throws Exception {
        start();

        String answers = exchange(get("/events?topic=t") + get("/events?topic=u") + post("behind"), "retry:");

        assertThat(answers).as(answers).startsWith("HTTP/1.1 200").contains("text/event-stream").doesNotContain("201 Created");
        // A streaming connection reads nothing more: the requests behind it were dropped, not served.
        await().atMost(Duration.ofSeconds(5)).until(() -> hub.stats().connections() == 0);
        assertThat(hub.stats().opened()).isEqualTo(1);
        assertThat(hub.stats().published()).isZero();
    }
}
