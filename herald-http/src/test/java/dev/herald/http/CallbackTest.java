package dev.herald.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.herald.core.TopicSelector;
import dev.herald.core.testing.MutableClock;
import dev.herald.http.testing.FakeRequest;
import dev.herald.http.testing.LocalHttpServer;
import dev.herald.http.testing.LocalHttpServer.Reply;
import dev.herald.http.testing.Tokens;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.json.JsonMapper;

/** The application's authorization callback, served by a real HTTP server. */
class CallbackTest {

    private static final Instant NOW = Instant.parse("2026-01-01T00:00:00Z");
    private static final String ALICE = """
            {"user": "alice", "subscribe": ["users/alice/{+path}"], "publish": ["users/alice/outbox"],
             "presence": true, "admin": false, "expiresAt": %d}""".formatted(NOW.plusSeconds(3600).getEpochSecond());

    private final MutableClock clock = new MutableClock(NOW);
    private final CountDownLatch release = new CountDownLatch(1);
    private final LocalHttpServer application = LocalHttpServer.start(request -> Reply.json(200, ALICE));

    @AfterEach
    void stop() {
        release.countDown();
        application.close();
    }

    private Authentication.Builder withCallback() {
        return withCallback(Duration.ofSeconds(30));
    }

    private Authentication.Builder withCallback(Duration cacheFor) {
        return Authentication.builder().callback(application.uri("/auth"), Duration.ofMillis(500), cacheFor)
                .publicTopics(List.of("news")).clock(clock);
    }

    private static FakeRequest.Builder session(String id) {
        return FakeRequest.get("/events").query("topic", "users/alice/inbox").cookie("SESSION", id).remoteAddress("10.1.2.3");
    }

    private int calls() {
        return application.requests().size();
    }

    private static List<String> values(List<TopicSelector> selectors) {
        return selectors.stream().map(TopicSelector::value).toList();
    }

    @Test
    void postsWhatTheRequestCarriesAsJson() {
        withCallback().build().authenticate(FakeRequest.get("/events").query("topic", "a", "b")
                .cookie("SESSION", "s3cr3t").cookie("theme", "\"dark\"")
                .header("Authorization", "Bearer opaque-app-token").remoteAddress("10.1.2.3").build());

        LocalHttpServer.Recorded call = application.requests().getFirst();
        assertThat(call.method()).isEqualTo("POST");
        assertThat(call.path()).isEqualTo("/auth");
        assertThat(call.headers()).containsEntry("content-type", "application/json");
        assertThat(JsonMapper.builder().build().readValue(call.body(), Map.class)).isEqualTo(Map.of(
                "method", "GET",
                "path", "/events",
                "topics", List.of("a", "b"),
                "cookies", Map.of("SESSION", "s3cr3t", "theme", "dark"),
                "authorization", "Bearer opaque-app-token",
                "remoteAddress", "10.1.2.3"));
    }

    @Test
    void absentCredentialsAreSentAsNullAndEmpty() {
        withCallback().build().authenticate(FakeRequest.post("/events").remoteAddress(null).build());

        assertThat(application.requests().getFirst().body()).isEqualTo(
                "{\"method\":\"POST\",\"path\":\"/events\",\"topics\":[],\"cookies\":{},\"authorization\":null,\"remoteAddress\":null}");
    }

    @Test
    void aGrantBecomesTheCallersAccess() {
        Access access = withCallback().build().authenticate(session("abc").build());

        assertThat(access.userId()).isEqualTo("alice");
        assertThat(values(access.subscribe())).containsExactly("users/alice/{+path}", "news");
        assertThat(values(access.privateTopics())).containsExactly("users/alice/{+path}");
        assertThat(values(access.publish())).containsExactly("users/alice/outbox");
        assertThat(access.presence()).isTrue();
        assertThat(access.admin()).isFalse();
        assertThat(access.expiresAt()).isEqualTo(NOW.plusSeconds(3600));
        assertThat(access.credential()).isEqualTo(Access.Credential.COOKIE);
    }

    @Test
    void theCredentialIsTheHeaderElseTheCookiesElseTheQuery() {
        HeraldAuthenticator auth = withCallback().build();

        assertThat(auth.authenticate(session("abc").header("Authorization", "Basic YTpi").build()).credential())
                .isEqualTo(Access.Credential.HEADER);
        assertThat(auth.authenticate(session("abc").build()).credential()).isEqualTo(Access.Credential.COOKIE);
        assertThat(auth.authenticate(FakeRequest.get("/events").query("key", "k").build()).credential())
                .isEqualTo(Access.Credential.QUERY);
    }

