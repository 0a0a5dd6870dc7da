package dev.herald.jdbc;

import dev.herald.core.Event;
import dev.herald.core.Priority;
import dev.herald.core.Publication;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Types;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Set;

/**
 * How an {@link Event} maps to a row of {@code herald_events}, and the statements that read and
 * write those rows. Stateless.
 */
final class EventRows {

    static final String COLUMNS =
            "id, created_at, topics, event_type, data, publisher_key, retry_ms, private_event, audience, priority";

    static final String INSERT =
            "INSERT INTO herald_events (" + COLUMNS + ") VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)";

    /** Parameters: after (exclusive), through (inclusive), limit. */
    static final String READ_RANGE = "SELECT " + COLUMNS
            + " FROM herald_events WHERE id > ? AND id <= ? ORDER BY id FETCH FIRST ? ROWS ONLY";

    /** Names never contain control characters, so a line feed separates them unambiguously. */
    private static final String SEPARATOR = "\n";

    private EventRows() {
    }

    /**
     * The publication as the log stores it: the reconnection delay in whole milliseconds (what the
     * {@code retry:} field carries), so an appended event equals the one read back.
     */
    static Publication normalize(Publication publication) {
        Duration retry = publication.retry();
        if (retry == null) {
            return publication;
        }
        Duration millis = Duration.ofMillis(saturatedMillis(retry));
        if (millis.equals(retry)) {
            return publication;
        }
        return new Publication(publication.topics(), publication.type(), publication.data(), publication.key(),
                millis, publication.privateEvent(), publication.audience(), publication.priority());
    }

    static void bind(PreparedStatement insert, Event event) throws SQLException {
        insert.setLong(1, event.id());
        insert.setObject(2, timestamp(event.time()));
        insert.setString(3, String.join(SEPARATOR, event.topics()));
        insert.setString(4, event.type());
        insert.setString(5, event.data());
        insert.setString(6, event.key());
        if (event.retry() == null) {
            insert.setNull(7, Types.BIGINT);
        } else {
            insert.setLong(7, saturatedMillis(event.retry()));
        }
        insert.setBoolean(8, event.privateEvent());
        if (event.audience().isEmpty()) {
            insert.setNull(9, Types.VARCHAR);
        } else {
            insert.setString(9, String.join(SEPARATOR, event.audience().stream().sorted().toList()));
        }
        insert.setString(10, event.priority().name());
    }

    /** Reads the row the result set is on; the query selected {@link #COLUMNS}. */
    static Event read(ResultSet row) throws SQLException {
        long id = row.getLong(1);
        Instant time = row.getObject(2, OffsetDateTime.class).toInstant();
        List<String> topics = Arrays.asList(row.getString(3).split(SEPARATOR, -1));
        String type = row.getString(4);
        String data = row.getString(5);
        String key = row.getString(6);
        long retryMillis = row.getLong(7);
        Duration retry = row.wasNull() ? null : Duration.ofMillis(retryMillis);
        boolean privateEvent = row.getBoolean(8);
        String audience = row.getString(9);
        Set<String> users = audience == null ? Set.of() : Set.of(audience.split(SEPARATOR, -1));
        Priority priority = Priority.valueOf(row.getString(10));
        return new Event(id, time, new Publication(topics, type, data, key, retry, privateEvent, users, priority));
    }

    /** Reads every row of the result set. */
    static List<Event> readAll(ResultSet rows) throws SQLException {
        List<Event> events = new ArrayList<>();
        while (rows.next()) {
            events.add(read(rows));
        }
        return events;
    }

    static OffsetDateTime timestamp(Instant instant) {
        return OffsetDateTime.ofInstant(instant, ZoneOffset.UTC);
    }

    private static long saturatedMillis(Duration duration) {
        try {
            return duration.toMillis();
        } catch (ArithmeticException e) {
            return Long.MAX_VALUE;
        }
    }
}
