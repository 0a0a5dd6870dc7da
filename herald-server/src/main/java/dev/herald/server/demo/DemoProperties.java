package dev.herald.server.demo;

import java.time.Duration;
import org.springframework.boot.context.properties.ConfigurationProperties;

/** Settings of the demo endpoints, under {@code herald.demo.*}. */
@ConfigurationProperties("herald.demo")
public class DemoProperties {

    /** Whether to serve the demo endpoints ({@code /sse}, {@code /stream-sse}, {@code /connect/{id}}). */
    private boolean enabled = true;

    /** The gap between the ten messages of {@code GET /sse}. */
    private Duration sseInterval = Duration.ofSeconds(1);

    /** How often {@code GET /stream-sse} sends the time to one connected user chosen at random. */
    private Duration streamInterval = Duration.ofSeconds(2);

    /** The reconnection delay sent with the first event of {@code GET /connect/{id}}. */
    private Duration connectRetry = Duration.ofMillis(500);

    public boolean isEnabled() {
        return enabled;
    }

    public void setEnabled(boolean enabled) {
        this.enabled = enabled;
    }

    public Duration getSseInterval() {
        return sseInterval;
    }

    public void setSseInterval(Duration sseInterval) {
        this.sseInterval = sseInterval;
    }

    public Duration getStreamInterval() {
        return streamInterval;
    }

    public void setStreamInterval(Duration streamInterval) {
        this.streamInterval = streamInterval;
    }

    public Duration getConnectRetry() {
        return connectRetry;
    }

    public void setConnectRetry(Duration connectRetry) {
        this.connectRetry = connectRetry;
    }
}
