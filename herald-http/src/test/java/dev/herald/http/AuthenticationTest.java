package dev.herald.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.herald.core.TopicSelector;
import dev.herald.core.testing.MutableClock;
import dev.herald.http.testing.FakeRequest;
import dev.herald.http.testing.Tokens;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.security.KeyPairGenerator;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class AuthenticationTest {

    private static final Instant NOW = Instant.parse("2026-01-01T00:00:00Z");
    private static final byte[] SECRET = "a secret of at least thirty-two bytes, for HS256".getBytes(StandardCharsets.UTF_8);
    private static final byte[] OTHER_SECRET = "another secret of at least thirty-two bytes, too".getBytes(StandardCharsets.UTF_8);

    private final MutableClock clock = new MutableClock(NOW);
    private final Tokens hs256 = Tokens.hs256(SECRET);

    private Authentication.Builder withSecret() {
        return Authentication.builder().secret(SECRET).publicTopics(List.of("news")).clock(clock);
    }

    private static FakeRequest withBearer(String token) {
        return FakeRequest.get("/events").query("topic", "a").bearer(token).build();
    }

    private static List<String> values(List<TopicSelector> selectors) {
        return selectors.stream().map(TopicSelector::value).toList();
    }

    /** Asserts a 401 whose message gives the reason and never repeats the token. */
    private static void assertRefused(HeraldAuthenticator auth, FakeRequest request, String token, String reason) {
        assertThatThrownBy(() -> auth.authenticate(request))
                .isInstanceOf(AuthenticationRequiredException.class)
                .hasMessageContaining(reason)
                .satisfies(e -> assertThat(e.getMessage()).doesNotContain(token));
    }

    private static void assertRefused(HeraldAuthenticator auth, String token, String reason) {
        assertRefused(auth, withBearer(token), token, reason);
    }

    @Test
    void aValidHs256TokenGivesTheAccessItsClaimsGrant() {
        String token = hs256.token().subject("alice").subscribe("users/alice/{+path}", "orders").publish("users/alice/outbox")
                .presence(true).expiresAt(NOW.plusSeconds(3600)).sign();

        Access access = withSecret().build().authenticate(withBearer(token));

        assertThat(access.userId()).isEqualTo("alice");
        assertThat(values(access.subscribe())).containsExactly("users/alice/{+path}", "orders", "news");
        assertThat(values(access.privateTopics())).containsExactly("users/alice/{+path}", "orders");
        assertThat(values(access.publish())).containsExactly("users/alice/outbox");
        assertThat(access.presence()).isTrue();
        assertThat(access.admin()).isFalse();
        assertThat(access.expiresAt()).isEqualTo(NOW.plusSeconds(3600));
        assertThat(access.credential()).isEqualTo(Access.Credential.HEADER);
    }

    @Test
    void anAdminTokenMayDoEverything() {
        Access access = withSecret().build().authenticate(withBearer(hs256.token().subject("root").admin(true).sign()));

        assertThat(access.admin()).isTrue();
        assertThat(values(access.publish())).containsExactly("*");
    }

    @Test
    void aTokenWithoutSubjectOrGrantsIsAnAuthenticatedCallerWithoutAUser() {
        Access access = withSecret().build().authenticate(withBearer(hs256.token().publish("orders").sign()));

        assertThat(access.userId()).isNull();
        assertThat(access.isAuthenticated()).isTrue();
        assertThat(values(access.publish())).containsExactly("orders");
        assertThat(values(access.privateTopics())).isEmpty();
        assertThat(access.expiresAt()).isNull();
    }

    @Test
    void theTokenIsReadFromTheCookieAndFromEitherQueryParameter() {
        HeraldAuthenticator auth = withSecret().build();
        String token = hs256.token().subject("alice").sign();

        Access fromCookie = auth.authenticate(FakeRequest.get("/events").cookie("other", "x").cookie("herald_token", token).build());
        Access fromAccessToken = auth.authenticate(FakeRequest.get("/events").query("access_token", token).build());
        Access fromToken = auth.authenticate(FakeRequest.get("/events").query("token", token).build());

        assertThat(fromCookie.credential()).isEqualTo(Access.Credential.COOKIE);
        assertThat(fromCookie.userId()).isEqualTo("alice");
        assertThat(fromAccessToken.credential()).isEqualTo(Access.Credential.QUERY);
        assertThat(fromToken.credential()).isEqualTo(Access.Credential.QUERY);
        assertThat(fromToken.userId()).isEqualTo("alice");
    }

    @Test
    void theCookieNameAndQueryParametersCanBeChosen() {
        HeraldAuthenticator auth = withSecret().cookieName("session_jwt").queryParameters(List.of("jwt")).build();
        String token = hs256.token().subject("alice").sign();

        assertThat(auth.authenticate(FakeRequest.get("/events").cookie("session_jwt", token).build()).credential())
                .isEqualTo(Access.Credential.COOKIE);
        assertThat(auth.authenticate(FakeRequest.get("/events").query("jwt", token).build()).credential())
                .isEqualTo(Access.Credential.QUERY);
        assertThat(auth.authenticate(FakeRequest.get("/events").query("access_token", token).build()).isAuthenticated()).isFalse();
    }

    @Test
    void aMercureTokensClaimGrantsAsHeraldsDoes() {
        String token = hs256.token().subject("alice")
                .claim("mercure", java.util.Map.of("subscribe", List.of("https://example.com/users/alice/{id}"),
                        "publish", List.of("https://example.com/books/{id}"), "payload", java.util.Map.of("name", "Alice")))
                .sign();

        Access access = withSecret().build().authenticate(withBearer(token));

        assertThat(values(access.privateTopics())).containsExactly("https://example.com/users/alice/{id}");
        assertThat(values(access.subscribe())).containsExactly("https://example.com/users/alice/{id}", "news");
        assertThat(values(access.publish())).containsExactly("https://example.com/books/{id}");
        assertThat(access.presence()).isFalse();
        assertRefused(withSecret().build(), hs256.token().subject("a").claim("mercure", "publish everything").sign(), "\"mercure\" claim must be an object");
        assertRefused(withSecret().build(), hs256.token().subject("a").claim("mercure", java.util.Map.of("publish", "*")).sign(),
                "\"mercure.publish\" claim must be an array");
    }

    @Test
    void tokensAreAlsoReadWhereMercureClientsPutThemUnlessTurnedOff() {
        String token = hs256.token().subject("alice").sign();
        HeraldAuthenticator auth = withSecret().build();

        Access fromCookie = auth.authenticate(FakeRequest.get("/.well-known/mercure").cookie("mercureAuthorization", token).build());
        Access fromQuery = auth.authenticate(FakeRequest.get("/.well-known/mercure").query("authorization", token).build());
        assertThat(fromCookie.credential()).isEqualTo(Access.Credential.COOKIE);
        assertThat(fromQuery.credential()).isEqualTo(Access.Credential.QUERY);
        assertThat(fromQuery.userId()).isEqualTo("alice");

        HeraldAuthenticator herald = withSecret().mercureTokenSources(false).build();
        assertThat(herald.authenticate(FakeRequest.get("/events").cookie("mercureAuthorization", token).build()).isAuthenticated()).isFalse();
        assertThat(herald.authenticate(FakeRequest.get("/events").query("authorization", token).build()).isAuthenticated()).isFalse();
        HeraldAuthenticator noQuery = withSecret().queryParameters(List.of()).build();
        assertThat(noQuery.authenticate(FakeRequest.get("/events").query("authorization", token).build()).isAuthenticated())
                .as("query tokens off means Mercure's parameter too").isFalse();
    }

    @Test
    void theHeaderWinsOverTheCookieWhichWinsOverTheQuery() {
        HeraldAuthenticator auth = withSecret().build();
        String header = hs256.token().subject("from-header").sign();
        String cookie = hs256.token().subject("from-cookie").sign();
        String query = hs256.token().subject("from-query").sign();

        Access all = auth.authenticate(FakeRequest.get("/events").bearer(header).cookie("herald_token", cookie)
                .query("access_token", query).build());
        Access cookieAndQuery = auth.authenticate(FakeRequest.get("/events").cookie("herald_token", cookie)
                .query("access_token", query).build());
        Access queries = auth.authenticate(FakeRequest.get("/events").query("token", "not even a token")
                .query("access_token", query).build());

        assertThat(all.userId()).isEqualTo("from-header");
        assertThat(cookieAndQuery.userId()).isEqualTo("from-cookie");
        assertThat(queries.userId()).isEqualTo("from-query");
    }

    @Test
    void anInvalidTokenFoundFirstIsRefusedEvenIfAValidOneFollows() {
        HeraldAuthenticator auth = withSecret().build();
        String valid = hs256.token().subject("alice").sign();

        assertRefused(auth, FakeRequest.get("/events").cookie("herald_token", "garbage").query("access_token", valid).build(),
                "garbage", "the token is malformed");
    }

    @Test
    void anAuthorizationHeaderThatIsNotBearerIsRefused() {
        HeraldAuthenticator auth = withSecret().build();

        assertThatThrownBy(() -> auth.authenticate(FakeRequest.get("/events").header("Authorization", "Basic YWxpY2U6cHc=").build()))
                .isInstanceOf(AuthenticationRequiredException.class)
                .hasMessageContaining("Bearer <token>")
                .satisfies(e -> assertThat(e.getMessage()).doesNotContain("YWxpY2U6cHc="));
        assertThatThrownBy(() -> auth.authenticate(FakeRequest.get("/events").header("Authorization", "Bearer").build()))
                .isInstanceOf(AuthenticationRequiredException.class);
        assertThat(auth.authenticate(FakeRequest.get("/events").header("Authorization", "bearer  " + hs256.token().subject("a").sign())
                .build()).userId()).isEqualTo("a");
    }

    @Test
    void malformedTokensAreRefused() {
        HeraldAuthenticator auth = withSecret().build();

        assertRefused(auth, "not-a-jwt", "the token is malformed");
        assertRefused(auth, "a.b.c", "the token is malformed");
        String notJson = hs256.token().sign().replaceFirst("\\.[^.]+\\.", "." + Base64.getUrlEncoder().withoutPadding()
                .encodeToString("[1,2]".getBytes(StandardCharsets.UTF_8)) + ".");
        assertRefused(auth, notJson, "the token's claims are malformed");
    }

    @Test
    void aTokenSignedWithAnotherSecretIsRefused() {
        String token = Tokens.hs256(OTHER_SECRET).token().subject("alice").sign();

        assertRefused(withSecret().build(), token, "the token's signature does not verify");
    }

    @Test
    void aTamperedTokenIsRefused() {
        String token = hs256.token().subject("alice").subscribe("users/alice/{+path}").sign();
        String[] parts = token.split("\\.");
        String payload = new String(Base64.getUrlDecoder().decode(parts[1]), StandardCharsets.UTF_8).replace("alice", "admin");
        String tampered = parts[0] + "." + Base64.getUrlEncoder().withoutPadding().encodeToString(payload.getBytes(StandardCharsets.UTF_8))
                + "." + parts[2];

        assertRefused(withSecret().build(), tampered, "the token's signature does not verify");
    }

    @Test
    void anExpiredTokenIsRefusedBeyondTheClockSkew() {
        HeraldAuthenticator auth = withSecret().build();

        assertRefused(auth, hs256.token().subject("alice").expiresAt(NOW.minusSeconds(31)).sign(), "the token expired");
        assertThat(auth.authenticate(withBearer(hs256.token().subject("alice").expiresAt(NOW.minusSeconds(29)).sign())).userId())
                .isEqualTo("alice");
    }

    @Test
    void aTokenNotYetValidIsRefusedBeyondTheClockSkew() {
        HeraldAuthenticator auth = withSecret().build();

        assertRefused(auth, hs256.token().subject("alice").notBefore(NOW.plusSeconds(31)).sign(), "the token is not valid yet");
        assertThat(auth.authenticate(withBearer(hs256.token().subject("alice").notBefore(NOW.plusSeconds(29)).sign())).userId())
                .isEqualTo("alice");
    }

    @Test
    void theClockSkewCanBeChosenAndTimeComesFromTheClock() {
        HeraldAuthenticator auth = withSecret().clockSkew(Duration.ZERO).build();
        String token = hs256.token().subject("alice").expiresAt(NOW.plusSeconds(60)).sign();

        assertThat(auth.authenticate(withBearer(token)).userId()).isEqualTo("alice");
        clock.advance(Duration.ofSeconds(61));
        assertRefused(auth, token, "the token expired");
    }

    @Test
    void theIssuerMustMatchWhenSet() {
        HeraldAuthenticator auth = withSecret().issuer("https://login.example").build();

        assertThat(auth.authenticate(withBearer(hs256.token().subject("a").issuer("https://login.example").sign())).userId())
                .isEqualTo("a");
        assertRefused(auth, hs256.token().subject("a").issuer("https://evil.example").sign(), "the token's issuer (iss) is not accepted");
        assertRefused(auth, hs256.token().subject("a").sign(), "the token's issuer (iss) is not accepted");
    }

    @Test
    void theAudienceMustBeAmongTheTokensWhenSet() {
        HeraldAuthenticator auth = withSecret().audience("herald").build();

        assertThat(auth.authenticate(withBearer(hs256.token().subject("a").audience("api", "herald").sign())).userId())
                .isEqualTo("a");
        assertRefused(auth, hs256.token().subject("a").audience("api").sign(), "the token's audience (aud) is not accepted");
        assertRefused(auth, hs256.token().subject("a").sign(), "the token's audience (aud) is not accepted");
    }

    @Test
    void anUnsecuredTokenIsRefused() {
        String token = Tokens.unsigned().token().subject("alice").admin(true).sign();

        assertRefused(withSecret().build(), token, "alg \"none\"");
    }

    @Test
    void anHs256TokenSignedWithThePublicKeyIsRefusedWhereOnlyThatKeyIsConfigured() {
        Tokens rsa = Tokens.rs256();
        HeraldAuthenticator auth = Authentication.builder().publicKey(rsa.publicKeyPem()).clock(clock).build();
        String confused = Tokens.algorithmConfusion(rsa.publicKeyPem()).token().subject("mallory").admin(true).sign();

        assertRefused(auth, confused, "tokens signed with HS256 are not accepted here");
    }

    @Test
    void anRs256TokenIsRefusedWhereOnlyASecretIsConfigured() {
        assertRefused(withSecret().build(), Tokens.rs256().token().subject("alice").sign(), "tokens signed with RS256 are not accepted here");
    }

    @Test
    void hs512IsAcceptedOnlyWithASecretLongEnoughForIt() {
        byte[] longSecret = (new String(SECRET, StandardCharsets.UTF_8) + new String(OTHER_SECRET, StandardCharsets.UTF_8))
                .getBytes(StandardCharsets.UTF_8);
        HeraldAuthenticator auth = Authentication.builder().secret(longSecret).build();

        assertThat(auth.authenticate(withBearer(Tokens.hs512(longSecret).token().subject("a").sign())).userId()).isEqualTo("a");
        assertThat(auth.authenticate(withBearer(Tokens.hs256(longSecret).token().subject("b").sign())).userId()).isEqualTo("b");
        assertRefused(withSecret().build(), Tokens.hs512(longSecret).token().subject("a").sign(), "tokens signed with HS512 are not accepted here");
    }

    @Test
    void anUnknownAlgorithmIsRefused() {
        assertRefused(withSecret().build(), Tokens.forged("HS999").token().subject("alice").sign(), "the token's algorithm is not accepted");
    }

    @Test
    void anRs256TokenVerifiesWithAPemPublicKeyWhateverItsKeyId() {
        Tokens rsa = Tokens.rs256("key-2025");
        HeraldAuthenticator auth = Authentication.builder().publicKey(rsa.publicKeyPem()).clock(clock).build();

        Access access = auth.authenticate(withBearer(rsa.token().subject("alice").subscribe("a").sign()));

        assertThat(access.userId()).isEqualTo("alice");
        assertRefused(auth, Tokens.rs256().token().subject("alice").sign(), "the token's signature does not verify");
    }

    @Test
    void anEs256TokenVerifiesWithAPemPublicKey() {
        Tokens ec = Tokens.es256();
        HeraldAuthenticator auth = Authentication.builder().publicKey(ec.publicKeyPem()).clock(clock).build();

        assertThat(auth.authenticate(withBearer(ec.token().subject("alice").sign())).userId()).isEqualTo("alice");
        assertRefused(auth, Tokens.rs256().token().subject("alice").sign(), "tokens signed with RS256 are not accepted here");
        assertRefused(auth, Tokens.es256().token().subject("alice").sign(), "the token's signature does not verify");
    }

    @Test
    void aSecretAndAPublicKeyMayBeConfiguredTogether() {
        Tokens rsa = Tokens.rs256();
        HeraldAuthenticator auth = withSecret().publicKey(rsa.publicKeyPem()).build();

        assertThat(auth.authenticate(withBearer(rsa.token().subject("rsa").sign())).userId()).isEqualTo("rsa");
        assertThat(auth.authenticate(withBearer(hs256.token().subject("hmac").sign())).userId()).isEqualTo("hmac");
        // A secret is configured, so HS256 is accepted, but the public key is never used as an HMAC key.
        assertRefused(auth, Tokens.algorithmConfusion(rsa.publicKeyPem()).token().subject("m").sign(),
                "the token's signature does not verify");
    }

    /** Nimbus verifies Ed25519 with Google Tink, which Herald does not ship: EdDSA is refused, clearly. */
    @Test
    void eddsaIsNotSupportedBecauseNimbusNeedsTinkForIt() throws Exception {
        byte[] encoded = KeyPairGenerator.getInstance("Ed25519").generateKeyPair().getPublic().getEncoded();
        String pem = "-----BEGIN PUBLIC KEY-----\n" + Base64.getMimeEncoder().encodeToString(encoded) + "\n-----END PUBLIC KEY-----\n";

        assertThatThrownBy(() -> Authentication.builder().publicKey(pem))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("Ed25519")
                .hasMessageContaining("Tink");
        assertRefused(withSecret().build(), Tokens.forged("EdDSA").token().subject("a").sign(), "tokens signed with EdDSA are not accepted here");
    }

    @Test
    void aPublicKeyThatIsNotPemIsRefusedAtConfiguration() {
        assertThatThrownBy(() -> Authentication.builder().publicKey("ssh-rsa AAAA"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("PEM");
        assertThatThrownBy(() -> Authentication.builder().publicKey("-----BEGIN PUBLIC KEY-----\n!!!\n-----END PUBLIC KEY-----"))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> Authentication.builder().publicKey("-----BEGIN RSA PUBLIC KEY-----\nAAAA\n-----END RSA PUBLIC KEY-----"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("openssl");
    }

    @Test
    void aMalformedHeraldClaimIsRefusedNamingTheMember() {
        HeraldAuthenticator auth = withSecret().build();

        assertRefused(auth, hs256.token().subject("a").heraldClaim("everything").sign(), "\"herald\" claim must be an object");
        assertRefused(auth, hs256.token().subject("a").heraldMember("subscribe", "news").sign(), "\"herald.subscribe\"");
        assertRefused(auth, hs256.token().subject("a").heraldMember("publish", List.of("ok", 5)).sign(), "\"herald.publish\"");
        assertRefused(auth, hs256.token().subject("a").subscribe("").sign(), "\"herald.subscribe\" claim holds an invalid topic selector");
        assertRefused(auth, hs256.token().subject("a").heraldMember("presence", "yes").sign(), "\"herald.presence\"");
        assertRefused(auth, hs256.token().subject("a").heraldMember("admin", 1).sign(), "\"herald.admin\"");
        assertRefused(auth, hs256.token().subject("a").heraldMember("subscribe", Map.of("a", 1)).sign(), "\"herald.subscribe\"");
    }

    @Test
    void publisherKeysVerifyPublicationsAndOnlyThem() {
        Tokens publisher = Tokens.hs256(OTHER_SECRET);
        HeraldAuthenticator auth = withSecret().publisherSecret(OTHER_SECRET).build();
        String subscriberToken = hs256.token().subject("alice").publish("orders").sign();
        String publisherToken = publisher.token().publish("orders").sign();

        Access publishing = auth.authenticate(FakeRequest.post("/events").bearer(publisherToken).build());
        Access subscribing = auth.authenticate(FakeRequest.get("/events").bearer(subscriberToken).build());

        assertThat(publishing.userId()).isNull();
        assertThat(values(publishing.publish())).containsExactly("orders");
        assertThat(subscribing.userId()).isEqualTo("alice");
        assertRefused(auth, FakeRequest.post("/events").bearer(subscriberToken).build(), subscriberToken,
                "the token's signature does not verify");
        assertRefused(auth, FakeRequest.get("/events").bearer(publisherToken).build(), publisherToken,
                "the token's signature does not verify");
    }

    @Test
    void aPublisherPublicKeyAcceptsOnlyItsAlgorithmOnPublications() {
        Tokens publisher = Tokens.es256();
        HeraldAuthenticator auth = withSecret().publisherPublicKey(publisher.publicKeyPem()).build();

        assertThat(values(auth.authenticate(FakeRequest.post("/events").bearer(publisher.token().publish("a").sign()).build()).publish()))
                .containsExactly("a");
        String hmac = hs256.token().publish("a").sign();
        assertRefused(auth, FakeRequest.post("/events").bearer(hmac).build(), hmac, "tokens signed with HS256 are not accepted here");
    }

    @Test
    void aRequestWithoutTokenIsAnonymousWithThePublicTopics() {
        Access access = withSecret().build().authenticate(FakeRequest.get("/events").query("topic", "news").build());

        assertThat(access.isAuthenticated()).isFalse();
        assertThat(access.credential()).isEqualTo(Access.Credential.NONE);
        assertThat(access.userId()).isNull();
        assertThat(values(access.subscribe())).containsExactly("news");
        assertThat(access.privateTopics()).isEmpty();
        assertThat(access.publish()).isEmpty();
    }

    @Test
    void everyTopicIsPublicByDefault() {
        Access access = Authentication.builder().secret(SECRET).build().authenticate(FakeRequest.get("/events").build());

        assertThat(values(access.subscribe())).containsExactly("*");
    }

    @Test
    void withoutAnonymousAccessARequestWithoutTokenIsRefused() {
        HeraldAuthenticator auth = withSecret().anonymous(false).build();

        assertThatThrownBy(() -> auth.authenticate(FakeRequest.get("/events").build()))
                .isInstanceOf(AuthenticationRequiredException.class)
                .hasMessageContaining("a token is needed");
        Access access = auth.authenticate(withBearer(hs256.token().subject("alice").subscribe("a").sign()));
        assertThat(values(access.subscribe())).containsExactly("a");
    }

    @Test
    void aMintedTokenIsAccepted() {
        String token = TokenMinter.hs256(SECRET, "alice", List.of("users/alice/{+path}"), List.of("users/alice/outbox"), true, false,
                Duration.ofHours(1), clock);

        Access access = withSecret().build().authenticate(withBearer(token));

        assertThat(access.userId()).isEqualTo("alice");
        assertThat(values(access.privateTopics())).containsExactly("users/alice/{+path}");
        assertThat(values(access.publish())).containsExactly("users/alice/outbox");
        assertThat(access.presence()).isTrue();
        assertThat(access.expiresAt()).isEqualTo(NOW.plus(Duration.ofHours(1)));
        assertThatThrownBy(() -> TokenMinter.hs256(new byte[16], "a", List.of(), List.of(), false, false, null, clock))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void staticKeysNeverBlockButAJwkSetOrACallbackMay() {
        assertThat(withSecret().build().blocks()).isFalse();
        assertThat(Authentication.builder().publicKey(Tokens.es256().publicKeyPem()).build().blocks()).isFalse();
        assertThat(withSecret().jwksUri(URI.create("http://127.0.0.1:1/jwks.json")).build().blocks()).isTrue();
        assertThat(withSecret().callback(URI.create("http://127.0.0.1:1/auth")).build().blocks()).isTrue();
    }

    @Test
    void aShortSecretOrNoKeyAtAllIsAConfigurationError() {
        assertThatThrownBy(() -> Authentication.builder().secret(new byte[31]))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("at least 32");
        assertThatThrownBy(() -> Authentication.builder().publisherSecret("short".getBytes(StandardCharsets.UTF_8)))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> Authentication.builder().anonymous(true).build())
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("needs a secret, a public key, a JWK set URL or a callback URL");
        assertThatThrownBy(() -> Authentication.builder().jwksUri(URI.create("file:///etc/keys.json")))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void theSecretIsCopied() {
        byte[] secret = SECRET.clone();
        HeraldAuthenticator auth = Authentication.builder().secret(secret).build();
        secret[0] ^= 1;

        assertThat(auth.authenticate(withBearer(hs256.token().subject("a").sign())).userId()).isEqualTo("a");
    }
}
