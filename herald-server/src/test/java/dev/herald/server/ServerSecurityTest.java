package dev.herald.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.herald.core.ConnectionInfo;
import dev.herald.core.Hub;
import dev.herald.core.testing.SseParser.Received;
import dev.herald.core.testing.SseWireClient;
import dev.herald.http.TokenMinter;
import dev.herald.spring.testing.RunningServer;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.InstantSource;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;

/**
 * The standalone server with a token secret configured, as it would face the internet: who may
 * subscribe to what, who receives private and targeted events (live and in replay), who may
 * publish, ask for presence or end streams, and what the seed endpoints make of identity.
 */
@SpringBootTest(properties = {
    "server.port=0",
    "herald.data-dir=target/test-data/${random.uuid}",
    "herald.history.store=memory",
    "herald.auth.jwt.secret=" + ServerSecurityTest.SECRET,
    "herald.auth.public-topics=news,demo/sse",
    "herald.limits.publish-rate=20",
    "herald.demo.stream-interval=1h",
    "herald.heartbeat=1s",
})
@ExtendWith(OutputCaptureExtension.class)
class ServerSecurityTest {

    static final String SECRET = "test-secret-that-is-at-least-32-bytes-long";

    @Autowired
    Hub hub;

    @RegisterExtension
    final RunningServer server = new RunningServer();

    private static String token(String subject, List<String> subscribe, List<String> publish, boolean presence, boolean admin,
            Duration lifetime) {
        return TokenMinter.hs256(SECRET.getBytes(StandardCharsets.UTF_8), subject, subscribe, publish, presence, admin, lifetime,
                InstantSource.system());
    }

    private static String user(String name) {
        return token(name, List.of("users/" + name + "/{+path}"), List.of("users/" + name + "/outbox"), false, false, Duration.ofMinutes(5));
    }

    private static final String ADMIN = token("ops", List.of(), List.of(), false, true, Duration.ofMinutes(5));

    private SseWireClient subscribe(String pathAndQuery, String token) throws Exception {
        return token == null ? server.stream(pathAndQuery) : server.stream(pathAndQuery, Map.of("Authorization", "Bearer " + token));
    }

