package dev.herald.spring.test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;


import dev.herald.core.DeliveryCursors;
import dev.herald.core.Event;
import dev.herald.core.EventBus;
import dev.herald.core.EventLog;
import dev.herald.core.Hub;
import dev.herald.core.InMemoryEventLog;
import dev.herald.core.Presence;
import dev.herald.core.Publication;
import dev.herald.core.testing.SseWireClient;
import dev.herald.redis.RedisDeliveryCursors;
import dev.herald.redis.RedisEventLog;
import dev.herald.redis.RedisPresence;
import dev.herald.redis.testing.RedisServer;
import dev.herald.spring.boot.ClusterMode;
import dev.herald.spring.boot.HeraldAutoConfiguration;
import dev.herald.spring.boot.HeraldProperties;
import io.lettuce.core.RedisURI;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.core.env.MapPropertySource;
import org.springframework.core.env.StandardEnvironment;

/** Cluster mode from properties, on a real redis-server: the beans, and two web applications sharing it. */
class HeraldClusterModeTest {

    private static RedisServer redis;

    private final ApplicationContextRunner runner = new ApplicationContextRunner()
            .withConfiguration(AutoConfigurations.of(HeraldAutoConfiguration.class));

    @BeforeAll
    static void startRedis() {
        redis = RedisServer.start();
    }

    @AfterAll
    static void stopRedis() {
        if (redis != null) {
            redis.close();
        }
    }

    @Test
    void aRedisUrlPutsHistoryBusCursorsAndPresenceOnRedisSharedByEveryNode() {
        ApplicationContextRunner node = runner.withPropertyValues("herald.redis.url=" + redis.uri(),
                "herald.redis.namespace=beans");
        AtomicLong published = new AtomicLong();
        node.run(first -> {
            assertThat(first.getBean(EventLog.class)).isInstanceOf(RedisEventLog.class);
            assertThat(first.getBean(DeliveryCursors.class)).isInstanceOf(RedisDeliveryCursors.class);
            assertThat(first.getBean(Presence.class)).isInstanceOf(RedisPresence.class);
            assertThat(first.getBean(EventBus.class).getClass().getName()).isEqualTo("dev.herald.redis.RedisEventBus");
            published.set(first.getBean(Hub.class).publish(Publication.to("shared").data("from the first node").build()).id());
            // A second node on the same Redis reads it, while the first still runs.
            node.run(second -> assertThat(second.getBean(EventLog.class).readAfter(published.get() - 1, 10).events())
                    .extracting(Event::data).containsExactly("from the first node"));
        });
    }

    @Test
    void springDataRedisPropertiesSelectClusterModeOnlyWhenAskedTo() {
        runner.withPropertyValues("spring.data.redis.host=127.0.0.1", "spring.data.redis.port=" + redis.port())
                .run(context -> assertThat(context.getBean(EventLog.class)).isInstanceOf(InMemoryEventLog.class));
        runner.withPropertyValues("spring.data.redis.host=127.0.0.1", "spring.data.redis.port=" + redis.port(),
                "herald.redis.spring-data=true", "herald.redis.namespace=spring-props").run(context -> {
            assertThat(context).hasNotFailed();
            assertThat(context.getBean(EventLog.class)).isInstanceOf(RedisEventLog.class);
        });
        runner.withPropertyValues("spring.data.redis.url=" + redis.uri(), "herald.redis.spring-data=true",
                "herald.redis.namespace=spring-url").run(context -> assertThat(context.getBean(EventLog.class))
                .isInstanceOf(RedisEventLog.class));
    }

