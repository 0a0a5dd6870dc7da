package dev.herald.server.dashboard;

import static org.assertj.core.api.Assertions.assertThat;

import dev.herald.core.EventLog;
import dev.herald.core.Publication;
import dev.herald.core.RetentionPolicy;
import dev.herald.server.dashboard.DashboardSnapshot.RecentEvent;
import java.util.List;
import org.junit.jupiter.api.Test;

class RecentEventsTest {

    private final EventLog log = EventLog.inMemory(RetentionPolicy.of(1000, java.time.Duration.ofHours(1)));

    @Test
    void keepsTheLastEventsNewestFirstWithTheSizeOfTheirDataButNotTheData() {
        RecentEvents recent = new RecentEvents(log, 3);
        assertThat(recent.read()).isEmpty();

        log.append(Publication.to("orders/1").type("created").data("é€😀").build());
        List<RecentEvent> first = recent.read();

        assertThat(first).singleElement().satisfies(event -> {
            assertThat(event.topics()).containsExactly("orders/1");
            assertThat(event.type()).isEqualTo("created");
            assertThat(event.bytes()).isEqualTo(2 + 3 + 4);
            assertThat(event.time()).isPositive();
        });
        assertThat(first.toString()).doesNotContain("é€😀");

        for (int i = 2; i <= 5; i++) {
            log.append(Publication.to("orders/" + i).data("x").build());
        }
        assertThat(recent.read()).extracting(event -> event.topics().getFirst()).containsExactly("orders/5", "orders/4", "orders/3");
        assertThat(recent.read()).extracting(RecentEvent::id).isSortedAccordingTo(java.util.Comparator.reverseOrder());
    }

    @Test
    void whenMoreArriveThanAreShownOnlyTheNewestAreRead() {
        RecentEvents recent = new RecentEvents(log, 2);
        for (int i = 1; i <= 500; i++) {
            log.append(Publication.to("t/" + i).data("x").build());
        }

        assertThat(recent.read()).extracting(event -> event.topics().getFirst()).containsExactly("t/500", "t/499");
    }

    @Test
    void leavesOutHeraldsOwnControlEvents() {
        RecentEvents recent = new RecentEvents(log, 5);
        log.append(Publication.to("$herald/control").type("end-user-streams").data("alice").privateEvent(true).build());
        log.append(Publication.to("news").data("hello").build());

        assertThat(recent.read()).extracting(event -> event.topics().getFirst()).containsExactly("news");
    }
}
