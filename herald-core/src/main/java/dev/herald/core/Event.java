package dev.herald.core;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Objects;
import java.util.Set;

/**
 * An event as stored in the {@link EventLog}: a {@link Publication} with the id and time the log
 * gave it.
 *
 * <p>Ids are positions in the log: strictly increasing in publish order, and never reused by the
 * same log. Clients see them as opaque strings.
 *
 * @param id          the log position, greater than zero
 * @param time        when the log accepted the event
 * @param publication what the publisher sent
 */
public record Event(long id, Instant time, Publication publication) {

    public Event {
        if (id <= 0) {
            throw new IllegalArgumentException("event ids are positive, got " + id);
        }
        Objects.requireNonNull(time, "time");
        Objects.requireNonNull(publication, "publication");
    }

    public List<String> topics() {
        return publication.topics();
    }

    public String type() {
        return publication.type();
    }

    public String data() {
        return publication.data();
    }

    /** The publisher's key, or {@code null}. */
    public String key() {
        return publication.key();
    }

    /** The reconnection delay to send with the event, or {@code null}. */
    public Duration retry() {
        return publication.retry();
    }

    public boolean privateEvent() {
        return publication.privateEvent();
    }

    public Set<String> audience() {
        return publication.audience();
    }

    public Priority priority() {
        return publication.priority();
    }
}
