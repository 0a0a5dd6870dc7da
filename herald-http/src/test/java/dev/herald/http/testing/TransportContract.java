package dev.herald.http.testing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;
import static org.awaitility.Awaitility.await;

import com.launchdarkly.eventsource.ConnectStrategy;
import com.launchdarkly.eventsource.ErrorStrategy;
import com.launchdarkly.eventsource.EventSource;
import dev.herald.core.ConnectionInfo;
import dev.herald.core.ConnectionLimits;
import dev.herald.core.Event;
import dev.herald.core.EventLog;
import dev.herald.core.HeartbeatPolicy;
import dev.herald.core.Hub;
import dev.herald.core.Publication;
import dev.herald.core.RetentionPolicy;
import dev.herald.core.TopicSelector;
import dev.herald.core.testing.SseParser;
import dev.herald.http.Access;
import dev.herald.http.AuthenticationRequiredException;
import dev.herald.http.HeraldAuthenticator;
import java.io.IOException;
import java.net.InetAddress;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import javax.net.SocketFactory;
import okhttp3.Call;
import okhttp3.EventListener;
import okhttp3.MediaType;
import okhttp3.OkHttpClient;
import okhttp3.Protocol;
import okhttp3.Request;
import okhttp3.RequestBody;
import okhttp3.Response;
import org.assertj.core.api.SoftAssertions;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * What every transport of Herald's HTTP API does the same way, read off the wire by a client that
 * speaks the transport's protocol (OkHttp: HTTP/1.1, HTTP/2 over TLS, {@code h2c}): the SSE wire
 * format and headers, resuming, publishing, every refusal as the same RFC 9457 problem, CORS, the
 * authenticator hook, slow clients, presence, ending a user's streams, shutdown
 * ({@code docs/PROTOCOL.md}), and the Mercure protocol beside it ({@code docs/MERCURE.md}). Each transport's test extends this class and says how to serve a hub:
 *
 * <pre>{@code
 * class NettyHttp11TransportTest extends TransportContract {
 *     @Override
 *     protected Transport start(Hub.Builder hub, ApiSettings api) throws Exception {
 *         Hub running = hub.build();
 *         HeraldNettyServer server = HeraldNettyServer.builder(api.toApi(running)).host("127.0.0.1").port(0).build().start();
 *         return Transport.http11(URI.create("http://127.0.0.1:" + server.port()), running, server);
 *     }
 * }
 * }</pre>
 *
 * <p>Each scenario starts its own server, once, with the settings it needs, and stops it afterwards.
 * Every wait is bounded (Awaitility's 10 s); no scenario measures time. What belongs to one
 * protocol or one server (HTTP/1.1 pipelining, close-delimited bodies, Netty's stream routes)
 * stays in that transport's own tests.
 */
public abstract class TransportContract {

    private static final MediaType JSON_TYPE = MediaType.get("application/json");
    private static final MediaType FORM_TYPE = MediaType.get("application/x-www-form-urlencoded");
    /** Where scenarios of the Mercure protocol serve it. */
    protected static final String MERCURE = "/.well-known/mercure";
    private static final JsonMapper JSON = JsonMapper.builder().build();
    /** The data limit of the contract's hub and API, small so that oversized events are cheap to make. */
    private static final int MAX_EVENT_BYTES = 1024;

    /**
     * Tokens that say who holds them ({@code Authorization: Bearer alice}), as an application's
     * authenticator would decide from its sessions: alice may subscribe to her topics and to
     * {@code news} (its private events included) and publish to her outbox; bob to his topics, and
     * to {@code news} as the public may; {@code publisher} (no subject) may publish to {@code news};
 * {@code watcher} may watch Mercure's subscriptions.
     * Without a token, a caller is anonymous and may subscribe to {@code news}; another token is refused.
     */
    private static final HeraldAuthenticator BEARERS = request -> {
        String authorization = request.header("Authorization");
        if (authorization == null) {
            return Access.anonymous(List.of(TopicSelector.parse("news")));
        }
        return switch (authorization) {
            case "Bearer alice" -> Access.user("alice").subscribe("users/alice/{+path}", "news").publish("users/alice/outbox")
                    .payload("{\"name\":\"Alice\"}").build();
            case "Bearer watcher" -> Access.user("watcher").subscribe(MERCURE + "/subscriptions", MERCURE + "/subscriptions/{+rest}").build();
            case "Bearer bob" -> Access.user("bob").subscribe("users/bob/{+path}").publicTopics(List.of(TopicSelector.parse("news"))).build();
            case "Bearer publisher" -> Access.user(null).publish("news").build();
            default -> throw new AuthenticationRequiredException("unknown token");
        };
    };

    private Transport transport;
    private OkHttpClient client;
    private OkHttpClient streaming;
    private final List<OkHttpClient> clients = new ArrayList<>();
    private final List<EventStream> streams = new ArrayList<>();

    /**
     * Serves Herald's HTTP API for a hub built from these settings, with these API settings, at
     * {@code /events}, on a free port of 127.0.0.1; returns once the server accepts connections.
     * Called at most once per scenario, on the test's thread. The contract closes the transport
     * after the scenario (and may close the hub before, to test shutdown).
     */
    protected abstract Transport start(Hub.Builder hub, ApiSettings api) throws Exception;

    // ---------------------------------------------------------------------------------------------
    // Protocol

    @Test
    void everyExchangeNegotiatesTheProtocolTheTransportDeclares() throws Exception {
        serve();
        Set<okhttp3.Connection> connections = Collections.synchronizedSet(Collections.newSetFromMap(new IdentityHashMap<>()));
        OkHttpClient observed = keep(transport.newClient().readTimeout(Duration.ZERO).eventListener(new EventListener() {
            @Override
            public void connectionAcquired(Call call, okhttp3.Connection connection) {
                connections.add(connection);
            }
        }).build());

        EventStream first = keep(EventStream.open(observed.newCall(subscribeRequest("topic=p", Map.of())), true));
        EventStream second = keep(EventStream.open(observed.newCall(subscribeRequest("topic=q", Map.of())), true));
        Answer published = send(observed, to("/events").post(json("{\"topic\": \"p\", \"data\": \"x\"}")));

        Protocol declared = transport.protocol();
        assertThat(List.of(first.protocol(), second.protocol(), published.protocol())).containsOnly(declared);
        assertThat(connections).extracting(okhttp3.Connection::protocol).containsOnly(declared);
        if (declared == Protocol.HTTP_1_1) {
            assertThat(connections).as("HTTP/1.1 holds a connection per open stream").hasSizeGreaterThanOrEqualTo(2);
        } else {
            assertThat(connections).as("HTTP/2 multiplexes every exchange on one connection").hasSize(1);
        }
        if (declared == Protocol.HTTP_2) {
            assertThat(transport.baseUri().getScheme()).as("h2 is negotiated over TLS").isEqualTo("https");
        } else if (declared == Protocol.H2_PRIOR_KNOWLEDGE) {
            assertThat(transport.baseUri().getScheme()).as("h2c is clear text").isEqualTo("http");
        }
        assertThat(published.status()).isEqualTo(201);
        await().until(() -> first.events().size() == 1);
    }

    // ---------------------------------------------------------------------------------------------
    // Wire format

    @Test
    void streamsCarryTheEventStreamHeadersUncompressedAndBeginWithRetry() throws Exception {
        serve();
        Event newest = hub().publish(Publication.to("elsewhere").data("before").build());

        // An explicit Accept-Encoding: OkHttp then hands over the body as it came, compressed or not.
        EventStream stream = subscribe("topic=news", Map.of("Accept-Encoding", "gzip"));

        assertThat(stream.status()).isEqualTo(200);
        assertThat(stream.header("Content-Type")).as("the only charset of an event stream is UTF-8")
                .matches("(?i)text/event-stream(;\\s*charset=utf-8)?");
        assertThat(stream.header("Cache-Control")).isEqualTo("no-cache");
        assertThat(stream.header("X-Accel-Buffering")).isEqualTo("no");
        assertThat(stream.header("Content-Encoding")).as("a compressor would hold events back").isNull();
        assertThat(stream.header("Content-Length")).isNull();
        assertThat(stream.header("Last-Event-ID")).as("a new subscriber starts after the newest event")
                .isEqualTo(Long.toString(newest.id()));
        await().until(() -> stream.text().startsWith("retry: 100\n\n"));
    }

    @Test
    void aPublishedEventArrivesWithItsIdTypeAndDataLinesExactlyAsEncoded() throws Exception {
        serve();
        EventStream stream = subscribe("topic=orders/%7Bid%7D");
        awaitLive(1);

        Answer typed = publish("{\"topic\": \"orders/42\", \"type\": \"order-updated\", \"data\": {\"status\": \"paid\", \"n\": [1, 2]}}");
        Answer plain = publish("{\"topic\": \"orders/43\", \"data\": \"plain\", \"retry\": 5000}");

        await().until(() -> stream.events().size() == 2);
        // After retry, the stream's start position as an id with no data (EventSource's last event
        // ID from the start), then the events.
        assertThat(stream.text()).matches(java.util.regex.Pattern.quote("retry: 100\n\n") + "id: (\\d+)\n\n"
                + java.util.regex.Pattern.quote("id: " + idOf(typed) + "\nevent: order-updated\ndata: {\"status\":\"paid\",\"n\":[1,2]}\n\n"
                + "id: " + idOf(plain) + "\nretry: 5000\ndata: plain\n\n"));
        long start = Long.parseLong(stream.text().split("\n")[2].substring("id: ".length()));
        assertThat(start).isLessThan(Long.parseLong(idOf(typed)));
    }

    @Test
    void multiLineDataBecomesOneDataLinePerLine() throws Exception {
        serve();
        EventStream stream = subscribe("topic=t");
        awaitLive(1);

        publish("{\"topics\": [\"t\"], \"data\": \"first\\r\\nsecond\\nthird\\rfourth\\n\\nsixth\"}");

        await().until(() -> stream.events().size() == 1);
        assertThat(stream.text()).endsWith("\ndata: first\ndata: second\ndata: third\ndata: fourth\ndata: \ndata: sixth\n\n");
        assertThat(stream.events().getFirst().data()).isEqualTo("first\nsecond\nthird\nfourth\n\nsixth");
    }

    @Test
    void idleStreamsGetHeartbeatComments() throws Exception {
        serve(hubSettings().heartbeat(HeartbeatPolicy.every(Duration.ofMillis(100))), apiSettings());

        EventStream stream = subscribe("topic=quiet");

        await().until(() -> stream.parser().comments().contains("heartbeat"));
        assertThat(stream.text()).matches("(?s)retry: 100\n\nid: \\d+\n\n: heartbeat\n\n.*");
        assertThat(stream.events()).isEmpty();
    }

    // ---------------------------------------------------------------------------------------------
    // Publishing

    @Test
    void aPublishIsAnswered201WithTheStoredIdAndAKeyMakesRetriesSafe() throws Exception {
        serve();
        EventStream stream = subscribe("topic=t");
        awaitLive(1);
        long before = storedEvents();

        Answer first = publish("{\"topic\": \"t\", \"id\": \"order-42-paid\", \"data\": \"once\"}");
        Answer retried = publish("{\"topic\": \"t\", \"id\": \"order-42-paid\", \"data\": \"once\"}");
        Answer next = publish("{\"topic\": \"t\", \"data\": \"next\"}");

        assertThat(first.status()).isEqualTo(201);
        assertThat(first.mediaType()).isEqualTo("application/json");
        assertThat(first.json().propertyNames()).containsExactly("id");
        assertThat(idOf(first)).matches("\\d+");
        assertThat(retried.status()).isEqualTo(201);
        assertThat(idOf(retried)).as("the same key answers the first event's id").isEqualTo(idOf(first));
        assertThat(storedEvents()).isEqualTo(before + 2);
        await().until(() -> stream.events().size() == 2);
        assertThat(stream.events()).extracting(SseParser.Received::data, SseParser.Received::lastEventId)
                .containsExactly(tuple("once", idOf(first)), tuple("next", idOf(next)));
    }

    // ---------------------------------------------------------------------------------------------
    // Resuming

    @Test
    void resumesAfterTheLastEventIdHeaderOrQueryParameterWithoutLossOrRepeat() throws Exception {
        serve();
        List<Event> events = new ArrayList<>();
        for (int i = 1; i <= 3; i++) {
            events.add(hub().publish(Publication.to("r").data("r" + i).build()));
        }
        String first = Long.toString(events.getFirst().id());

        EventStream byHeader = subscribe("topic=r", Map.of("Last-Event-ID", first));
        EventStream byQuery = subscribe("topic=r&lastEventId=" + first);
        awaitLive(2);
        events.add(hub().publish(Publication.to("r").data("r4").build()));

        for (EventStream stream : List.of(byHeader, byQuery)) {
            assertThat(stream.header("Last-Event-ID")).isEqualTo(first);
            await().until(() -> stream.events().size() == 3);
            assertThat(stream.events()).extracting(SseParser.Received::data).containsExactly("r2", "r3", "r4");
            assertThat(stream.events()).extracting(SseParser.Received::lastEventId)
                    .containsExactlyElementsOf(events.subList(1, 4).stream().map(e -> Long.toString(e.id())).toList());
        }
    }

    @Test
    void anIndependentEventSourceClientResumesWithoutLossWhenItsConnectionDrops() throws Exception {
        serve();
        EventSource source = new EventSource.Builder(ConnectStrategy.http(uri("/events?topic=feed")).httpClient(streaming))
                .errorStrategy(ErrorStrategy.alwaysContinue())
                .retryDelay(100, TimeUnit.MILLISECONDS)
                .build();
        try {
            source.start();
            awaitLive(1);
            for (int i = 1; i <= 5; i++) {
                publish("{\"topic\": \"feed\", \"data\": \"e" + i + "\"}");
            }
            List<String> received = new ArrayList<>(readMessages(source, 5));

            source.interrupt(); // drops the connection; the next read reconnects with Last-Event-ID
            for (int i = 6; i <= 10; i++) {
                publish("{\"topic\": \"feed\", \"data\": \"e" + i + "\"}");
            }
            received.addAll(readMessages(source, 5));

            assertThat(received).containsExactly("e1", "e2", "e3", "e4", "e5", "e6", "e7", "e8", "e9", "e10");
            assertThat(hub().stats().opened()).isGreaterThanOrEqualTo(2);
        } finally {
            source.close();
        }
    }

    @Test
    void aLastEventIdNewerThanTheHistoryStartsWithAnUnknownResetThenEveryRetainedEvent() throws Exception {
        serve();
        Event r1 = hub().publish(Publication.to("r").data("r1").build());
        Event r2 = hub().publish(Publication.to("r").data("r2").build());
        String unknown = Long.toString(r2.id() + 1_000_000);

        EventStream stream = subscribe("topic=r", Map.of("Last-Event-ID", unknown));

        await().until(() -> stream.events().size() == 3);
        SseParser.Received reset = stream.events().getFirst();
        assertThat(reset.type()).isEqualTo("herald-reset");
        JsonNode notice = JSON.readTree(reset.data());
        assertThat(notice.path("reason").asString()).isEqualTo("unknown");
        assertThat(notice.path("lastEventId").asString()).isEqualTo(unknown);
        assertThat(reset.lastEventId()).isEqualTo(notice.path("resumeFrom").asString());
        assertThat(stream.events().subList(1, 3)).extracting(SseParser.Received::data, SseParser.Received::lastEventId)
                .containsExactly(tuple("r1", Long.toString(r1.id())),
                        tuple("r2", Long.toString(r2.id())));
    }

    @Test
    void aLastEventIdOlderThanTheRetainedHistoryStartsWithAnExpiredResetThenWhatIsLeft() throws Exception {
        serve(hubSettings().eventLog(EventLog.inMemory(RetentionPolicy.of(3, Duration.ofHours(1)))), apiSettings());
        List<Event> events = new ArrayList<>();
        for (int i = 1; i <= 6; i++) {
            events.add(hub().publish(Publication.to("r").data("r" + i).build()));
        }
        String first = Long.toString(events.getFirst().id());

        EventStream stream = subscribe("topic=r&lastEventId=" + first);

        await().until(() -> stream.events().size() == 4);
        SseParser.Received reset = stream.events().getFirst();
        assertThat(reset.type()).isEqualTo("herald-reset");
        JsonNode notice = JSON.readTree(reset.data());
        assertThat(notice.path("reason").asString()).isEqualTo("expired");
        assertThat(notice.path("lastEventId").asString()).isEqualTo(first);
        assertThat(reset.lastEventId()).isEqualTo(notice.path("resumeFrom").asString());
        assertThat(stream.events().subList(1, 4)).extracting(SseParser.Received::data).containsExactly("r4", "r5", "r6");
    }

    @Test
    void sinceLastStartsANewDeviceAfterWhatItsUserWasDelivered() throws Exception {
        // Heartbeats, because a transport may notice a client that left only when it writes to it
        // (a servlet container does): the wait for the laptop's stream to be released below needs one.
        serve(hubSettings().heartbeat(HeartbeatPolicy.every(Duration.ofMillis(200))), apiSettings());
        EventStream laptop = subscribe("topic=inbox&user=dana&since=last");
        awaitLive(1);
        publish("{\"topic\": \"inbox\", \"data\": \"read on the laptop\"}");
        await().until(() -> laptop.events().size() == 1);
        laptop.close();
        await().until(() -> hub().connections().isEmpty());
        publish("{\"topic\": \"inbox\", \"data\": \"sent while away\"}");

        EventStream phone = subscribe("topic=inbox&user=dana&since=last");

        await().until(() -> phone.events().size() == 1);
        assertThat(phone.events()).extracting(SseParser.Received::data).containsExactly("sent while away");
    }

    // ---------------------------------------------------------------------------------------------
    // Refusals: the same status and problem type on every transport, and nothing stored or opened

    @Test
    void badPublicationsAreRefusedWithAProblemAndStoreNothing() throws Exception {
        serve();
        EventStream stream = subscribe("topic=t");
        awaitLive(1);
        long before = storedEvents();
        String oversized = "x".repeat(MAX_EVENT_BYTES + 1);
        record Case(String contentType, String body, int status, String type, String detail) {
        }
        List<Case> cases = List.of(
                new Case("application/json", "{\"topic\": \"t\", \"data\": ", 400, "invalid-event", "malformed JSON"),
                new Case("application/json", "[1, 2]", 400, "invalid-event", "JSON object"),
                new Case("application/json", "{\"topic\": \"t\", \"type\": \"a\\r\\nevent: b\", \"data\": \"x\"}", 400, "invalid-event", "type"),
                new Case("application/json", "{\"topic\": \"t\", \"id\": \"a\\nb\", \"data\": \"x\"}", 400, "invalid-event", "id"),
                new Case("application/json", "{\"topics\": [], \"data\": \"x\"}", 400, "invalid-event", "at least one topic"),
                new Case("application/json", "{\"data\": \"x\"}", 400, "invalid-event", "at least one topic"),
                new Case("application/json", "{\"topic\": \"t\", \"dta\": \"x\"}", 400, "invalid-event", "unknown field"),
                new Case("application/json", "{\"topic\": \"t\", \"topic\": \"u\"}", 400, "invalid-event", "Duplicate"),
                new Case("application/json", "{\"topic\": \"t\", \"priority\": \"urgent\"}", 400, "invalid-event", "priority"),
                new Case("application/json", "{\"topic\": \"t\", \"retry\": -5}", 400, "invalid-event", "retry"),
                new Case("application/json", "{\"topic\": \"t\", \"users\": \"alice\"}", 400, "invalid-event", "users"),
                new Case("application/json", "{\"topic\": \"$herald/end-streams\", \"data\": \"x\"}", 400, "invalid-event", "$herald/"),
                new Case("application/json", "{\"topic\": \"t\", \"data\": \"" + oversized + "\"}", 413, "event-too-large", MAX_EVENT_BYTES + " bytes"),
                new Case("text/plain", "{\"topic\": \"t\", \"data\": \"x\"}", 415, "unsupported-media-type", "application/json"),
                new Case(null, "{\"topic\": \"t\", \"data\": \"x\"}", 415, "unsupported-media-type", "application/json"),
                // Far over any acceptable body (6 x the event limit + 16 KB): refused before it is all read.
                new Case("application/json", "{\"topic\": \"t\", \"data\": \"" + "y".repeat(40_000) + "\"}", 413, "request-too-large", "bytes"));
        List<Answer> answers = new ArrayList<>();
        for (Case c : cases) {
            RequestBody body = RequestBody.create(c.body().getBytes(StandardCharsets.UTF_8), c.contentType() == null ? null : MediaType.get(c.contentType()));
            answers.add(send(to("/events").post(body)));
        }

        SoftAssertions.assertSoftly(softly -> {
            for (int i = 0; i < cases.size(); i++) {
                Case c = cases.get(i);
                checkProblem(softly, c.body().length() > 80 ? c.body().substring(0, 80) + "..." : c.body(), answers.get(i), c.status(), c.type(), c.detail());
            }
        });
        assertThat(storedEvents()).as("nothing refused was stored").isEqualTo(before);
        assertThat(publish("{\"topic\": \"t\", \"data\": \"fine\"}").status()).isEqualTo(201);
        await().until(() -> stream.events().size() == 1);
        assertThat(stream.events()).extracting(SseParser.Received::data).containsExactly("fine");
    }

    @Test
    void badSubscriptionsAreRefusedWithAProblemEvenWhenTheClientAcceptsOnlyEventStreams() throws Exception {
        serve();
        String tooManyTopics = IntStream.rangeClosed(1, 65).mapToObj(i -> "topic=t" + i).collect(Collectors.joining("&"));
        record Case(String query, Map<String, String> headers, String type, String detail) {
        }
        List<Case> cases = List.of(
                new Case("", Map.of(), "invalid-subscription", "topic"),
                new Case("topic=books/%7Bid", Map.of(), "invalid-subscription", "URI template"),
                new Case(tooManyTopics, Map.of(), "invalid-subscription", "at most 64 topics"),
                new Case("topic=t&user=a&since=yesterday", Map.of(), "invalid-subscription", "since"),
                new Case("topic=t&since=last", Map.of(), "invalid-subscription", "user"),
                new Case("topic=t", Map.of("Last-Event-ID", "not-an-id"), "invalid-last-event-id", "not an event id"),
                new Case("topic=t&lastEventId=12%0D%0Aevil", Map.of(), "invalid-last-event-id", "not an event id"));
        List<Answer> answers = new ArrayList<>();
        for (Case c : cases) {
            answers.add(refusedStream(c.query(), c.headers()));
        }

        SoftAssertions.assertSoftly(softly -> {
            for (int i = 0; i < cases.size(); i++) {
                Case c = cases.get(i);
                checkProblem(softly, c.query() + " " + c.headers(), answers.get(i), 400, c.type(), c.detail());
            }
        });
        assertThat(hub().stats().opened()).as("no stream was opened").isZero();
    }

    @Test
    void aMethodThePathDoesNotServeIsRefusedWith405AndAllow() throws Exception {
        serve(hubSettings(), apiSettings().withPresencePath("/presence").withConnectionsPath("/connections"));
        long before = storedEvents();

        Answer put = send(to("/events").put(json("{\"topic\": \"t\", \"data\": \"x\"}")));
        Answer delete = send(to("/events?topic=t").delete());
        Answer postPresence = send(to("/presence").post(json("{}")));
        Answer getConnections = send(to("/connections?user=alice"));

        assertProblem(put, 405, "method-not-allowed");
        assertThat(allowed(put)).containsExactlyInAnyOrder("GET", "POST");
        assertProblem(delete, 405, "method-not-allowed");
        assertThat(allowed(delete)).containsExactlyInAnyOrder("GET", "POST");
        assertProblem(postPresence, 405, "method-not-allowed");
        assertThat(allowed(postPresence)).containsExactly("GET");
        assertProblem(getConnections, 405, "method-not-allowed");
        assertThat(allowed(getConnections)).containsExactly("DELETE");
        assertThat(storedEvents()).isEqualTo(before);
    }

    @Test
    void aUserOverItsConnectionLimitIsRefusedWith429AndRetryAfter() throws Exception {
        serve(hubSettings().limits(ConnectionLimits.of(200, 2).withRetryAfter(Duration.ofSeconds(7))), apiSettings());
        subscribe("topic=t&user=a");
        subscribe("topic=t&user=a");
        awaitLive(2);

        Answer third = refusedStream("topic=t&user=a", Map.of());
        EventStream other = subscribe("topic=t&user=b");

        assertProblem(third, 429, "too-many-connections");
        assertThat(third.header("Retry-After")).isEqualTo("7");
        assertThat(third.json().path("scope").asString()).isEqualTo("user");
        assertThat(third.json().path("limit").asInt()).isEqualTo(2);
        assertThat(other.status()).as("another user is not limited").isEqualTo(200);
    }

    @Test
    void aFullHubRefusesWith503AndRetryAfter() throws Exception {
        serve(hubSettings().limits(ConnectionLimits.of(2, 2).withRetryAfter(Duration.ofSeconds(7))), apiSettings());
        subscribe("topic=t&user=a");
        subscribe("topic=t&user=b");
        awaitLive(2);

        Answer third = refusedStream("topic=t&user=c", Map.of());

        assertProblem(third, 503, "hub-full");
        assertThat(third.header("Retry-After")).isEqualTo("7");
        assertThat(hub().connections()).hasSize(2);
    }

    @Test
    void aPublisherOverItsRateIsRefusedWith429AndRetryAfter() throws Exception {
        // One event every 1,000 s after a burst of 2: the third publish is refused however fast the test runs.
        serve(hubSettings(), apiSettings().withAuthenticator(BEARERS).withPublishRate(0.001, 2));
        long before = storedEvents();
        Map<String, String> alice = Map.of("Authorization", "Bearer alice");

        Answer first = publish("{\"topic\": \"users/alice/outbox\", \"data\": \"1\"}", alice);
        Answer second = publish("{\"topic\": \"users/alice/outbox\", \"data\": \"2\"}", alice);
        Answer third = publish("{\"topic\": \"users/alice/outbox\", \"data\": \"3\"}", alice);

        assertThat(List.of(first.status(), second.status())).containsOnly(201);
        assertProblem(third, 429, "rate-limited");
        assertThat(third.header("Retry-After")).matches("[1-9]\\d*");
        assertThat(storedEvents()).isEqualTo(before + 2);
    }

    @Test
    void anOriginThatIsNotAllowedIsRefusedWith403BeforeAnythingElse() throws Exception {
        serve(hubSettings(), apiSettings().withCorsOrigins(List.of("http://localhost:8081")));
        long before = storedEvents();
        Map<String, String> evil = Map.of("Origin", "http://evil.example");

        Answer subscribe = refusedStream("topic=t", evil);
        Answer publish = publish("{\"topic\": \"t\", \"data\": \"x\"}", evil);
        Answer preflight = send(to("/events").method("OPTIONS", null).header("Origin", "http://evil.example")
                .header("Access-Control-Request-Method", "POST"));

        assertProblem(subscribe, 403, "origin-not-allowed");
        assertProblem(publish, 403, "origin-not-allowed");
        assertProblem(preflight, 403, "origin-not-allowed");
        assertThat(preflight.header("Access-Control-Allow-Origin")).isNull();
        assertThat(storedEvents()).isEqualTo(before);
        assertThat(hub().stats().opened()).isZero();
    }

    @Test
    void allowedOriginsArePreflightedWith204AndGetCorsHeadersWithCredentials() throws Exception {
        serve(hubSettings(), apiSettings().withCorsOrigins(List.of("http://localhost:8081", "https://*.example.com")));

        Answer exact = send(to("/events?topic=t").method("OPTIONS", null).header("Origin", "http://localhost:8081")
                .header("Access-Control-Request-Method", "GET").header("Access-Control-Request-Headers", "last-event-id"));
        Answer pattern = send(to("/events").method("OPTIONS", null).header("Origin", "https://app.example.com")
                .header("Access-Control-Request-Method", "POST").header("Access-Control-Request-Headers", "content-type, authorization"));
        EventStream stream = subscribe("topic=t", Map.of("Origin", "http://localhost:8081"));
        Answer published = publish("{\"topic\": \"t\", \"data\": \"x\"}", Map.of("Origin", "https://app.example.com"));

        for (Answer preflight : List.of(exact, pattern)) {
            assertThat(preflight.status()).as(preflight.toString()).isEqualTo(204);
            assertThat(preflight.header("Access-Control-Allow-Credentials")).isEqualTo("true");
            assertThat(list(preflight.header("Access-Control-Allow-Methods"))).contains("GET", "POST");
            assertThat(list(preflight.header("Access-Control-Allow-Headers")))
                    .contains("AUTHORIZATION", "CONTENT-TYPE", "LAST-EVENT-ID", "CACHE-CONTROL", "X-REQUESTED-WITH");
        }
        assertThat(exact.header("Access-Control-Allow-Origin")).isEqualTo("http://localhost:8081");
        assertThat(pattern.header("Access-Control-Allow-Origin")).isEqualTo("https://app.example.com");
        assertThat(stream.status()).isEqualTo(200);
        assertThat(stream.header("Access-Control-Allow-Origin")).isEqualTo("http://localhost:8081");
        assertThat(stream.header("Access-Control-Allow-Credentials")).isEqualTo("true");
        assertThat(list(stream.header("Access-Control-Expose-Headers"))).contains("LAST-EVENT-ID", "RETRY-AFTER");
        assertThat(published.status()).isEqualTo(201);
        assertThat(published.header("Access-Control-Allow-Origin")).isEqualTo("https://app.example.com");
    }

    // ---------------------------------------------------------------------------------------------
    // The authenticator decides

    @Test
    void aCallerWithoutValidCredentialsIsRefusedWith401AndWwwAuthenticate() throws Exception {
        serve(hubSettings(), apiSettings().withAuthenticator(BEARERS).withPresencePath("/presence").withConnectionsPath("/connections"));
        long before = storedEvents();

        Map<String, Answer> answers = new LinkedHashMap<>();
        answers.put("anonymous subscribe beyond the public topics", refusedStream("topic=users/alice/inbox", Map.of()));
        answers.put("anonymous publish", publish("{\"topic\": \"news\", \"data\": \"x\"}"));
        answers.put("forged token", refusedStream("topic=news", Map.of("Authorization", "Bearer forged")));
        answers.put("token in the query", refusedStream("topic=users/alice/inbox&access_token=s3cr3t-t0ken", Map.of()));
        answers.put("anonymous presence", send(to("/presence?topic=news")));
        answers.put("anonymous end of streams", send(to("/connections?user=alice").delete()));

        SoftAssertions.assertSoftly(softly -> answers.forEach((what, answer) -> {
            checkProblem(softly, what, answer, 401, "unauthenticated", null);
            softly.assertThat(answer.header("WWW-Authenticate")).as(what).startsWith("Bearer");
            softly.assertThat(answer.body()).as("%s: a token is never echoed", what).doesNotContain("s3cr3t-t0ken");
        }));
        assertThat(storedEvents()).isEqualTo(before);
        assertThat(hub().stats().opened()).isZero();
    }

    @Test
    void aCallerAskingBeyondItsGrantsIsRefusedWith403() throws Exception {
        serve(hubSettings(), apiSettings().withAuthenticator(BEARERS).withPresencePath("/presence").withConnectionsPath("/connections"));
        EventStream bob = subscribe("topic=users/bob/inbox", Map.of("Authorization", "Bearer bob"));
        awaitLive(1);
        long before = storedEvents();
        Map<String, String> alice = Map.of("Authorization", "Bearer alice");

        Map<String, Answer> answers = new LinkedHashMap<>();
        answers.put("subscribe to another user's topic", refusedStream("topic=users/bob/inbox", alice));
        answers.put("publish outside the grants", publish("{\"topic\": \"news\", \"data\": \"x\"}", alice));
        answers.put("presence without the grant", send(to("/presence?topic=news").header("Authorization", "Bearer alice")));
        answers.put("end another user's streams", send(to("/connections?user=bob").delete().header("Authorization", "Bearer alice")));

        SoftAssertions.assertSoftly(softly -> answers.forEach((what, answer) -> checkProblem(softly, what, answer, 403, "forbidden", null)));
        assertThat(storedEvents()).isEqualTo(before);
        assertThat(hub().stats().opened()).isEqualTo(1);
        assertThat(bob.ended()).isFalse();
    }

    @Test
    void theAuthenticatorDecidesWhoIsSubscribingAndWhoReceivesPrivateAndTargetedEvents() throws Exception {
        serve(hubSettings(), apiSettings().withAuthenticator(BEARERS));
        EventStream alice = subscribe("topic=news&user=mallory", Map.of("Authorization", "Bearer alice"));
        EventStream bob = subscribe("topic=news", Map.of("Authorization", "Bearer bob"));
        EventStream anonymous = subscribe("topic=news");
        awaitLive(3);
        assertThat(hub().connections()).extracting(ConnectionInfo::userId).as("identity comes from the credentials only")
                .containsExactlyInAnyOrder("alice", "bob", null);
        Map<String, String> publisher = Map.of("Authorization", "Bearer publisher");

        for (String body : List.of(
                "{\"topic\": \"news\", \"data\": \"public\"}",
                "{\"topic\": \"news\", \"data\": \"private\", \"private\": true}",
                "{\"topic\": \"news\", \"data\": \"for alice\", \"users\": [\"alice\"]}",
                "{\"topic\": \"news\", \"data\": \"for bob\", \"users\": [\"bob\"]}",
                "{\"topic\": \"news\", \"data\": \"last\"}")) {
            assertThat(publish(body, publisher).status()).isEqualTo(201);
        }

        for (EventStream stream : List.of(alice, bob, anonymous)) {
            await().until(() -> !stream.events().isEmpty() && stream.events().getLast().data().equals("last"));
        }
        assertThat(alice.events()).extracting(SseParser.Received::data).containsExactly("public", "private", "for alice", "last");
        assertThat(bob.events()).extracting(SseParser.Received::data).containsExactly("public", "for bob", "last");
        assertThat(anonymous.events()).extracting(SseParser.Received::data).containsExactly("public", "last");
    }

    // ---------------------------------------------------------------------------------------------
    // Slow clients

    @Test
    void aSubscriberThatStopsReadingIsDisconnectedWhileOthersReceiveEverything() throws Exception {
        serve(hubSettings().maxDataBytes(64 * 1024).queueCapacity(32), apiSettings().withMaxEventBytes(64 * 1024));
        EventStream stalled = stalledSubscribe("topic=firehose");
        List<EventStream> readers = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            readers.add(subscribe("topic=firehose"));
        }
        awaitLive(5);
        String payload = "x".repeat(32 * 1024);

        // Whatever the transport buffers for the stalled client (socket buffers, an HTTP/2 window
        // of OkHttp's 16 MB) fills up first; 64 MB is far beyond any of them.
        int events = 0;
        for (int wave = 0; wave < 128 && hub().stats().slowDisconnects() == 0; wave++) {
            for (int i = 0; i < 16; i++) {
                hub().publish(Publication.to("firehose").data(payload).build());
                events++;
            }
            int expected = events;
            await().until(() -> readers.stream().allMatch(r -> r.events().size() == expected));
        }

        assertThat(hub().stats().slowDisconnects()).as("the stalled subscriber was dropped").isEqualTo(1);
        hub().publish(Publication.to("firehose").data("after").build());
        int total = events + 1;
        await().until(() -> readers.stream().allMatch(r -> r.events().size() == total));
        assertThat(readers).allSatisfy(r -> assertThat(r.events().getLast().data()).isEqualTo("after"));
        await().until(() -> hub().connections().size() == 4);
        assertThat(stalled.status()).isEqualTo(200);
    }

    // ---------------------------------------------------------------------------------------------
    // Presence, ending streams, shutdown

    @Test
    void presenceCountsTheStreamsOfATopicAndOfAUser() throws Exception {
        serve(hubSettings(), apiSettings().withPresencePath("/presence"));
        subscribe("topic=news&user=alice");
        subscribe("topic=orders/%7Bid%7D&user=alice");
        subscribe("topic=news&user=bob");
        awaitLive(3);

        Answer topic = send(to("/presence?topic=news"));
        Answer template = send(to("/presence?topic=orders/42"));
        Answer user = send(to("/presence?user=alice"));
        Answer absent = send(to("/presence?user=carol"));
        Answer summary = send(to("/presence"));
        Answer both = send(to("/presence?topic=news&user=alice"));

        for (Answer answer : List.of(topic, template, user, absent, summary)) {
            assertThat(answer.status()).as(answer.toString()).isEqualTo(200);
            assertThat(answer.mediaType()).isEqualTo("application/json");
            assertThat(answer.header("Cache-Control")).isEqualTo("no-store");
        }
        assertThat(topic.json()).isEqualTo(JSON.readTree("{\"topic\": \"news\", \"subscribers\": 2}"));
        assertThat(template.json()).isEqualTo(JSON.readTree("{\"topic\": \"orders/42\", \"subscribers\": 1}"));
        assertThat(user.json()).isEqualTo(JSON.readTree("{\"user\": \"alice\", \"connected\": true, \"connections\": 2}"));
        assertThat(absent.json()).isEqualTo(JSON.readTree("{\"user\": \"carol\", \"connected\": false, \"connections\": 0}"));
        assertThat(summary.json()).isEqualTo(JSON.readTree("{\"nodes\": 1, \"connections\": 3}"));
        assertProblem(both, 400, "invalid-query");
    }

    @Test
    void deletingAUsersConnectionsEndsThatUsersStreamsOnly() throws Exception {
        serve(hubSettings(), apiSettings().withConnectionsPath("/connections"));
        EventStream phone = subscribe("topic=news&user=alice");
        EventStream laptop = subscribe("topic=news&user=alice");
        EventStream bob = subscribe("topic=news&user=bob");
        awaitLive(3);

        Answer ended = send(to("/connections?user=alice").delete());
        Answer nobody = send(to("/connections").delete());

        assertThat(ended.status()).isEqualTo(202);
        assertThat(ended.json()).isEqualTo(JSON.readTree("{\"user\": \"alice\", \"ended\": true}"));
        assertThat(phone.awaitEnd(Duration.ofSeconds(10))).isTrue();
        assertThat(laptop.awaitEnd(Duration.ofSeconds(10))).isTrue();
        assertProblem(nobody, 400, "invalid-query");
        publish("{\"topic\": \"news\", \"data\": \"still here\"}");
        await().until(() -> bob.events().size() == 1);
        assertThat(bob.events()).extracting(SseParser.Received::data).as("the request itself is never delivered")
                .containsExactly("still here");
        assertThat(bob.ended()).isFalse();
        await().until(() -> hub().connections().size() == 1);
        assertThat(hub().connections()).extracting(ConnectionInfo::userId).containsExactly("bob");
    }

    @Test
    void closingTheHubEndsEveryStreamAndRefusesWhatComesAfterWith503() throws Exception {
        serve();
        EventStream a = subscribe("topic=t");
        EventStream b = subscribe("topic=u");
        awaitLive(2);
        hub().publish(Publication.to("t", "u").data("before").build());
        await().until(() -> a.events().size() == 1 && b.events().size() == 1);

        hub().close();

        assertThat(a.awaitEnd(Duration.ofSeconds(10))).isTrue();
        assertThat(b.awaitEnd(Duration.ofSeconds(10))).isTrue();
        assertThat(List.of(a, b)).as("ended as HTTP ends a response, not broken off")
                .allSatisfy(stream -> assertThat(stream.failure()).isNull());
        Answer subscribe = refusedStream("topic=t", Map.of());
        Answer publish = publish("{\"topic\": \"t\", \"data\": \"too late\"}");
        for (Answer refused : List.of(subscribe, publish)) {
            assertProblem(refused, 503, "shutting-down");
            assertThat(refused.header("Retry-After")).matches("[1-9]\\d*");
        }
    }

    // ---------------------------------------------------------------------------------------------
    // Settings

    // ---------------------------------------------------------------------------------------------
    // Mercure

    @Test
    void mercureUpdatesCarryTheirOwnIdsAndMeetHeraldsEventsInOneLog() throws Exception {
        serve(hubSettings(), apiSettings().withMercurePath(MERCURE));
        EventStream mercure = subscribeAt(MERCURE, "topic=" + encode("https://example.com/books/{id}") + "&topic=news", Map.of());
        EventStream herald = subscribe("topic=news");
        awaitLive(2);

        Answer given = mercurePublish(form("topic", "https://example.com/books/1", "topic", "https://example.com/all-books",
                "data", "line one\n\nline three", "id", "urn:uuid:e1ee88e2-532a-4d6f-ba70-f0f8bd584022"), Map.of());
        Answer generated = mercurePublish(form("topic", "news", "data", "typed", "type", "news-flash", "retry", "2500"), Map.of());
        Answer unrelated = mercurePublish(form("topic", "https://example.com/authors/1", "data", "not selected"), Map.of());
        String heraldId = idOf(publish("{\"topic\": \"news\", \"data\": \"from Herald\"}"));

        assertThat(given.status()).isEqualTo(200);
        assertThat(given.mediaType()).isEqualTo("text/plain");
        assertThat(given.body()).isEqualTo("urn:uuid:e1ee88e2-532a-4d6f-ba70-f0f8bd584022");
        assertThat(generated.body()).startsWith("urn:uuid:").hasSize("urn:uuid:".length() + 36);
        assertThat(unrelated.status()).isEqualTo(200);
        await().until(() -> mercure.events().size() == 3 && herald.events().size() == 2);
        assertThat(mercure.header("Content-Type")).startsWith("text/event-stream");
        assertThat(mercure.header("Last-Event-ID")).as("the position the stream starts after").isNotBlank();
        assertThat(mercure.text()).contains("id: urn:uuid:e1ee88e2-532a-4d6f-ba70-f0f8bd584022\ndata: line one\ndata: \ndata: line three\n\n");
        assertThat(mercure.text()).contains("id: " + generated.body() + "\nevent: news-flash\nretry: 2500\ndata: typed\n\n");
        assertThat(mercure.events()).extracting(SseParser.Received::data).containsExactly("line one\n\nline three", "typed", "from Herald");
        assertThat(mercure.events().get(2).lastEventId()).as("a Herald event seen by a Mercure client")
                .startsWith("urn:uuid:").isNotEqualTo(heraldId);
        assertThat(herald.events()).extracting(SseParser.Received::data).containsExactly("typed", "from Herald");
        assertThat(herald.events().getLast().lastEventId()).isEqualTo(heraldId);
    }

    @Test
    void mercureSubscribersResumeFromTheHeaderTheQueryOrEarliestWithIdsOfEitherKind() throws Exception {
        serve(hubSettings(), apiSettings().withMercurePath(MERCURE));
        String first = mercurePublish(form("topic", "t", "data", "1", "id", "first-update"), Map.of()).body();
        String second = mercurePublish(form("topic", "t", "data", "2"), Map.of()).body();
        String third = idOf(publish("{\"topic\": \"t\", \"data\": \"3\"}"));

        Map<String, List<String>> resumes = new LinkedHashMap<>();
        resumes.put("lastEventID=first-update", List.of("2", "3"));
        resumes.put("lastEventID=" + encode(second), List.of("3"));
        resumes.put("lastEventID=earliest", List.of("1", "2", "3"));
        resumes.put("lastEventID=" + third, List.of());
        int open = 0;
        for (Map.Entry<String, List<String>> resume : resumes.entrySet()) {
            EventStream stream = subscribeAt(MERCURE, "topic=t&" + resume.getKey(), Map.of());
            awaitLive(++open);
            await().until(() -> stream.events().size() == resume.getValue().size());
            assertThat(stream.events()).as(resume.getKey()).extracting(SseParser.Received::data).containsExactlyElementsOf(resume.getValue());
        }
        EventStream header = subscribeAt(MERCURE, "topic=t&lastEventID=earliest", Map.of("Last-Event-ID", first));
        await().until(() -> header.events().size() == 2);
        assertThat(header.events()).as("the header wins over the query").extracting(SseParser.Received::data).containsExactly("2", "3");
        assertThat(header.header("Last-Event-ID")).isEqualTo(first);
        EventStream unknown = subscribeAt(MERCURE, "topic=t", Map.of("Last-Event-ID", "urn:uuid:3bc3d1bd-4ab3-4bbf-9d0b-5d2b8e3f6b66"));
        await().until(() -> unknown.events().size() == 3);
        assertThat(unknown.header("Last-Event-ID")).as("an id the hub does not know: everything it has").isEqualTo("earliest");
        assertThat(unknown.events()).extracting(SseParser.Received::type).containsOnly("message");
    }

    @Test
    void privateMercureUpdatesReachOnlySubscribersGrantedTheirTopics() throws Exception {
        serve(hubSettings(), apiSettings().withAuthenticator(BEARERS).withMercurePath(MERCURE));
        EventStream alice = subscribeAt(MERCURE, "topic=news", Map.of("Authorization", "Bearer alice"));
        EventStream bob = subscribeAt(MERCURE, "topic=news", Map.of("Authorization", "Bearer bob"));
        EventStream anonymous = subscribeAt(MERCURE, "topic=news", Map.of());
        awaitLive(3);

        mercurePublish(form("topic", "news", "data", "for subscribers of news", "private", ""), Map.of("Authorization", "Bearer publisher"));
        mercurePublish(form("topic", "news", "data", "for everyone"), Map.of("Authorization", "Bearer publisher"));

        await().until(() -> alice.events().size() == 2 && bob.events().size() == 1 && anonymous.events().size() == 1);
        assertThat(alice.events()).extracting(SseParser.Received::data).containsExactly("for subscribers of news", "for everyone");
        assertThat(bob.events()).extracting(SseParser.Received::data).containsExactly("for everyone");
        assertThat(anonymous.events()).extracting(SseParser.Received::data).containsExactly("for everyone");
        EventStream replayed = subscribeAt(MERCURE, "topic=news&lastEventID=earliest", Map.of());
        await().until(() -> replayed.events().size() == 1);
        assertThat(replayed.events()).as("replay keeps private updates private").extracting(SseParser.Received::data).containsExactly("for everyone");
    }

    @Test
    void mercureSubscriptionsAreAnnouncedWhenTheyStartAndEndAndListedToThoseGrantedThem() throws Exception {
        // Heartbeats, so that every transport notices a client that left.
        serve(hubSettings().heartbeat(HeartbeatPolicy.every(Duration.ofMillis(100))),
                apiSettings().withAuthenticator(BEARERS).withMercurePath(MERCURE).withMercureSubscriptions(true));
        Map<String, String> watcher = Map.of("Authorization", "Bearer watcher");
        EventStream updates = subscribeAt(MERCURE, "topic=" + encode(MERCURE + "/subscriptions/{+rest}"), watcher);
        awaitLive(1);
        EventStream alice = subscribeAt(MERCURE, "topic=news&topic=" + encode("users/alice/{+path}"), Map.of("Authorization", "Bearer alice"));

        // The watcher's own subscription first, then Alice's two.
        await().until(() -> updates.events().size() == 3);
        assertThat(JSON.readTree(updates.events().getFirst().data()).path("topic").asString()).isEqualTo(MERCURE + "/subscriptions/{+rest}");
        JsonNode started = JSON.readTree(updates.events().get(1).data());
        String subscriber = started.path("subscriber").asString();
        String newsSubscription = MERCURE + "/subscriptions/news/" + encode(subscriber);
        assertThat(started.path("@context").asString()).isEqualTo("https://mercure.rocks/");
        assertThat(started.path("type").asString()).isEqualTo("Subscription");
        assertThat(started.path("id").asString()).isEqualTo(newsSubscription);
        assertThat(started.path("topic").asString()).isEqualTo("news");
        assertThat(subscriber).startsWith("urn:uuid:");
        assertThat(started.path("active").asBoolean()).isTrue();
        assertThat(started.path("payload").path("name").asString()).isEqualTo("Alice");
        assertThat(JSON.readTree(updates.events().get(2).data()).path("topic").asString()).isEqualTo("users/alice/{+path}");

        Answer all = send(to(MERCURE + "/subscriptions").header("Authorization", "Bearer watcher"));
        assertThat(all.status()).isEqualTo(200);
        assertThat(all.mediaType()).isEqualTo("application/ld+json");
        assertThat(all.json().path("type").asString()).isEqualTo("Subscriptions");
        assertThat(all.json().path("lastEventID").asString()).startsWith("urn:uuid:");
        assertThat(all.json().path("subscriptions").findValuesAsString("topic"))
                .containsExactlyInAnyOrder(MERCURE + "/subscriptions/{+rest}", "news", "users/alice/{+path}");
        Answer news = send(to(MERCURE + "/subscriptions/news").header("Authorization", "Bearer watcher"));
        assertThat(news.json().path("subscriptions").findValuesAsString("subscriber")).containsExactly(subscriber);
        Answer one = send(to(newsSubscription).header("Authorization", "Bearer watcher"));
        assertThat(one.json().path("id").asString()).isEqualTo(newsSubscription);
        assertThat(one.json().path("active").asBoolean()).isTrue();
        assertThat(one.json().has("lastEventID")).isTrue();
        assertProblem(send(to(MERCURE + "/subscriptions")), 401, "unauthenticated");
        assertProblem(send(to(MERCURE + "/subscriptions").header("Authorization", "Bearer bob")), 403, "forbidden");

        alice.close();

        await().until(() -> updates.events().size() == 5);
        JsonNode ended = JSON.readTree(updates.events().get(3).data());
        assertThat(ended.path("subscriber").asString()).isEqualTo(subscriber);
        assertThat(ended.path("active").asBoolean()).isFalse();
        assertProblem(send(to(newsSubscription).header("Authorization", "Bearer watcher")), 404, "not-found");
        assertThat(send(to(MERCURE + "/subscriptions/news").header("Authorization", "Bearer watcher")).json().path("subscriptions")).isEmpty();
    }

    @Test
    void mercureRefusalsAreProblemsAndStoreNothing() throws Exception {
        serve(hubSettings(), apiSettings().withAuthenticator(BEARERS).withMercurePath(MERCURE));
        Map<String, String> publisher = Map.of("Authorization", "Bearer publisher");

        assertProblem(mercurePublish(form("topic", "news", "data", "x"), Map.of()), 401, "unauthenticated");
        assertProblem(mercurePublish(form("topic", "elsewhere", "data", "x"), publisher), 403, "forbidden");
        assertProblem(mercurePublish(form("data", "no topic"), publisher), 400, "invalid-event");
        assertProblem(mercurePublish(form("topic", "news", "id", "line\nbreak"), publisher), 400, "invalid-event");
        assertProblem(mercurePublish(form("topic", "news", "id", "#fragment"), publisher), 400, "invalid-event");
        assertProblem(mercurePublish(form("topic", "news", "id", "42"), publisher), 400, "invalid-event");
        assertProblem(mercurePublish(form("topic", "news", "type", "a\rb"), publisher), 400, "invalid-event");
        assertProblem(mercurePublish(form("topic", "news", "retry", "soon"), publisher), 400, "invalid-event");
        assertProblem(mercurePublish(form("topic", "news", "colour", "blue"), publisher), 400, "invalid-event");
        assertProblem(send(to(MERCURE).post(json("{\"topic\": \"news\"}")).header("Authorization", "Bearer publisher")),
                415, "unsupported-media-type");
        assertProblem(mercurePublish("topic=news&data=%ZZ", publisher), 400, "invalid-event");
        assertProblem(mercurePublish(form("topic", "news", "data", "x".repeat(MAX_EVENT_BYTES + 1)), publisher), 413, "event-too-large");
        assertProblem(refusedStream(MERCURE, "", Map.of()), 400, "invalid-subscription");
        assertProblem(refusedStream(MERCURE, "topic=users/alice/inbox", Map.of()), 401, "unauthenticated");
        assertProblem(refusedStream(MERCURE, "topic=users/alice/inbox", Map.of("Authorization", "Bearer bob")), 403, "forbidden");
        assertThat(storedEvents()).isZero();
    }

    /**
     * The hub of most scenarios: a 100 ms retry, no heartbeats (so the wire holds only what a
     * scenario publishes), 2 streams per user, 32 queued frames per stream, 1 KB events.
     */
    protected static Hub.Builder hubSettings() {
        return Hub.builder().retry(Duration.ofMillis(100)).heartbeat(HeartbeatPolicy.disabled())
                .limits(ConnectionLimits.of(200, 2)).queueCapacity(32).maxDataBytes(MAX_EVENT_BYTES);
    }

    /** The API of most scenarios: callers trusted as {@code ?user=} names them, 1 KB events. */
    protected static ApiSettings apiSettings() {
        return ApiSettings.defaults().withMaxEventBytes(MAX_EVENT_BYTES);
    }

    // ---------------------------------------------------------------------------------------------
    // Helpers

    /** Starts the transport with {@link #hubSettings()} and {@link #apiSettings()}. */
    protected final Transport serve() throws Exception {
        return serve(hubSettings(), apiSettings());
    }

    /** Starts the transport for this scenario, with clients that speak its protocol. */
    protected final Transport serve(Hub.Builder hub, ApiSettings api) throws Exception {
        if (transport != null) {
            throw new IllegalStateException("a scenario serves once");
        }
        transport = start(hub, api);
        // No silent retries: a refusal on a connection the server then closes is seen as it is.
        client = keep(transport.newClient().callTimeout(Duration.ofSeconds(10)).retryOnConnectionFailure(false)
                .followRedirects(false).build());
        // Shares the connections; no read timeout, as a stream may stay quiet (it is closed at the end).
        streaming = client.newBuilder().callTimeout(Duration.ZERO).readTimeout(Duration.ZERO).build();
        return transport;
    }

    @AfterEach
    void stopTransport() {
        streams.forEach(EventStream::close);
        if (transport != null) {
            transport.close();
        }
        for (OkHttpClient each : clients) {
            each.dispatcher().executorService().shutdown();
            each.connectionPool().evictAll();
        }
    }

    protected final Hub hub() {
        return transport.hub();
    }

    protected final URI uri(String pathAndQuery) {
        return transport.baseUri().resolve(pathAndQuery);
    }

    /** A request to this path and query on the transport. */
    protected final Request.Builder to(String pathAndQuery) {
        return new Request.Builder().url(uri(pathAndQuery).toString());
    }

    /** Sends a request and reads the whole answer, after checking the protocol it used. */
    protected final Answer send(Request.Builder request) throws IOException {
        return send(client, request);
    }

    private Answer send(OkHttpClient with, Request.Builder request) throws IOException {
        try (Response response = with.newCall(request.build()).execute()) {
            Answer answer = new Answer(response.code(), response.headers(), response.body().string(), response.protocol());
            checkProtocol(answer.protocol(), answer);
            return answer;
        }
    }

    /** {@code POST /events} with a JSON body. */
    protected final Answer publish(String json) throws IOException {
        return publish(json, Map.of());
    }

    protected final Answer publish(String json, Map<String, String> headers) throws IOException {
        Request.Builder request = to("/events").post(json(json));
        headers.forEach(request::header);
        return send(request);
    }

    /** {@code GET /events?query} as an {@code EventSource} sends it; the body is read as it comes. */
    protected final EventStream subscribe(String query) throws IOException {
        return subscribe(query, Map.of());
    }

    protected final EventStream subscribe(String query, Map<String, String> headers) throws IOException {
        EventStream stream = keep(EventStream.open(streaming.newCall(subscribeRequest(query, headers)), true));
        checkProtocol(stream.protocol(), stream);
        return stream;
    }

    /** A subscribe whose answer is a refusal: the whole answer, once the server has ended it. */
    protected final Answer refusedStream(String query, Map<String, String> headers) throws Exception {
        EventStream stream = subscribe(query, headers);
        assertThat(stream.awaitEnd(Duration.ofSeconds(10))).as("a refusal ends: %s", stream).isTrue();
        return stream.toAnswer();
    }

    /**
     * A subscriber that reads the answer's head and then nothing more, over its own connection with
     * a small receive buffer: the server soon cannot write to it, as to a client on a stalled network.
     */
    protected final EventStream stalledSubscribe(String query) throws IOException {
        OkHttpClient stalling = keep(transport.newClient().socketFactory(new SmallReceiveBuffers()).readTimeout(Duration.ZERO).build());
        EventStream stream = keep(EventStream.open(stalling.newCall(subscribeRequest(query, Map.of())), false));
        checkProtocol(stream.protocol(), stream);
        return stream;
    }

    /** {@code POST} of a URL-encoded form to the Mercure path. */
    protected final Answer mercurePublish(String form, Map<String, String> headers) throws IOException {
        Request.Builder request = to(MERCURE).post(RequestBody.create(form.getBytes(StandardCharsets.US_ASCII), FORM_TYPE));
        headers.forEach(request::header);
        return send(request);
    }

    /** A URL-encoded form of name, value pairs. */
    protected static String form(String... pairs) {
        StringBuilder form = new StringBuilder();
        for (int i = 0; i < pairs.length; i += 2) {
            form.append(i == 0 ? "" : "&").append(encode(pairs[i])).append('=').append(encode(pairs[i + 1]));
        }
        return form.toString();
    }

    private static String encode(String text) {
        return java.net.URLEncoder.encode(text, StandardCharsets.UTF_8);
    }

    /** {@code GET path?query} as an {@code EventSource} sends it. */
    protected final EventStream subscribeAt(String path, String query, Map<String, String> headers) throws IOException {
        EventStream stream = keep(EventStream.open(streaming.newCall(subscribeRequest(path, query, headers)), true));
        checkProtocol(stream.protocol(), stream);
        return stream;
    }

    /** A subscribe at this path whose answer is a refusal. */
    protected final Answer refusedStream(String path, String query, Map<String, String> headers) throws Exception {
        EventStream stream = subscribeAt(path, query, headers);
        assertThat(stream.awaitEnd(Duration.ofSeconds(10))).as("a refusal ends: %s", stream).isTrue();
        return stream.toAnswer();
    }

    /** Waits until the hub holds this many streams, all live (replay done). */
    protected final void awaitLive(int connections) {
        await().until(() -> hub().connections().size() == connections
                && hub().connections().stream().allMatch(c -> c.state() == ConnectionInfo.State.LIVE));
    }

    /** How many events the hub's log holds. */
    protected final long storedEvents() {
        return hub().eventLog().readAfter(0, 100_000).events().size();
    }

    /** Asserts a refusal: the status, and an RFC 9457 problem body of this type with the same status. */
    protected static void assertProblem(Answer answer, int status, String type) {
        SoftAssertions.assertSoftly(softly -> checkProblem(softly, type, answer, status, type, null));
    }

    private static void checkProblem(SoftAssertions softly, String what, Answer answer, int status, String type, String detail) {
        softly.assertThat(answer.status()).as("%s: status of %s", what, answer).isEqualTo(status);
        softly.assertThat(answer.mediaType()).as("%s: media type of %s", what, answer).isEqualTo("application/problem+json");
        if (!"application/problem+json".equals(answer.mediaType())) {
            return;
        }
        JsonNode problem = answer.json();
        softly.assertThat(problem.path("type").asString()).as("%s: type", what).isEqualTo("urn:herald:problem:" + type);
        softly.assertThat(problem.path("status").asInt()).as("%s: status member", what).isEqualTo(status);
        softly.assertThat(problem.path("title").asString()).as("%s: title", what).isNotBlank();
        softly.assertThat(problem.path("detail").asString()).as("%s: detail", what).isNotBlank();
        if (detail != null) {
            softly.assertThat(problem.path("detail").asString()).as("%s: detail", what).contains(detail);
        }
        if (problem.has("instance")) {
            // The path only: a query may carry a token.
            softly.assertThat(problem.path("instance").asString()).as("%s: instance", what).startsWith("/").doesNotContain("?");
        }
    }

    private void checkProtocol(Protocol used, Object exchange) {
        assertThat(used).as("the protocol of %s with %s", exchange, transport).isEqualTo(transport.protocol());
    }

    private Request subscribeRequest(String query, Map<String, String> headers) {
        return subscribeRequest("/events", query, headers);
    }

    private Request subscribeRequest(String path, String query, Map<String, String> headers) {
        Request.Builder request = to(path + (query.isEmpty() ? "" : "?" + query)).header("Accept", "text/event-stream");
        headers.forEach(request::header);
        return request.build();
    }

    private static RequestBody json(String body) {
        // As bytes: OkHttp would add "; charset=utf-8" to a String body's media type.
        return RequestBody.create(body.getBytes(StandardCharsets.UTF_8), JSON_TYPE);
    }

    private static String idOf(Answer created) {
        assertThat(created.status()).as(created.toString()).isEqualTo(201);
        return created.json().path("id").asString();
    }

    /** The methods of an {@code Allow} header. */
    private static List<String> allowed(Answer answer) {
        return list(answer.header("Allow"));
    }

    /** A comma-separated header value as upper-case tokens. */
    private static List<String> list(String header) {
        return header == null ? List.of()
                : Arrays.stream(header.split(",")).map(String::trim).filter(s -> !s.isEmpty()).map(s -> s.toUpperCase(Locale.ROOT)).toList();
    }

    /** Reads n messages' data from an EventSource, within 10 s. */
    private static List<String> readMessages(EventSource source, int n) throws Exception {
        return CompletableFuture.supplyAsync(() -> {
            List<String> data = new ArrayList<>();
            while (data.size() < n) {
                try {
                    data.add(source.readMessage().getData());
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            }
            return data;
        }, task -> Thread.ofVirtual().name("event-source-reader").start(task)).get(10, TimeUnit.SECONDS);
    }

    private OkHttpClient keep(OkHttpClient made) {
        clients.add(made);
        return made;
    }

    private EventStream keep(EventStream stream) {
        streams.add(stream);
        return stream;
    }

    /** Sockets with a small receive buffer, so that a client that stops reading stalls the server's writes soon. */
    private static final class SmallReceiveBuffers extends SocketFactory {

        @Override
        public Socket createSocket() throws IOException {
            Socket socket = new Socket();
            socket.setReceiveBufferSize(4096);
            return socket;
        }

        @Override
        public Socket createSocket(String host, int port) throws IOException {
            throw new UnsupportedOperationException("OkHttp connects the sockets it creates");
        }

        @Override
        public Socket createSocket(String host, int port, InetAddress localHost, int localPort) throws IOException {
            throw new UnsupportedOperationException("OkHttp connects the sockets it creates");
        }

        @Override
        public Socket createSocket(InetAddress host, int port) throws IOException {
            throw new UnsupportedOperationException("OkHttp connects the sockets it creates");
        }

        @Override
        public Socket createSocket(InetAddress address, int port, InetAddress localAddress, int localPort) throws IOException {
            throw new UnsupportedOperationException("OkHttp connects the sockets it creates");
        }
    }
}
