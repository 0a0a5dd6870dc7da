package dev.herald.server.dashboard;

import dev.herald.core.Event;
import dev.herald.core.EventLog;
import dev.herald.core.LogPage;
import dev.herald.core.sse.SseEncoder;
import dev.herald.http.HeraldApi;
import dev.herald.server.dashboard.DashboardSnapshot.RecentEvent;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;

/**
 * The last events of the event log, by their metadata: read from the log itself, after the last one
 * seen, rather than through a subscription of the dashboard's own, which would count as a connection
 * and a delivery in the very numbers the dashboard shows, and whose frames do not name their topics.
 * In a cluster the log is shared, so these are every node's events. Events on Herald's own topics
 * ({@code $herald/...}, such as requests to end a user's streams) are left out. The data is measured
 * and dropped at once: it is never kept or shown.
 *
 * <p>Not thread-safe: the dashboard's scheduler thread owns it. {@link #read()} may block on a
 * database or Redis, once a second, while someone watches.
 */
final class RecentEvents {

    private final EventLog log;
    private final int size;
    private final Deque<RecentEvent> recent = new ArrayDeque<>();
    /** The newest id read. */
    private long cursor;

    RecentEvents(EventLog log, int size) {
        this.log = log;
        this.size = size;
    }

    /**
     * Reads what the log accepted since the last call and returns the last events, newest first.
     * When more arrived than are shown, only the newest are read.
     *
     * @throws dev.herald.core.EventLogException if the log could not be read (what was read before is kept)
     */
    List<RecentEvent> read() {
        long after = cursor;
        LogPage page = log.readAfter(after, size);
        if (!page.events().isEmpty() && page.lastId() > page.events().getLast().id()) {
            // More arrived than are shown: skip to the newest (ids may have gaps, so this may read fewer).
            page = log.readAfter(Math.max(after, page.lastId() - size), size);
        }
        for (Event event : page.events()) {
            if (event.topics().stream().noneMatch(topic -> topic.startsWith(HeraldApi.RESERVED_TOPIC_PREFIX))) {
                recent.addFirst(new RecentEvent(event.id(), event.topics(), event.type(), SseEncoder.utf8Length(event.data()),
                        event.time().toEpochMilli()));
                if (recent.size() > size) {
                    recent.removeLast();
                }
            }
            after = event.id();
        }
        cursor = after;
        return List.copyOf(recent);
    }
}
