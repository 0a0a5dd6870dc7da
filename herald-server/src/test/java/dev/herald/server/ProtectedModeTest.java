package dev.herald.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.NetworkInterface;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.springframework.boot.SpringApplication;
import org.springframework.boot.WebApplicationType;
import org.springframework.context.ConfigurableApplicationContext;

/**
 * The standalone server's secure default, like Redis's protected mode: without authentication it
 * listens on loopback only, refuses to listen elsewhere unless told every caller is trusted, and
 * listens everywhere once a secret is configured. Also the token command that mints tokens for it.
 */
class ProtectedModeTest {

    private static ConfigurableApplicationContext start(String... args) {
        SpringApplication application = new SpringApplication(HeraldServerApplication.class);
        application.setWebApplicationType(WebApplicationType.NONE);
        String[] all = new String[args.length + 3];
        all[0] = "--server.port=0";
        all[1] = "--herald.history.store=memory";
        all[2] = "--herald.demo.enabled=false";
        System.arraycopy(args, 0, all, 3, args.length);
        return application.run(all);
    }

    private static int port(ConfigurableApplicationContext context) {
        return context.getBean(NettyServerLifecycle.class).port();
    }

    /** An address of this machine that is not loopback, or {@code null} if it has none. */
    private static InetAddress externalAddress() throws Exception {
        for (NetworkInterface nic : Collections.list(NetworkInterface.getNetworkInterfaces())) {
            if (nic.isUp() && !nic.isLoopback()) {
                for (InetAddress address : Collections.list(nic.getInetAddresses())) {
                    if (address.getAddress().length == 4) {
                        return address;
                    }
                }
            }
        }
        return null;
    }

    private static boolean accepts(InetAddress address, int port) {
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress(address, port), 2000);
            return true;
        } catch (Exception refused) {
            return false;
        }
    }

    @Test
    void withoutAuthenticationItListensOnLoopbackOnly() throws Exception {
        try (ConfigurableApplicationContext context = start()) {
            int port = port(context);
            assertThat(accepts(InetAddress.getLoopbackAddress(), port)).isTrue();
            InetAddress external = externalAddress();
            if (external != null) {
                assertThat(accepts(external, port)).as("reachable on %s", external).isFalse();
            }
        }
    }

    @Test
    void withoutAuthenticationItRefusesToListenElsewhere() {
        assertThatThrownBy(() -> start("--server.address=0.0.0.0").close())
                .hasStackTraceContaining("no authentication is configured")
                .hasStackTraceContaining("HERALD_AUTH_JWT_SECRET");
    }

    @Test
    void withASecretOrWhenToldEveryoneIsTrustedItListensEverywhere() throws Exception {
        InetAddress external = externalAddress();
        for (String[] args : List.of(new String[] {"--herald.auth.jwt.secret=a-secret-of-at-least-32-bytes-long!!"},
                new String[] {"--herald.auth.insecure=true"})) {
            try (ConfigurableApplicationContext context = start(args)) {
                int port = port(context);
                assertThat(accepts(InetAddress.getLoopbackAddress(), port)).isTrue();
                if (external != null) {
                    assertThat(accepts(external, port)).as("reachable on %s with %s", external, args[0]).isTrue();
                }
            }
        }
    }

    @Test
    void aKeyStoreIsRefusedRatherThanIgnored() {
        assertThatThrownBy(() -> start("--server.ssl.key-store=classpath:keystore.p12").close())
                .hasStackTraceContaining("server.ssl.key-store is not supported")
                .hasStackTraceContaining("herald.tls.certificate");
    }

    @Test
    void theTokenCommandMintsATokenTheServerAccepts() throws Exception {
        String secret = "a-secret-of-at-least-32-bytes-long!!";
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();

        int status = TokenCommand.run(List.of("--sub", "alice", "--subscribe", "users/alice/{+path}", "--ttl", "5m"),
                Map.of("HERALD_AUTH_JWT_SECRET", secret), new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(err));

        assertThat(status).isZero();
        String token = out.toString(StandardCharsets.UTF_8).trim();
        dev.herald.http.Access access = dev.herald.http.Authentication.builder().secret(secret.getBytes(StandardCharsets.UTF_8)).build()
                .authenticate(dev.herald.http.testing.FakeRequest.get("/events").header("Authorization", "Bearer " + token).build());
        assertThat(access.userId()).isEqualTo("alice");
        assertThat(access.privateTopics()).extracting(dev.herald.core.TopicSelector::value).containsExactly("users/alice/{+path}");
        assertThat(access.expiresAt()).isNotNull();
    }

    @Test
    void theTokenCommandExplainsWhatIsMissing() {
        ByteArrayOutputStream err = new ByteArrayOutputStream();

        int noSecret = TokenCommand.run(List.of("--sub", "alice"), Map.of(), new PrintStream(new ByteArrayOutputStream()),
                new PrintStream(err, true, StandardCharsets.UTF_8));
        int badOption = TokenCommand.run(List.of("--bogus"), Map.of("HERALD_AUTH_JWT_SECRET", "x".repeat(40)),
                new PrintStream(new ByteArrayOutputStream()), new PrintStream(err, true, StandardCharsets.UTF_8));

        assertThat(noSecret).isEqualTo(2);
        assertThat(badOption).isEqualTo(2);
        assertThat(err.toString(StandardCharsets.UTF_8)).contains("HERALD_AUTH_JWT_SECRET").contains("unknown option --bogus").contains("usage:");
    }
}
