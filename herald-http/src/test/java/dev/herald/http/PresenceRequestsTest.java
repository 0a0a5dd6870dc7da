package dev.herald.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.herald.core.Hub;
import dev.herald.core.Presence;
import dev.herald.core.SubscribeRequest;
import dev.herald.core.Subscriber;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The presence API's answers, on a real hub's own connections ({@link Presence#local}). */
class PresenceRequestsTest {

    private final Hub hub = Hub.builder().build();
    private final Presence presence = Presence.local(hub);

    @AfterEach
    void close() {
        hub.close();
    }

    private static HttpRequestView query(Map<String, String> parameters) {
        return new HttpRequestView() {
            @Override
            public String method() {
                return "GET";
            }

            @Override
            public String path() {
                return "/presence";
            }

            @Override
            public String header(String name) {
                return null;
            }

            @Override
            public List<String> parameters(String name) {
                return parameters.containsKey(name) ? List.of(parameters.get(name)) : List.of();
            }

            @Override
            public String cookie(String name) {
                return null;
            }

            @Override
            public String remoteAddress() {
                return null;
            }
        };
    }

    @Test
    void countsSubscribersOfATopicTheConnectionsOfAUserAndTheSummary() {
        hub.open(SubscribeRequest.topics("rooms/{id}").subscriber(Subscriber.user("alice")).build());
        hub.open(SubscribeRequest.topics("rooms/1", "lobby").subscriber(Subscriber.user("alice")).build());
        hub.open(SubscribeRequest.topics("lobby").subscriber(Subscriber.user("bob \"b\"")).build());

        assertThat(PresenceRequests.answer(presence, query(Map.of("topic", "rooms/1"))))
                .isEqualTo("{\"topic\":\"rooms/1\",\"subscribers\":2}");
        assertThat(PresenceRequests.answer(presence, query(Map.of("topic", "rooms/2"))))
                .isEqualTo("{\"topic\":\"rooms/2\",\"subscribers\":1}");
        assertThat(PresenceRequests.answer(presence, query(Map.of("user", "alice"))))
                .isEqualTo("{\"user\":\"alice\",\"connected\":true,\"connections\":2}");
        assertThat(PresenceRequests.answer(presence, query(Map.of("user", "bob \"b\""))))
                .isEqualTo("{\"user\":\"bob \\\"b\\\"\",\"connected\":true,\"connections\":1}");
        assertThat(PresenceRequests.answer(presence, query(Map.of("user", "carol"))))
                .isEqualTo("{\"user\":\"carol\",\"connected\":false,\"connections\":0}");
        assertThat(PresenceRequests.answer(presence, query(Map.of()))).isEqualTo("{\"nodes\":1,\"connections\":3}");
    }

    @Test
    void refusesATopicAndAUserTogetherAndControlCharactersAsAnInvalidQuery() {
        assertThatThrownBy(() -> PresenceRequests.answer(presence, query(Map.of("topic", "a", "user", "b"))))
                .isInstanceOf(InvalidQueryException.class);
        assertThatThrownBy(() -> PresenceRequests.answer(presence, query(Map.of("user", "a\r\nb"))))
                .isInstanceOf(InvalidQueryException.class);
        assertThatThrownBy(() -> PresenceRequests.answer(presence, query(Map.of("topic", ""))))
                .isInstanceOf(InvalidQueryException.class);
        assertThat(Problem.of(new InvalidQueryException("x"))).satisfies(p -> {
            assertThat(p.status()).isEqualTo(400);
            assertThat(p.type()).isEqualTo("urn:herald:problem:invalid-query");
        });
    }
}
