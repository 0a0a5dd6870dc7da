package dev.herald.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.herald.core.testing.MutableClock;
import dev.herald.http.testing.FakeRequest;
import dev.herald.http.testing.LocalHttpServer;
import dev.herald.http.testing.LocalHttpServer.Reply;
import dev.herald.http.testing.Tokens;
import java.net.URI;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Tokens verified with the keys of a JWK set served by a real HTTP server. */
class JwksTest {

    private static final Instant NOW = Instant.parse("2026-01-01T00:00:00Z");

    private final MutableClock clock = new MutableClock(NOW);
    private final Tokens rsa = Tokens.rs256("rsa-1");
    private final Tokens ec = Tokens.es256("ec-1");
    private final CountDownLatch release = new CountDownLatch(1);
    private final LocalHttpServer jwks = LocalHttpServer.start(request -> Reply.json(200, Tokens.jwkSet(rsa, ec)));

    @AfterEach
    void stop() {
        release.countDown();
        jwks.close();
    }

    private HeraldAuthenticator authenticator(URI uri) {
        return Authentication.builder().jwksUri(uri).clock(clock).build();
    }

    private static Access authenticate(HeraldAuthenticator auth, String token) {
        return auth.authenticate(FakeRequest.get("/events").bearer(token).build());
    }

    private int fetches() {
        return jwks.requests().size();
    }

    @Test
    void tokensVerifyWithTheKeysOfTheSetFetchedOnce() {
        HeraldAuthenticator auth = authenticator(jwks.uri("/jwks.json"));

        assertThat(authenticate(auth, rsa.token().subject("alice").subscribe("a").sign()).userId()).isEqualTo("alice");
        assertThat(authenticate(auth, ec.token().subject("bob").sign()).userId()).isEqualTo("bob");
        assertThat(authenticate(auth, rsa.token().subject("carol").sign()).userId()).isEqualTo("carol");

        assertThat(fetches()).isEqualTo(1);
        assertThat(jwks.requests().getFirst().method()).isEqualTo("GET");
        assertThat(jwks.requests().getFirst().path()).isEqualTo("/jwks.json");
    }

    @Test
    void tokensFromKeysOutsideTheSetAreRefused() {
        HeraldAuthenticator auth = authenticator(jwks.uri("/jwks.json"));

        String otherKey = Tokens.rs256("rsa-1").token().subject("mallory").sign();
        assertThatThrownBy(() -> authenticate(auth, otherKey))
                .isInstanceOf(AuthenticationRequiredException.class)
                .hasMessageContaining("the token's signature does not verify");
        String hmac = Tokens.hs256(new byte[32]).token().subject("mallory").sign();
        assertThatThrownBy(() -> authenticate(auth, hmac))
                .isInstanceOf(AuthenticationRequiredException.class)
                .hasMessageContaining("tokens signed with HS256 are not accepted here");
    }

    @Test
    void anUnknownKeyIdFetchesTheSetAgainSoRotatedKeysVerify() {
        HeraldAuthenticator auth = authenticator(jwks.uri("/jwks.json"));
        assertThat(authenticate(auth, rsa.token().subject("alice").sign()).userId()).isEqualTo("alice");
        Tokens rotated = Tokens.rs256("rsa-2");
        jwks.answer(request -> Reply.json(200, Tokens.jwkSet(rotated)));
        clock.advance(Duration.ofSeconds(11));

        assertThat(authenticate(auth, rotated.token().subject("alice").sign()).userId()).isEqualTo("alice");
        assertThat(fetches()).isEqualTo(2);
        assertThatThrownBy(() -> authenticate(auth, rsa.token().subject("alice").sign()))
                .isInstanceOf(AuthenticationRequiredException.class)
                .hasMessageContaining("no key matches the token's key id (kid)");
    }

    @Test
    void floodsOfUnknownKeyIdsFetchTheSetAtMostOncePerTenSeconds() throws Exception {
        HeraldAuthenticator auth = authenticator(jwks.uri("/jwks.json"));
        authenticate(auth, rsa.token().subject("alice").sign());

        List<String> madeUp = new ArrayList<>();
        for (int i = 0; i < 200; i++) {
            madeUp.add(rsa.token().subject("mallory").keyId("made-up-" + i).sign());
        }
        floodWith(auth, madeUp.subList(0, 100));
        assertThat(fetches()).isEqualTo(1);

        clock.advance(Duration.ofSeconds(11));
        floodWith(auth, madeUp.subList(100, 200));
        assertThat(fetches()).isEqualTo(2);
    }

    private static void floodWith(HeraldAuthenticator auth, List<String> tokens) throws Exception {
        try (ExecutorService threads = Executors.newVirtualThreadPerTaskExecutor()) {
            List<Future<Throwable>> outcomes = new ArrayList<>();
            for (String token : tokens) {
                outcomes.add(threads.submit(() -> {
                    try {
                        authenticate(auth, token);
                        return null;
                    } catch (RuntimeException e) {
                        return e;
                    }
                }));
            }
            for (Future<Throwable> outcome : outcomes) {
                assertThat(outcome.get(10, TimeUnit.SECONDS)).isInstanceOf(AuthenticationRequiredException.class);
            }
        }
    }

