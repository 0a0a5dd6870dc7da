package dev.herald.http;

import static org.assertj.core.api.Assertions.assertThat;

import dev.herald.core.ConnectionLimitException;
import dev.herald.core.EventTooLargeException;
import dev.herald.core.InvalidEventException;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class ProblemTest {

    @Test
    void mapsFailuresToStatusesAndTypes() {
        assertThat(Problem.of(new InvalidEventException("bad")).status()).isEqualTo(400);
        assertThat(Problem.of(new EventTooLargeException(10, 5))).satisfies(p -> {
            assertThat(p.status()).isEqualTo(413);
            assertThat(p.type()).isEqualTo("urn:herald:problem:event-too-large");
            assertThat(p.extras()).containsEntry("size", 10L).containsEntry("limit", 5L);
        });
        Problem user = Problem.of(new ConnectionLimitException(ConnectionLimitException.Scope.USER, 2, Duration.ofSeconds(7)));
        assertThat(user.status()).isEqualTo(429);
        assertThat(user.retryAfterSeconds()).isEqualTo("7");
        assertThat(Problem.of(new ConnectionLimitException(ConnectionLimitException.Scope.HUB, 9, Duration.ofMillis(10))))
                .satisfies(p -> {
                    assertThat(p.status()).isEqualTo(503);
                    assertThat(p.retryAfterSeconds()).isEqualTo("1");
                });
    }

    @Test
    void writesJsonWithEscapedDetail() {
        String json = Problem.of(new InvalidEventException("type \"a\r\nb\" is bad")).toJson("/events");

        assertThat(json).isEqualTo("{\"type\":\"urn:herald:problem:invalid-event\",\"title\":\"Invalid event\",\"status\":400,"
                + "\"detail\":\"type \\\"a\\r\\nb\\\" is bad\",\"instance\":\"/events\"}");
    }
}
