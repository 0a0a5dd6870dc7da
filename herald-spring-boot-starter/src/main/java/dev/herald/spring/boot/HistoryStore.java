package dev.herald.spring.boot;

import dev.herald.core.DeliveryCursors;
import dev.herald.core.EventLog;
import dev.herald.core.InMemoryEventLog;
import dev.herald.core.RetentionPolicy;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;
import javax.sql.DataSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The event history and the delivery cursors chosen by {@code herald.history.*}, with whatever
 * they run on (a connection pool), closed together and in order: cursors, log, then the pool.
 */
public final class HistoryStore implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(HistoryStore.class);

    private final EventLog eventLog;
    private final DeliveryCursors cursors;
    private final List<AutoCloseable> resources;

    HistoryStore(EventLog eventLog, DeliveryCursors cursors, List<AutoCloseable> resources) {
        this.eventLog = eventLog;
        this.cursors = cursors;
        this.resources = resources;
    }

    static HistoryStore open(HeraldProperties properties, Supplier<DataSource> applicationDataSource, InstantSource clock) {
        HeraldProperties.History history = properties.getHistory();
        RetentionPolicy retention = RetentionPolicy.of(history.getMaxEvents(), history.getMaxAge());
        HeraldProperties.History.Store store = history.effectiveStore();
        if (store == HeraldProperties.History.Store.MEMORY) {
            return new HistoryStore(new InMemoryEventLog(retention, clock), DeliveryCursors.inMemory(), new ArrayList<>());
        }
        try {
            Class.forName("dev.herald.jdbc.JdbcEventLog", false, HistoryStore.class.getClassLoader());
        } catch (ClassNotFoundException e) {
            throw new IllegalStateException("herald.history.store=" + store.name().toLowerCase()
                    + " needs dev.herald:herald-jdbc (and a JDBC driver) on the class path", e);
        }
        return JdbcHistory.open(properties, store, retention, applicationDataSource, clock);
    }

    public EventLog eventLog() {
        return eventLog;
    }

    public DeliveryCursors cursors() {
        return cursors;
    }

    @Override
    public void close() {
        closeQuietly(cursors);
        closeQuietly(eventLog);
        for (AutoCloseable resource : resources) {
            closeQuietly(resource);
        }
    }

    static void closeQuietly(AutoCloseable resource) {
        try {
            resource.close();
        } catch (Exception e) {
            log.warn("Could not close {}: {}", resource, e.toString());
        }
    }
}
