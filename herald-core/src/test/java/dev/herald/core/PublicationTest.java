package dev.herald.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.junit.jupiter.api.Test;

class PublicationTest {

    @Test
    void defaultsToTheMessageTypeAndNormalPriority() {
        Publication publication = Publication.to("a").data("x").build();

        assertThat(publication.type()).isEqualTo("message");
        assertThat(publication.priority()).isEqualTo(Priority.NORMAL);
        assertThat(publication.audience()).isEmpty();
    }

    @Test
    void needsATopicAndRefusesControlCharactersInNames() {
        assertThatThrownBy(() -> Publication.builder().data("x").build())
                .isInstanceOf(InvalidEventException.class).hasMessageContaining("topic");
        assertThatThrownBy(() -> Publication.to("").build()).isInstanceOf(InvalidEventException.class);
        assertThatThrownBy(() -> Publication.to("a").type("x\r\ny").build())
                .isInstanceOf(InvalidEventException.class).hasMessageContaining("type");
        assertThatThrownBy(() -> Publication.to("a").key("k\n").build())
                .isInstanceOf(InvalidEventException.class).hasMessageContaining("id");
        assertThatThrownBy(() -> Publication.to("a").audience("bob\0").build())
                .isInstanceOf(InvalidEventException.class).hasMessageContaining("user id");
    }

    @Test
    void dropsRepeatedTopicsKeepingOrder() {
        assertThat(Publication.to("b", "a", "b").build().topics()).isEqualTo(List.of("b", "a"));
    }

    @Test
    void parsesPrioritiesIgnoringCase() {
        assertThat(Priority.parse("HIGH")).isEqualTo(Priority.HIGH);
        assertThat(Priority.parse("low")).isEqualTo(Priority.LOW);
        assertThatThrownBy(() -> Priority.parse("urgent")).isInstanceOf(InvalidEventException.class)
                .hasMessageContaining("high, normal, low");
    }

    @Test
    void subscribersSeeAudienceAndPrivateEventsOnlyWhenEntitled() {
        Event forBob = event(Publication.to("t").audience("bob").build());
        Event secret = event(Publication.to("books/1").privateEvent(true).build());

        assertThat(Subscriber.user("bob").mayReceive(forBob)).isTrue();
        assertThat(Subscriber.user("alice").mayReceive(forBob)).isFalse();
        assertThat(Subscriber.anonymous().mayReceive(forBob)).isFalse();

        assertThat(Subscriber.user("bob").mayReceive(secret)).isFalse();
        assertThat(new Subscriber("bob", List.of(TopicSelector.parse("books/{id}"))).mayReceive(secret)).isTrue();
    }

    private static Event event(Publication publication) {
        return new Event(1, java.time.Instant.EPOCH, publication);
    }
}
