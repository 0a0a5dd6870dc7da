package dev.herald.spring.test;

import static org.assertj.core.api.Assertions.assertThat;

import dev.herald.core.EventBus;
import dev.herald.core.EventLog;
import dev.herald.core.Hub;
import dev.herald.core.InMemoryEventLog;
import dev.herald.core.Publication;
import dev.herald.core.RetentionPolicy;
import dev.herald.core.Subscriber;
import dev.herald.spring.boot.HeraldAutoConfiguration;
import dev.herald.spring.boot.HeraldMetrics;
import dev.herald.spring.boot.HeraldProperties;
import dev.herald.spring.boot.HeraldWebAutoConfiguration;
import dev.herald.spring.web.EventStreams;
import dev.herald.spring.web.ServletRequestView;
import dev.herald.http.HeraldAuthenticator;
import dev.herald.spring.web.HeraldEndpoints;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.springframework.boot.autoconfigure.AutoConfigurations;
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
                    .hasSingleBean(HeraldMetrics.class)
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
            MockHttpServletRequest request = new MockHttpServletRequest();
            request.setParameter("user", "alice");
            assertThat(context.getBean(HeraldAuthenticator.class).authenticateSubscriber(new ServletRequestView(request)))
                    .isEqualTo(Subscriber.user("alice"));
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
                    request.setParameter("who", "bob");
                    assertThat(context.getBean(HeraldAuthenticator.class).authenticateSubscriber(new ServletRequestView(request)).userId()).isEqualTo("bob");
                });
    }

    @Test
    void backsOffForBeansTheApplicationDefines() {
        EventLog custom = new InMemoryEventLog(RetentionPolicy.of(5, Duration.ofMinutes(1)), java.time.InstantSource.system());
        HeraldAuthenticator authenticator = request -> Subscriber.user("fixed");
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
    void closesTheHubWhenTheContextCloses() {
        Hub[] hub = new Hub[1];
        plain.run(context -> hub[0] = context.getBean(Hub.class));
        assertThat(hub[0].isClosed()).isTrue();
    }
}
