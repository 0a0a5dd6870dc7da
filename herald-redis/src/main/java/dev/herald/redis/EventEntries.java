package dev.herald.redis;

import dev.herald.core.Event;
import dev.herald.core.EventLogException;
import dev.herald.core.Priority;
import dev.herald.core.Publication;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Set;

/**
 * Events as stream entries: one field per part of the publication, leaving out parts at their
 * defaults. Topics and audience are joined with line feeds, which names never contain.
 */
final class EventEntries {

    private static final String TIME = "t";
    private static final String TOPICS = "topics";
    private static final String TYPE = "type";
    private static final String DATA = "data";
    private static final String KEY = "key";
    private static final String RETRY = "retry";
    private static final String PRIVATE = "private";
    private static final String AUDIENCE = "audience";
    private static final String PRIORITY = "priority";

    private EventEntries() {
    }

    /** The entry's fields and values, in order: name, value, name, value... */
    static List<String> fields(Publication publication, long timeMillis) {
        List<String> out = new ArrayList<>(12);
        add(out, TIME, Long.toString(timeMillis));
        add(out, TOPICS, String.join("\n", publication.topics()));
        if (!Publication.DEFAULT_TYPE.equals(publication.type())) {
            add(out, TYPE, publication.type());
        }
        add(out, DATA, publication.data());
        if (publication.key() != null) {
            add(out, KEY, publication.key());
        }
        if (publication.retry() != null) {
            add(out, RETRY, Long.toString(publication.retry().toMillis()));
        }
        if (publication.privateEvent()) {
            add(out, PRIVATE, "1");
        }
        if (!publication.audience().isEmpty()) {
            add(out, AUDIENCE, String.join("\n", publication.audience().stream().sorted().toList()));
        }
        if (publication.priority() != Priority.NORMAL) {
            add(out, PRIORITY, publication.priority().name());
        }
        return out;
    }

    private static void add(List<String> out, String name, String value) {
        out.add(name);
        out.add(value);
    }

    /**
     * The publication as it will be read back: the retry delay at millisecond precision, so an
     * appended event equals the same event read from the stream.
     */
    static Publication stored(Publication publication) {
        if (publication.retry() == null) {
            return publication;
        }
        Duration millis = Duration.ofMillis(publication.retry().toMillis());
        return new Publication(publication.topics(), publication.type(), publication.data(), publication.key(), millis,
                publication.privateEvent(), publication.audience(), publication.priority());
    }

    /** An event from a stream entry: its id and its fields as Redis returns them. */
    static Event event(String streamId, List<?> fields) {
        String time = null;
        List<String> topics = null;
        String type = null;
        String data = null;
        String key = null;
        Duration retry = null;
        boolean privateEvent = false;
        Set<String> audience = Set.of();
        Priority priority = Priority.NORMAL;
        for (int i = 0; i + 1 < fields.size(); i += 2) {
            String value = (String) fields.get(i + 1);
            switch ((String) fields.get(i)) {
                case TIME -> time = value;
                case TOPICS -> topics = Arrays.asList(value.split("\n", -1));
                case TYPE -> type = value;
                case DATA -> data = value;
                case KEY -> key = value;
                case RETRY -> retry = Duration.ofMillis(Long.parseLong(value));
                case PRIVATE -> privateEvent = "1".equals(value);
                case AUDIENCE -> audience = Set.of(value.split("\n", -1));
                case PRIORITY -> priority = Priority.valueOf(value);
                default -> {
                    // A field from a newer version: ignored.
                }
            }
        }
        if (time == null || topics == null || data == null) {
            throw new EventLogException("stream entry " + streamId + " is not a Herald event");
        }
        return new Event(StreamIds.toEventId(streamId), Instant.ofEpochMilli(Long.parseLong(time)),
                new Publication(topics, type, data, key, retry, privateEvent, audience, priority));
    }
}
