package dev.herald.spring.test;

import static org.assertj.core.api.Assertions.assertThat;

import dev.herald.core.EventBus;
import dev.herald.core.EventLog;
import dev.herald.core.Hub;
import dev.herald.core.InMemoryEventLog;
import dev.herald.core.MetricsRecorder;
import dev.herald.core.Publication;
import dev.herald.core.RetentionPolicy;
import dev.herald.http.Access;
import dev.herald.http.HeraldAuthenticator;
import dev.herald.servlet.EventStreams;
import dev.herald.servlet.HeraldEndpoints;
import dev.herald.servlet.ServletRequestView;
import dev.herald.spring.boot.HeraldAutoConfiguration;
import dev.herald.spring.boot.HeraldMetrics;
import dev.herald.spring.boot.HeraldProperties;
import dev.herald.spring.boot.HeraldWebAutoConfiguration;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.test.context.FilteredClassLoader;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.boot.test.context.runner.WebApplicationContextRunner;
import org.springframework.mock.web.MockHttpServletRequest;

class HeraldAutoConfigurationTest {

    private final ApplicationContextRunner plain = new ApplicationContextRunner()
            .withConfiguration(AutoConfigurations.of(HeraldAutoConfiguration.class, HeraldWebAutoConfiguration.class));

    private final WebApplicationContextRunner web = new WebApplicationContextRunner()
            .withConfiguration(AutoConfigurations.of(HeraldAutoConfiguration.class, HeraldWebAutoConfiguration.class));

    @Test
    void aPlainApplicationGetsAWorkingHubWithoutWebBeans() {
        plain.run(context -> {
            assertThat(context).hasSingleBean(Hub.class).hasSingleBean(EventLog.class).hasSingleBean(EventBus.class)
                    .hasSingleBean(HeraldMetrics.class).hasSingleBean(MetricsRecorder.class)
                    .doesNotHaveBean(HeraldEndpoints.class).doesNotHaveBean(EventStreams.class);
            Hub hub = context.getBean(Hub.class);
            long id = hub.publish(Publication.to("t").data("x").build()).id();
            assertThat(context.getBean(EventLog.class).readAfter(id - 1, 1).events()).hasSize(1);
        });
    }

    @Test
    void aServletApplicationGetsTheEndpointsAndTheDefaultAuthenticator() {
        web.run(context -> {
            assertThat(context).hasSingleBean(HeraldEndpoints.class).hasSingleBean(EventStreams.class)
                    .hasSingleBean(HeraldAuthenticator.class);
            // No authentication configured: a caller on this machine is trusted as the user it names...
            MockHttpServletRequest local = new MockHttpServletRequest();
            local.setRemoteAddr("127.0.0.1");
            local.addHeader("Host", "localhost:8080");
            local.setQueryString("user=alice");
            Access trusted = context.getBean(HeraldAuthenticator.class).authenticate(new ServletRequestView(local));
            assertThat(trusted.userId()).isEqualTo("alice");
            assertThat(trusted.isTrusted()).isTrue();
            // ...and a caller from elsewhere, or through a proxy, is anonymous whatever it claims.
            MockHttpServletRequest remote = new MockHttpServletRequest();
            remote.setRemoteAddr("203.0.113.7");
            remote.setQueryString("user=alice");
            MockHttpServletRequest proxied = new MockHttpServletRequest();
            proxied.setRemoteAddr("127.0.0.1");
            proxied.addHeader("X-Forwarded-For", "203.0.113.7");
            proxied.setQueryString("user=alice");
            // ...or a page whose domain was rebound to 127.0.0.1 (it names its own host).
            MockHttpServletRequest rebound = new MockHttpServletRequest();
            rebound.setRemoteAddr("127.0.0.1");
            rebound.addHeader("Host", "rebind.attacker.example:8080");
            rebound.addHeader("Origin", "http://rebind.attacker.example:8080");
            rebound.setQueryString("user=alice");
            for (MockHttpServletRequest stranger : List.of(remote, proxied, rebound)) {
                Access anonymous = context.getBean(HeraldAuthenticator.class).authenticate(new ServletRequestView(stranger));
                assertThat(anonymous.userId()).isNull();
                assertThat(anonymous.isAuthenticated()).isFalse();
                assertThat(anonymous.publish()).isEmpty();
            }
        });
    }

    @Test
    void addressesFromUncheckedForwardingHeadersAreNeverTrusted() {
        web.withPropertyValues("server.forward-headers-strategy=framework").run(context -> {
            MockHttpServletRequest local = new MockHttpServletRequest();
            local.setRemoteAddr("127.0.0.1");
            local.addHeader("Host", "localhost");
            local.setQueryString("user=alice");
            Access access = context.getBean(HeraldAuthenticator.class).authenticate(new ServletRequestView(local));
            assertThat(access.isAuthenticated()).isFalse();
            assertThat(access.userId()).isNull();
        });
    }