    private HttpResponse<String> publish(String json, Map<String, String> headers) throws Exception {
        HttpRequest.Builder request = server.request("/events")
                .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(json));
        headers.forEach(request::header);
        return server.send(request);
    }

    private HttpResponse<String> publish(String json, String token) throws Exception {
        return publish(json, token == null ? Map.of() : Map.of("Authorization", "Bearer " + token));
    }

    private HttpResponse<String> send(String method, String pathAndQuery, String token) throws Exception {
        HttpRequest.Builder request = server.request(pathAndQuery).method(method, HttpRequest.BodyPublishers.noBody());
        if (token != null) {
            request.header("Authorization", "Bearer " + token);
        }
        return server.send(request);
    }

    private long stored() {
        return hub.eventLog().readAfter(0, 100_000).events().size();
    }

    private static List<String> data(SseWireClient stream) {
        return stream.parser().events().stream().filter(e -> !e.type().equals("herald-reset")).map(Received::data).toList();
    }

    @Test
    void anonymousCallersReadPublicTopicsOnlyAndNeverPublish() throws Exception {
        long before = stored();

        SseWireClient news = subscribe("/events?topic=news", null);
        SseWireClient someoneElses = subscribe("/events?topic=users/alice/inbox", null);
        HttpResponse<String> published = publish("{\"topic\":\"news\",\"data\":\"spam\"}", (String) null);

        assertThat(news.status()).isEqualTo(200);
        assertThat(someoneElses.status()).isEqualTo(401);
        someoneElses.awaitEnd(Duration.ofSeconds(5));
        assertThat(someoneElses.text()).contains("urn:herald:problem:unauthenticated");
        assertThat(published.statusCode()).isEqualTo(401);
        assertThat(published.headers().firstValue("WWW-Authenticate")).isPresent();
        assertThat(stored()).isEqualTo(before);
    }

    @Test
    void aTokenBoundsWhatItsHolderMaySubscribeToAndPublish() throws Exception {
        long before = stored();
        SseWireClient own = subscribe("/events?topic=users/alice/inbox", user("alice"));
        SseWireClient bobs = subscribe("/events?topic=users/bob/inbox", user("alice"));
        SseWireClient everything = subscribe("/events?topic=*", user("alice"));

        assertThat(own.status()).isEqualTo(200);
        assertThat(bobs.status()).isEqualTo(403);
        assertThat(everything.status()).isEqualTo(403);
        assertThat(publish("{\"topic\":\"users/bob/outbox\",\"data\":\"x\"}", user("alice")).statusCode()).isEqualTo(403);
        assertThat(stored()).isEqualTo(before);
        assertThat(publish("{\"topic\":\"users/alice/outbox\",\"data\":\"x\"}", user("alice")).statusCode()).isEqualTo(201);
    }

    @Test
    void privateAndTargetedEventsReachOnlyEntitledStreamsLiveAndInReplay() throws Exception {
        String alice = token("alice", List.of("orders/{id}"), List.of(), false, false, Duration.ofMinutes(5));
        String bob = token("bob", List.of(), List.of(), false, false, Duration.ofMinutes(5));
        SseWireClient aliceNews = subscribe("/events?topic=news", alice);
        SseWireClient aliceOrders = subscribe("/events?topic=orders/7", alice);
        SseWireClient bobNews = subscribe("/events?topic=news", bob);
        SseWireClient anonymousNews = subscribe("/events?topic=news", null);
        server.awaitLive(4);
        String start = anonymousNews.header("Last-Event-ID");

        assertThat(publish("{\"topic\":\"news\",\"data\":\"public\"}", ADMIN).statusCode()).isEqualTo(201);
        assertThat(publish("{\"topic\":\"news\",\"data\":\"for alice\",\"users\":[\"alice\"]}", ADMIN).statusCode()).isEqualTo(201);
        assertThat(publish("{\"topic\":\"news\",\"data\":\"private news\",\"private\":true}", ADMIN).statusCode()).isEqualTo(201);
        assertThat(publish("{\"topic\":\"orders/7\",\"data\":\"private order\",\"private\":true}", ADMIN).statusCode()).isEqualTo(201);
        assertThat(publish("{\"topic\":\"news\",\"data\":\"last\"}", ADMIN).statusCode()).isEqualTo(201);

        await().until(() -> data(anonymousNews).contains("last") && data(bobNews).contains("last") && data(aliceNews).contains("last")
                && data(aliceOrders).contains("private order"));
        assertThat(data(anonymousNews)).containsExactly("public", "last");
        assertThat(data(bobNews)).containsExactly("public", "last");
        assertThat(data(aliceNews)).containsExactly("public", "for alice", "last");
        assertThat(data(aliceOrders)).containsExactly("private order");

        // Replay applies the same rules: nothing leaks through history.
        SseWireClient anonymousReplay = server.stream("/events?topic=news", Map.of("Last-Event-ID", start));
        SseWireClient bobReplay = server.stream("/events?topic=news", Map.of("Last-Event-ID", start, "Authorization", "Bearer " + bob));
        SseWireClient aliceReplay = server.stream("/events?topic=news", Map.of("Last-Event-ID", start, "Authorization", "Bearer " + alice));
        await().until(() -> data(anonymousReplay).contains("last") && data(bobReplay).contains("last") && data(aliceReplay).contains("last"));
        assertThat(data(anonymousReplay)).containsExactly("public", "last");
        assertThat(data(bobReplay)).containsExactly("public", "last");
        assertThat(data(aliceReplay)).containsExactly("public", "for alice", "last");
    }

    @Test
    void identityComesFromTheTokenNeverFromTheUserParameter() throws Exception {
        subscribe("/events?topic=news&user=alice", user("bob"));
        subscribe("/events?topic=news&user=alice", null);
        server.awaitLive(2);

        assertThat(hub.connections()).extracting(ConnectionInfo::userId).containsExactlyInAnyOrder("bob", null);
        SseWireClient sinceLast = subscribe("/events?topic=news&since=last&user=alice", null);
        assertThat(sinceLast.status()).isEqualTo(401);
        SseWireClient anonymousClientId = subscribe("/events?topic=news&clientId=tab-1", null);
        assertThat(anonymousClientId.status()).isEqualTo(400);
    }

    @Test
    void aStrangerCannotExhaustAnotherUsersConnections() throws Exception {
        for (int i = 0; i < 20; i++) {
            SseWireClient stream = subscribe("/events?topic=news&user=victim", null);
            assertThat(stream.status()).isEqualTo(200);
        }
        server.awaitLive(20);

        SseWireClient victim = subscribe("/events?topic=users/victim/inbox", user("victim"));

        assertThat(victim.status()).isEqualTo(200);
    }

    @Test
    void presenceNeedsItsGrant() throws Exception {
        String watcher = token("watcher", List.of(), List.of(), true, false, Duration.ofMinutes(5));

        assertThat(send("GET", "/presence?user=alice", null).statusCode()).isEqualTo(401);
        assertThat(send("GET", "/presence?user=alice", user("alice")).statusCode()).isEqualTo(403);
        HttpResponse<String> allowed = send("GET", "/presence?user=alice", watcher);
        assertThat(allowed.statusCode()).isEqualTo(200);
        assertThat(allowed.body()).contains("\"connected\":false");
    }

    @Test
    void anAdminOrTheUserItselfEndsAUsersStreams() throws Exception {
        SseWireClient first = subscribe("/events?topic=users/alice/inbox", user("alice"));
        SseWireClient second = subscribe("/events?topic=news", user("alice"));
        SseWireClient others = subscribe("/events?topic=news", user("bob"));
        server.awaitLive(3);

        assertThat(send("DELETE", "/connections?user=alice", user("bob")).statusCode()).isEqualTo(403);
        assertThat(send("DELETE", "/connections?user=alice", null).statusCode()).isEqualTo(401);
        HttpResponse<String> ended = send("DELETE", "/connections?user=alice", ADMIN);

        assertThat(ended.statusCode()).isEqualTo(202);
        assertThat(first.awaitEnd(Duration.ofSeconds(5))).isTrue();
        assertThat(second.awaitEnd(Duration.ofSeconds(5))).isTrue();
        assertThat(others.ended()).isFalse();
        SseWireClient again = subscribe("/events?topic=news", user("carol"));
        server.awaitLive(2);
        assertThat(send("DELETE", "/connections?user=carol", user("carol")).statusCode()).isEqualTo(202);
        assertThat(again.awaitEnd(Duration.ofSeconds(5))).isTrue();
    }

    @Test
    void aStreamEndsWhenItsTokenExpiresAndResumesWithAFreshOneLosingNothing() throws Exception {
        String shortLived = token("dora", List.of("users/dora/{+path}"), List.of(), false, false, Duration.ofSeconds(2));
        SseWireClient stream = subscribe("/events?topic=users/dora/inbox", shortLived);
        server.awaitLive(1);
        publish("{\"topic\":\"users/dora/inbox\",\"data\":\"one\"}", ADMIN);
        await().until(() -> data(stream).contains("one"));

        assertThat(stream.awaitEnd(Duration.ofSeconds(10))).isTrue();
        publish("{\"topic\":\"users/dora/inbox\",\"data\":\"while away\"}", ADMIN);
        SseWireClient resumed = server.stream("/events?topic=users/dora/inbox",
                Map.of("Last-Event-ID", stream.parser().lastEventId(), "Authorization", "Bearer " + user("dora")));

        await().until(() -> data(resumed).contains("while away"));
        assertThat(data(resumed)).containsExactly("while away");
    }

    @Test
    void aCookieMayPublishOnlyFromAnAllowedOrigin() throws Exception {
        String cookie = "herald_token=" + user("erin");
        String json = "{\"topic\":\"users/erin/outbox\",\"data\":\"x\"}";
        long before = stored();

        HttpResponse<String> noOrigin = publish(json, Map.of("Cookie", cookie));
        HttpResponse<String> elsewhere = publish(json, Map.of("Cookie", cookie, "Origin", "https://evil.example"));

        assertThat(noOrigin.statusCode()).isEqualTo(403);
        assertThat(noOrigin.body()).contains("origin-not-allowed");
        assertThat(elsewhere.statusCode()).isEqualTo(403);
        assertThat(stored()).isEqualTo(before);
        HttpResponse<String> sameOrigin = publish(json, Map.of("Cookie", cookie, "Origin", "http://127.0.0.1:" + server.port()));
        assertThat(sameOrigin.statusCode()).isEqualTo(201);
    }

    @Test
    void theSeedEndpointsTakeTheUserFromTheToken() throws Exception {
        SseWireClient streamSse = subscribe("/stream-sse?user=mallory", user("alice"));
        SseWireClient connectAsBob = subscribe("/connect/bob", user("alice"));
        SseWireClient connectAsAlice = subscribe("/connect/alice", user("alice"));
        SseWireClient anonymousStream = subscribe("/stream-sse?user=alice", null);

        await().until(() -> !streamSse.parser().events().isEmpty());
        assertThat(streamSse.parser().events().getFirst().data()).isEqualTo("alice");
        assertThat(connectAsBob.status()).isEqualTo(403);
        assertThat(connectAsAlice.status()).isEqualTo(200);
        assertThat(anonymousStream.status()).isEqualTo(401);
        assertThat(publish("{\"topic\":\"users/bob\",\"data\":\"into bob's inbox\"}", user("alice")).statusCode()).isEqualTo(403);
    }

    @Test
    void aPublisherOverItsRateIsRefusedWithRetryAfter() throws Exception {
        String fast = token("fast", List.of(), List.of("ticks"), false, false, Duration.ofMinutes(5));
        long before = stored();
        int accepted = 0;
        HttpResponse<String> refused = null;
        for (int i = 0; i < 200 && refused == null; i++) {
            HttpResponse<String> response = publish("{\"topic\":\"ticks\",\"data\":\"" + i + "\"}", fast);
            if (response.statusCode() == 201) {
                accepted++;
            } else {
                refused = response;
            }
        }

        assertThat(refused).isNotNull();
        assertThat(refused.statusCode()).isEqualTo(429);
        assertThat(refused.body()).contains("urn:herald:problem:rate-limited");
        assertThat(refused.headers().firstValue("Retry-After")).isPresent();
        assertThat(stored() - before).isEqualTo(accepted);
    }

    @Test
    void queryTokensNeverReachTheLog(CapturedOutput output) throws Exception {
        String token = user("frank");
        String expired = TokenMinter.hs256(SECRET.getBytes(StandardCharsets.UTF_8), "frank", List.of(), List.of(), false, false,
                Duration.ofMinutes(1), InstantSource.fixed(java.time.Instant.now().minus(Duration.ofHours(2))));

        subscribe("/events?topic=users/frank/inbox&access_token=" + token, null);
        subscribe("/events?topic=users/frank/inbox&access_token=" + expired, null).awaitEnd(Duration.ofSeconds(5));
        subscribe("/events?topic=users/frank/inbox&lastEventId=garbage&access_token=" + token, null).awaitEnd(Duration.ofSeconds(5));
        server.awaitLive(1);

        assertThat(output.getAll()).doesNotContain(token).doesNotContain(expired);
    }

    @Test
    void aCookieSentOnAnotherSitesBehalfOpensNoStream() throws Exception {
        String cookie = "herald_token=" + user("gina");

        SseWireClient crossSite = server.stream("/events?topic=users/gina/inbox&since=last",
                Map.of("Cookie", cookie, "Sec-Fetch-Site", "cross-site", "Sec-Fetch-Dest", "image"));
        SseWireClient sameOrigin = server.stream("/events?topic=users/gina/inbox",
                Map.of("Cookie", cookie, "Sec-Fetch-Site", "same-origin"));

        assertThat(crossSite.status()).isEqualTo(403);
        crossSite.awaitEnd(Duration.ofSeconds(5));
        assertThat(crossSite.text()).contains("origin-not-allowed");
        assertThat(sameOrigin.status()).isEqualTo(200);
    }

    @Test
    void aSubjectThatLooksLikeATemplateIsOnlyItself() throws Exception {
        String braces = token("{+x}", List.of(), List.of(), false, false, Duration.ofMinutes(5));
        SseWireClient stream = subscribe("/stream-sse", braces);
        await().until(() -> !stream.parser().events().isEmpty());
        server.awaitLive(1);

        publish("{\"topic\":\"users/alice\",\"data\":\"alice's, not for {+x}\"}", ADMIN);
        publish("{\"topic\":\"users/{+x}\",\"data\":\"for {+x}\"}", ADMIN);

        await().until(() -> data(stream).contains("for {+x}"));
        assertThat(data(stream)).doesNotContain("alice's, not for {+x}");
    }
}