    @Test
    void keysAreRefreshedInTheBackgroundOnceFiveMinutesOld() {
        HeraldAuthenticator auth = authenticator(jwks.uri("/jwks.json"));
        String old = rsa.token().subject("alice").sign();
        authenticate(auth, old);
        Tokens rotated = Tokens.rs256("rsa-2");
        jwks.answer(request -> Reply.json(200, Tokens.jwkSet(rotated)));
        clock.advance(Duration.ofMinutes(5));

        // Verified with the keys at hand, while the refresh runs.
        assertThat(authenticate(auth, old).userId()).isEqualTo("alice");
        String fresh = rotated.token().subject("alice").sign();
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertThat(authenticate(auth, fresh).userId()).isEqualTo("alice"));

        assertThat(fetches()).isEqualTo(2);
        assertThatThrownBy(() -> authenticate(auth, old)).isInstanceOf(AuthenticationRequiredException.class);
    }

    @Test
    void keysAlreadyFetchedKeepVerifyingWhileTheEndpointIsDown() {
        HeraldAuthenticator auth = authenticator(jwks.uri("/jwks.json"));
        String token = rsa.token().subject("alice").sign();
        authenticate(auth, token);
        jwks.close();

        clock.advance(Duration.ofMinutes(6));
        assertThat(authenticate(auth, token).userId()).isEqualTo("alice");
        clock.advance(Duration.ofMinutes(6));
        assertThat(authenticate(auth, ec.token().subject("bob").sign()).userId()).isEqualTo("bob");
        assertThatThrownBy(() -> authenticate(auth, Tokens.rs256("rsa-9").token().subject("mallory").sign()))
                .isInstanceOf(AuthenticationRequiredException.class);
    }

    @Test
    void keysAlreadyFetchedKeepVerifyingWhileTheEndpointFails() {
        HeraldAuthenticator auth = authenticator(jwks.uri("/jwks.json"));
        String token = rsa.token().subject("alice").sign();
        authenticate(auth, token);
        jwks.answer(request -> Reply.json(200, "{\"not\": \"a JWK set\"}"));
        clock.advance(Duration.ofMinutes(6));

        assertThat(authenticate(auth, token).userId()).isEqualTo("alice");
        await().atMost(Duration.ofSeconds(10)).until(() -> fetches() == 2);
        jwks.answer(request -> Reply.empty(500));
        clock.advance(Duration.ofMinutes(6));
        assertThat(authenticate(auth, token).userId()).isEqualTo("alice");
        await().atMost(Duration.ofSeconds(10)).until(() -> fetches() == 3);
        assertThat(authenticate(auth, token).userId()).isEqualTo("alice");
    }

    @Test
    void withNoKeysEverFetchedADownEndpointIsUnavailableNotUnauthenticated() {
        URI uri = jwks.uri("/jwks.json");
        jwks.close();
        HeraldAuthenticator auth = authenticator(uri);

        assertThatThrownBy(() -> authenticate(auth, rsa.token().subject("alice").sign()))
                .isInstanceOf(AuthenticationUnavailableException.class)
                .hasMessageContaining("the keys to verify the token with are unavailable");
    }

    @Test
    void withNoKeysEverFetchedAnErrorAnswerIsUnavailable() {
        jwks.answer(request -> Reply.empty(503));
        HeraldAuthenticator auth = authenticator(jwks.uri("/jwks.json"));

        assertThatThrownBy(() -> authenticate(auth, rsa.token().subject("alice").sign()))
                .isInstanceOf(AuthenticationUnavailableException.class);

        jwks.answer(request -> Reply.json(200, Tokens.jwkSet(rsa)));
        assertThat(authenticate(auth, rsa.token().subject("alice").sign()).userId()).isEqualTo("alice");
    }

    @Test
    void withNoKeysEverFetchedASlowEndpointIsUnavailable() {
        jwks.answer(request -> {
            awaitRelease();
            return Reply.json(200, Tokens.jwkSet(rsa));
        });
        HeraldAuthenticator auth = authenticator(jwks.uri("/jwks.json"));

        assertThatThrownBy(() -> authenticate(auth, rsa.token().subject("alice").sign()))
                .isInstanceOf(AuthenticationUnavailableException.class);
    }

    @Test
    void aConfiguredPublicKeyVerifiesWhileTheJwkSetIsUnreachable() {
        Tokens local = Tokens.rs256();
        URI uri = jwks.uri("/jwks.json");
        jwks.close();
        HeraldAuthenticator auth = Authentication.builder().publicKey(local.publicKeyPem()).jwksUri(uri).clock(clock).build();

        assertThat(authenticate(auth, local.token().subject("alice").sign()).userId()).isEqualTo("alice");
        // Signed by neither key: the unreachable set might have held its key, so Herald cannot tell.
        assertThatThrownBy(() -> authenticate(auth, rsa.token().subject("bob").sign()))
                .isInstanceOf(AuthenticationUnavailableException.class);
    }

    private void awaitRelease() {
        try {
            release.await(30, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