    @Test
    void aSecretTurnsTokenAuthenticationOn() {
        String secret = "a-secret-of-at-least-thirty-two-bytes!";
        web.withPropertyValues("herald.auth.jwt.secret=" + secret, "herald.auth.public-topics=news").run(context -> {
            HeraldAuthenticator authenticator = context.getBean(HeraldAuthenticator.class);
            MockHttpServletRequest bearer = new MockHttpServletRequest();
            bearer.setRemoteAddr("127.0.0.1");
            bearer.addHeader("Authorization", "Bearer " + dev.herald.http.TokenMinter.hs256(secret.getBytes(java.nio.charset.StandardCharsets.UTF_8),
                    "carol", List.of("users/carol"), List.of(), false, false, Duration.ofMinutes(5), java.time.InstantSource.system()));
            Access carol = authenticator.authenticate(new ServletRequestView(bearer));
            assertThat(carol.userId()).isEqualTo("carol");
            assertThat(carol.credential()).isEqualTo(Access.Credential.HEADER);
            // Loopback is no longer trusted once tokens are configured.
            MockHttpServletRequest local = new MockHttpServletRequest();
            local.setRemoteAddr("127.0.0.1");
            local.setQueryString("user=alice");
            assertThat(authenticator.authenticate(new ServletRequestView(local)).isAuthenticated()).isFalse();
        });
    }

    @Test
    void bindsPropertiesIntoTheHub() {
        web.withPropertyValues("herald.max-connections=7", "herald.history.max-events=3", "herald.auth.user-parameter=who",
                        "herald.endpoint.path=/stream")
                .run(context -> {
                    HeraldProperties properties = context.getBean(HeraldProperties.class);
                    assertThat(properties.getMaxConnections()).isEqualTo(7);
                    assertThat(properties.getEndpoint().getPath()).isEqualTo("/stream");
                    Hub hub = context.getBean(Hub.class);
                    for (int i = 0; i < 5; i++) {
                        hub.publish(Publication.to("t").data("e" + i).build());
                    }
                    assertThat(hub.eventLog().readAfter(0, 100).events()).hasSize(3);
                    MockHttpServletRequest request = new MockHttpServletRequest();
                    request.setRemoteAddr("127.0.0.1");
                    request.addHeader("Host", "127.0.0.1:8080");
                    request.setQueryString("who=bob");
                    assertThat(context.getBean(HeraldAuthenticator.class).authenticate(new ServletRequestView(request)).userId()).isEqualTo("bob");
                });
    }

    @Test
    void backsOffForBeansTheApplicationDefines() {
        EventLog custom = new InMemoryEventLog(RetentionPolicy.of(5, Duration.ofMinutes(1)), java.time.InstantSource.system());
        HeraldAuthenticator authenticator = request -> Access.trusted("fixed");
        web.withBean(EventLog.class, () -> custom)
                .withBean(HeraldAuthenticator.class, () -> authenticator)
                .run(context -> {
                    assertThat(context.getBean(EventLog.class)).isSameAs(custom);
                    assertThat(context.getBean(Hub.class).eventLog()).isSameAs(custom);
                    assertThat(context.getBean(HeraldAuthenticator.class)).isSameAs(authenticator);
                });
    }

    @Test
    void canBeTurnedOffEntirelyOrJustItsEndpoints() {
        web.withPropertyValues("herald.enabled=false").run(context ->
                assertThat(context).doesNotHaveBean(Hub.class).doesNotHaveBean(HeraldEndpoints.class));
        web.withPropertyValues("herald.endpoint.enabled=false").run(context ->
                assertThat(context).hasSingleBean(Hub.class).hasSingleBean(EventStreams.class).doesNotHaveBean(HeraldEndpoints.class));
    }

    @Test
    void aServletApplicationWithoutHeraldServletGetsTheHubButNoEndpoints() {
        web.withClassLoader(new FilteredClassLoader("dev.herald.servlet.")).run(context ->
                assertThat(context).hasNotFailed().hasSingleBean(Hub.class).hasSingleBean(HeraldAuthenticator.class)
                        .doesNotHaveBean(HeraldWebAutoConfiguration.class));
    }

    @Test
    void closesTheHubWhenTheContextCloses() {
        Hub[] hub = new Hub[1];
        plain.run(context -> hub[0] = context.getBean(Hub.class));
        assertThat(hub[0].isClosed()).isTrue();
    }
}