    @Test
    void aRedisUrlIsBuiltFromSpringsPropertiesWithCredentialsEncodedAndIpv6Bracketed() {
        StandardEnvironment environment = new StandardEnvironment();
        environment.getPropertySources().addFirst(new MapPropertySource("test", Map.of(
                "spring.data.redis.host", "::1", "spring.data.redis.port", "6380", "spring.data.redis.username", "app",
                "spring.data.redis.password", "p@ss:w/rd#?", "spring.data.redis.database", "2")));
        HeraldProperties properties = new HeraldProperties();
        assertThat(ClusterMode.redisUrl(properties, environment)).as("off unless asked").isNull();
        properties.getRedis().setSpringData(true);

        String url = ClusterMode.redisUrl(properties, environment);

        RedisURI parsed = RedisURI.create(url);
        assertThat(parsed.getHost()).isEqualTo("[::1]"); // Lettuce keeps the brackets; InetAddress reads them
        assertThat(parsed.getPort()).isEqualTo(6380);
        io.lettuce.core.RedisCredentials credentials = parsed.getCredentialsProvider().resolveCredentials().block();
        assertThat(credentials.getUsername()).isEqualTo("app");
        assertThat(new String(credentials.getPassword())).isEqualTo("p@ss:w/rd#?");
        assertThat(parsed.getDatabase()).isEqualTo(2);
        properties.getRedis().setUrl("redis://elsewhere:1");
        assertThat(ClusterMode.redisUrl(properties, environment)).as("herald.redis.url wins").isEqualTo("redis://elsewhere:1");
    }

    @Test
    void springRedisSettingsHeraldCannotFollowFailWithAClearMessage() {
        runner.withPropertyValues("spring.data.redis.sentinel.master=mymaster", "spring.data.redis.sentinel.nodes=127.0.0.1:26379",
                "herald.redis.spring-data=true").run(context -> {
            assertThat(context).hasFailed();
            assertThat(context.getStartupFailure()).rootCause().hasMessageContaining("herald.redis.url");
        });
    }

    @Test
    void aDatabaseStoreAndARedisUrlTogetherFailAtStartWithAClearMessage() {
        runner.withPropertyValues("herald.redis.url=" + redis.uri(), "herald.history.store=h2").run(context -> {
            assertThat(context).hasFailed();
            assertThat(context.getStartupFailure()).rootCause().hasMessageContaining("a cluster keeps its history in Redis");
        });
    }

    @Test
    void twoWebApplicationsOnOneRedisServeOneStreamAndOnePresence() throws Exception {
        try (ConfigurableApplicationContext a = web("a"); ConfigurableApplicationContext b = web("b")) {
            int portA = port(a);
            int portB = port(b);
            try (SseWireClient onB = SseWireClient.get(portB, "/events?topic=orders&user=alice")) {
                await().atMost(Duration.ofSeconds(20)).until(() -> onB.text().startsWith("retry:"));

                HttpResponse<String> created = Http.publish(portA, "{\"topic\":\"orders\",\"data\":\"paid\"}");

                assertThat(created.statusCode()).isEqualTo(201);
                await().atMost(Duration.ofSeconds(20)).until(() -> onB.parser().events().size() == 1);
                assertThat(onB.parser().events().getFirst().data()).isEqualTo("paid");
                await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> {
                    HttpResponse<String> presence = Http.send(HttpRequest.newBuilder(
                            URI.create("http://127.0.0.1:" + portA + "/presence?user=alice")).GET().build());
                    assertThat(presence.statusCode()).isEqualTo(200);
                    assertThat(presence.body()).isEqualTo("{\"user\":\"alice\",\"connected\":true,\"connections\":1}");
                });
            }
        }
    }

    private static ConfigurableApplicationContext web(String node) {
        return new SpringApplicationBuilder(TestApplication.class).properties(
                "server.port=0", "server.address=127.0.0.1", "spring.main.banner-mode=off",
                "herald.redis.url=" + redis.uri(), "herald.redis.namespace=web", "herald.redis.node=" + node,
                "herald.redis.presence-interval=200ms", "herald.retry=100ms", "herald.endpoint.presence-path=/presence").run();
    }

    private static int port(ConfigurableApplicationContext context) {
        return context.getEnvironment().getProperty("local.server.port", Integer.class);
    }
}
