package dev.herald.core;

import java.util.List;

/**
 * One read from an {@link EventLog}.
 *
 * @param events  events with ids greater than the cursor read after, oldest first
 * @param horizon every event with an id up to and including the horizon is gone (dropped by
 *                retention) or never existed in this log. A reader whose cursor is below the
 *                horizon has missed events.
 * @param lastId  the newest id the log has assigned, or the horizon if it holds nothing
 */
public record LogPage(List<Event> events, long horizon, long lastId) {

    public LogPage {
        events = List.copyOf(events);
    }
}