    @Test
    void aGrantWithoutUserOrMembersGrantsOnlyWhatItSays() {
        application.answer(request -> Reply.json(200, "{\"subscribe\": [\"lobby\"], \"user\": null}"));

        Access access = withCallback().anonymous(false).build().authenticate(session("abc").build());

        assertThat(access.userId()).isNull();
        assertThat(values(access.subscribe())).containsExactly("lobby");
        assertThat(access.publish()).isEmpty();
        assertThat(access.presence()).isFalse();
        assertThat(access.expiresAt()).isNull();
    }

    @Test
    void a401IsAnAuthenticationRefusalWithTheApplicationsDetail() {
        application.answer(request -> new Reply(401, "application/problem+json", "{\"title\": \"Unauthorized\", \"detail\": \"log in again\"}"));

        assertThatThrownBy(() -> withCallback().build().authenticate(session("expired").build()))
                .isInstanceOf(AuthenticationRequiredException.class)
                .hasMessage("log in again");
    }

    @Test
    void a401WithoutDetailGetsAGenericMessage() {
        application.answer(request -> Reply.empty(401));

        assertThatThrownBy(() -> withCallback().build().authenticate(session("expired").build()))
                .isInstanceOf(AuthenticationRequiredException.class)
                .hasMessage("the application did not recognize the caller");
    }

    @Test
    void a403IsAnAccessRefusal() {
        application.answer(request -> Reply.json(403, "{\"detail\": \"banned\"}"));
        HeraldAuthenticator auth = withCallback().build();
        assertThatThrownBy(() -> auth.authenticate(session("banned").build()))
                .isInstanceOf(AccessDeniedException.class)
                .hasMessage("banned");

        application.answer(request -> new Reply(403, "text/plain", "no"));
        assertThatThrownBy(() -> auth.authenticate(session("other").build()))
                .isInstanceOf(AccessDeniedException.class)
                .hasMessage("the application refused the request");
    }

    @Test
    void aSlowCallbackIsUnavailable() {
        application.answer(request -> {
            awaitRelease();
            return Reply.json(200, ALICE);
        });

        assertThatThrownBy(() -> withCallback().build().authenticate(session("abc").build()))
                .isInstanceOf(AuthenticationUnavailableException.class)
                .hasMessageContaining("did not answer within 500 ms");
    }

    @Test
    void aServerErrorIsUnavailable() {
        application.answer(request -> Reply.empty(500));

        assertThatThrownBy(() -> withCallback().build().authenticate(session("abc").build()))
                .isInstanceOf(AuthenticationUnavailableException.class)
                .hasMessageContaining("answered 500");
    }

    @Test
    void anUnreachableCallbackIsUnavailable() {
        URI url = application.uri("/auth");
        application.close();

        assertThatThrownBy(() -> Authentication.builder().callback(url).build().authenticate(session("abc").build()))
                .isInstanceOf(AuthenticationUnavailableException.class)
                .hasMessageContaining("cannot be reached");
    }

    @Test
    void malformedAnswersAreUnavailable() {
        HeraldAuthenticator auth = withCallback(Duration.ZERO).build();
        for (String answer : List.of("not json", "[]", "{\"user\": 5}", "{\"subscribe\": \"a\"}", "{\"subscribe\": [\"\"]}",
                "{\"publish\": [1]}", "{\"presence\": \"yes\"}", "{\"expiresAt\": \"tomorrow\"}")) {
            application.answer(request -> Reply.json(200, answer));
            assertThatThrownBy(() -> auth.authenticate(session("abc").build()))
                    .as(answer)
                    .isInstanceOf(AuthenticationUnavailableException.class)
                    .hasMessageContaining("the authorization callback answered");
        }
        application.answer(request -> Reply.json(404, "{}"));
        assertThatThrownBy(() -> auth.authenticate(session("abc").build())).isInstanceOf(AuthenticationUnavailableException.class);
        application.answer(request -> new Reply(302, null, ""));
        assertThatThrownBy(() -> auth.authenticate(session("abc").build())).isInstanceOf(AuthenticationUnavailableException.class);
    }

    @Test
    void answersAreKeptPerCallerWhateverTheTopics() {
        HeraldAuthenticator auth = withCallback().build();

        auth.authenticate(session("abc").build());
        auth.authenticate(session("abc").build());
        auth.authenticate(session("abc").query("topic", "news").build());
        assertThat(calls()).isEqualTo(1);

        auth.authenticate(session("def").build());
        assertThat(calls()).isEqualTo(2);
        auth.authenticate(session("abc").remoteAddress("10.9.9.9").build());
        assertThat(calls()).isEqualTo(3);
        auth.authenticate(session("abc").header("Authorization", "Bearer x").build());
        assertThat(calls()).isEqualTo(4);
    }

