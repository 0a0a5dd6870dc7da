package dev.herald.http;

import static org.assertj.core.api.Assertions.assertThat;

import dev.herald.core.TopicSelector;
import dev.herald.http.testing.FakeRequest;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Who {@link HeraldAuthenticator#trustingLoopback} trusts: callers on this machine that name it by
 * a loopback name and came through no proxy; nobody else, however they dress the request.
 */
class ProtectedModeTest {

    private final HeraldAuthenticator authenticator = HeraldAuthenticator.trustingLoopback("user", List.of(TopicSelector.parse("*")));

    private Access access(FakeRequest.Builder request) {
        return authenticator.authenticate(request.query("user", "alice").build());
    }

    @Test
    void aLocalCallerNamingThisMachineIsTrustedAsTheUserItNames() {
        for (String host : List.of("localhost:8080", "127.0.0.1:8080", "127.0.0.1", "[::1]:8080", "LOCALHOST")) {
            Access access = access(FakeRequest.get("/events").remoteAddress("127.0.0.1").header("Host", host));
            assertThat(access.isTrusted()).as(host).isTrue();
            assertThat(access.userId()).isEqualTo("alice");
        }
        assertThat(access(FakeRequest.get("/events").remoteAddress("::1").header("Host", "localhost")
                .header("Origin", "http://localhost:8080")).isTrusted()).isTrue();
    }

    @Test
    void everyoneElseIsAnonymous() {
        List<FakeRequest.Builder> strangers = List.of(
                FakeRequest.get("/events").remoteAddress("203.0.113.7").header("Host", "localhost"),
                FakeRequest.get("/events").remoteAddress("127.0.0.1").header("Host", "localhost").header("X-Forwarded-For", "203.0.113.7"),
                FakeRequest.get("/events").remoteAddress("127.0.0.1").header("Host", "localhost").header("Forwarded", "for=203.0.113.7"),
                // A page whose domain an attacker rebound to 127.0.0.1 names its own host...
                FakeRequest.get("/events").remoteAddress("127.0.0.1").header("Host", "rebind.attacker.example:8080"),
                FakeRequest.get("/events").remoteAddress("127.0.0.1").header("Host", "127.0.0.1.nip.io"),
                // Names that start like a loopback address and are not one.
                FakeRequest.get("/events").remoteAddress("127.0.0.1").header("Host", "127.0.0.256"),
                FakeRequest.get("/events").remoteAddress("127.0.0.1").header("Host", "127.0.0.1000"),
                FakeRequest.get("/events").remoteAddress("127.0.0.1").header("Host", "127..0.1"),
                FakeRequest.get("/events").remoteAddress("127.0.0.1").header("Host", "127.0.0."),
                FakeRequest.get("/events").remoteAddress("127.0.0.1").header("Host", "127.0.0.1a"),
                FakeRequest.get("/events").remoteAddress("127.0.0.1").header("Host", "127.0.0.1.2"),
                // ...or sends its own origin.
                FakeRequest.get("/events").remoteAddress("127.0.0.1").header("Host", "localhost").header("Origin", "http://evil.example"),
                FakeRequest.get("/events").remoteAddress("127.0.0.1"));
        for (FakeRequest.Builder stranger : strangers) {
            Access access = access(stranger);
            assertThat(access.isAuthenticated()).as(stranger.build().toString()).isFalse();
            assertThat(access.userId()).isNull();
            assertThat(access.publish()).isEmpty();
        }
    }

    @Test
    void trustedProxiesNameTheClientByTheirLastUntrustedHop() {
        TrustedProxies proxies = TrustedProxies.of(List.of("10.0.0.0/8", "fd00::/8", "192.0.2.1"));

        assertThat(proxies.clientAddress("10.1.2.3", "198.51.100.9, 10.9.9.9")).isEqualTo("198.51.100.9");
        assertThat(proxies.clientAddress("10.1.2.3", "127.0.0.1, 198.51.100.9")).as("a client's own claim comes first").isEqualTo("198.51.100.9");
        assertThat(proxies.clientAddress("203.0.113.5", "198.51.100.9")).as("an untrusted peer is the client").isEqualTo("203.0.113.5");
        assertThat(proxies.clientAddress("192.0.2.1", "not-an-address")).isEqualTo("192.0.2.1");
        assertThat(proxies.clientAddress("fd00::1", "2001:db8::7")).isEqualTo("2001:db8::7");
        assertThat(proxies.trusts("999.1.1.1")).isFalse();
        assertThat(TrustedProxies.none().clientAddress("10.1.2.3", "198.51.100.9")).isEqualTo("10.1.2.3");
    }
}
