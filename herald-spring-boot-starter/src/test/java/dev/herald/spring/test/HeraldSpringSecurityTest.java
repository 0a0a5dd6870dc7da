package dev.herald.spring.test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.herald.core.ConnectionInfo;
import dev.herald.core.Hub;
import dev.herald.core.Publication;
import dev.herald.core.testing.SseWireClient;
import dev.herald.http.TokenMinter;
import dev.herald.spring.testing.RunningServer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.InstantSource;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import javax.crypto.spec.SecretKeySpec;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.context.TestConfiguration;
import org.springframework.context.annotation.Bean;
import org.springframework.security.config.Customizer;
import org.springframework.security.config.annotation.web.builders.HttpSecurity;
import org.springframework.security.core.userdetails.User;
import org.springframework.security.core.userdetails.UserDetailsService;
import org.springframework.security.oauth2.jwt.JwtDecoder;
import org.springframework.security.oauth2.jwt.NimbusJwtDecoder;
import org.springframework.security.provisioning.InMemoryUserDetailsManager;
import org.springframework.security.web.SecurityFilterChain;

/**
 * An application that uses Spring Security: the principal it authenticated is Herald's user, and
 * a resource server's JWT brings the grants of its {@code herald} claim; requests it did not
 * authenticate fall back to Herald's own authentication.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT, properties = {
    // Spring Security's auto-configuration back on (the other tests of this module leave it off).
    "spring.autoconfigure.exclude=",
    "herald.auth.jwt.secret=" + HeraldSpringSecurityTest.SECRET,
    "herald.auth.public-topics=news",
    "herald.heartbeat=1s",
})
class HeraldSpringSecurityTest {

    static final String SECRET = "spring-security-test-secret-of-32-bytes+";

    @TestConfiguration
    static class Security {

        @Bean
        SecurityFilterChain securityFilterChain(HttpSecurity http) throws Exception {
            return http.authorizeHttpRequests(requests -> requests.anyRequest().permitAll())
                    .httpBasic(Customizer.withDefaults())
                    .oauth2ResourceServer(server -> server.jwt(Customizer.withDefaults()))
                    .build();
        }

        @Bean
        JwtDecoder jwtDecoder() {
            return NimbusJwtDecoder.withSecretKey(new SecretKeySpec(SECRET.getBytes(StandardCharsets.UTF_8), "HmacSHA256")).build();
        }

        @Bean
        UserDetailsService users() {
            return new InMemoryUserDetailsManager(User.withUsername("bob").password("{noop}secret").roles("USER").build());
        }
    }

    @Autowired
    Hub hub;

    @RegisterExtension
    final RunningServer server = new RunningServer();

    private static String bearer(String subject, List<String> subscribe) {
        return "Bearer " + TokenMinter.hs256(SECRET.getBytes(StandardCharsets.UTF_8), subject, subscribe, List.of(), false, false,
                Duration.ofMinutes(5), InstantSource.system());
    }

    @Test
    void aResourceServersJwtBringsItsHeraldGrants() throws Exception {
        SseWireClient own = server.stream("/events?topic=users/alice/inbox", Map.of("Authorization", bearer("alice", List.of("users/alice/{+path}"))));
        SseWireClient others = server.stream("/events?topic=users/bob/inbox", Map.of("Authorization", bearer("alice", List.of("users/alice/{+path}"))));
        assertThat(own.status()).isEqualTo(200);
        assertThat(others.status()).isEqualTo(403);
        server.awaitLive(1);
        assertThat(hub.connections().getFirst().userId()).isEqualTo("alice");

        hub.publish(Publication.to("users/alice/inbox").data("private to alice").privateEvent(true).build());

        await().until(() -> own.parser().events().size() == 1);
        assertThat(own.parser().events().getFirst().data()).isEqualTo("private to alice");
    }

    @Test
    void anyOtherAuthenticatedPrincipalIsTheUserWithThePublicTopics() throws Exception {
        String basic = "Basic " + Base64.getEncoder().encodeToString("bob:secret".getBytes(StandardCharsets.UTF_8));

        SseWireClient news = server.stream("/events?topic=news", Map.of("Authorization", basic));
        SseWireClient elsewhere = server.stream("/events?topic=users/alice/inbox", Map.of("Authorization", basic));

        assertThat(news.status()).isEqualTo(200);
        assertThat(elsewhere.status()).isEqualTo(403);
        server.awaitLive(1);
        assertThat(hub.connections().getFirst().userId()).isEqualTo("bob");
        hub.publish(Publication.to("news").data("for bob only").audience("bob").build());
        await().until(() -> news.parser().events().size() == 1);
    }

    @Test
    void aRequestSpringSecurityDidNotAuthenticateFallsBackToHeraldsOwn() throws Exception {
        SseWireClient anonymous = server.stream("/events?topic=news&user=alice");
        SseWireClient tokenInQuery = server.stream("/events?topic=users/carol/inbox&access_token="
                + bearer("carol", List.of("users/carol/{+path}")).substring("Bearer ".length()));

        assertThat(anonymous.status()).isEqualTo(200);
        assertThat(tokenInQuery.status()).isEqualTo(200);
        server.awaitLive(2);
        assertThat(hub.connections()).extracting(ConnectionInfo::userId).containsExactlyInAnyOrder(null, "carol");
    }
}