    @Test
    void keptAnswersExpireAfterCacheFor() {
        HeraldAuthenticator auth = withCallback().build();
        auth.authenticate(session("abc").build());

        clock.advance(Duration.ofSeconds(29));
        auth.authenticate(session("abc").build());
        assertThat(calls()).isEqualTo(1);

        clock.advance(Duration.ofSeconds(1));
        auth.authenticate(session("abc").build());
        assertThat(calls()).isEqualTo(2);
    }

    @Test
    void aGrantIsKeptNoLongerThanItLasts() {
        application.answer(request -> Reply.json(200, "{\"user\": \"alice\", \"expiresAt\": %d}".formatted(NOW.plusSeconds(5).getEpochSecond())));
        HeraldAuthenticator auth = withCallback().build();
        auth.authenticate(session("abc").build());

        clock.advance(Duration.ofSeconds(5));
        auth.authenticate(session("abc").build());

        assertThat(calls()).isEqualTo(2);
    }

    @Test
    void refusalsAreKeptAndFailuresAreNot() {
        HeraldAuthenticator auth = withCallback().build();
        application.answer(request -> Reply.empty(500));
        assertThatThrownBy(() -> auth.authenticate(session("abc").build())).isInstanceOf(AuthenticationUnavailableException.class);
        application.answer(request -> Reply.empty(401));
        assertThatThrownBy(() -> auth.authenticate(session("abc").build())).isInstanceOf(AuthenticationRequiredException.class);
        application.answer(request -> Reply.json(200, ALICE));

        assertThatThrownBy(() -> auth.authenticate(session("abc").build())).isInstanceOf(AuthenticationRequiredException.class);
        assertThat(calls()).isEqualTo(2);
    }

    @Test
    void withCacheForZeroEveryRequestAsks() {
        HeraldAuthenticator auth = withCallback(Duration.ZERO).build();

        auth.authenticate(session("abc").build());
        auth.authenticate(session("abc").build());

        assertThat(calls()).isEqualTo(2);
    }

    @Test
    void concurrentIdenticalRequestsShareOneCall() throws Exception {
        CountDownLatch called = new CountDownLatch(1);
        application.answer(request -> {
            called.countDown();
            awaitRelease();
            return Reply.json(200, ALICE);
        });
        HeraldAuthenticator auth = Authentication.builder().callback(application.uri("/auth"), Duration.ofSeconds(10), null).clock(clock).build();

        try (ExecutorService threads = Executors.newVirtualThreadPerTaskExecutor()) {
            List<Future<Access>> accesses = new ArrayList<>();
            for (int i = 0; i < 20; i++) {
                accesses.add(threads.submit(() -> auth.authenticate(session("abc").build())));
            }
            assertThat(called.await(10, TimeUnit.SECONDS)).isTrue();
            release.countDown();
            for (Future<Access> access : accesses) {
                assertThat(access.get(10, TimeUnit.SECONDS).userId()).isEqualTo("alice");
            }
        }
        assertThat(calls()).isEqualTo(1);
    }

    @Test
    void aTokenHeraldCanVerifyDecidesWithoutTheCallback() {
        byte[] secret = "a secret of at least thirty-two bytes, for HS256".getBytes(StandardCharsets.UTF_8);
        Tokens tokens = Tokens.hs256(secret);
        HeraldAuthenticator auth = withCallback().secret(secret).build();

        Access fromToken = auth.authenticate(FakeRequest.get("/events").bearer(tokens.token().subject("bob").sign()).build());
        assertThat(fromToken.userId()).isEqualTo("bob");
        assertThatThrownBy(() -> auth.authenticate(FakeRequest.get("/events").bearer(Tokens.hs256(new byte[32]).token().sign()).build()))
                .isInstanceOf(AuthenticationRequiredException.class);
        assertThat(calls()).isZero();

        assertThat(auth.authenticate(session("abc").build()).userId()).isEqualTo("alice");
        // Not a bearer token: the application's to judge, not a malformed header.
        assertThat(auth.authenticate(FakeRequest.get("/events").header("Authorization", "Basic YTpi").build()).userId())
                .isEqualTo("alice");
        assertThat(calls()).isEqualTo(2);
    }

    private void awaitRelease() {
        try {
            release.await(30, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
