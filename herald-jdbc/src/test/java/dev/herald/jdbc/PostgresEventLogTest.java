package dev.herald.jdbc;

import dev.herald.core.EventLog;
import dev.herald.core.RetentionPolicy;
import dev.herald.core.testing.EventLogContract;
import dev.herald.core.testing.MutableClock;
import org.junit.jupiter.api.BeforeEach;

/** The event log contract on a fresh PostgreSQL database per log. */
class PostgresEventLogTest extends EventLogContract {

    /** Per test, so that without PostgreSQL each test shows as skipped, with the reason. */
    @BeforeEach
    void server() {
        PostgresServer.get();
    }

    @Override
    protected EventLog createLog(RetentionPolicy retention, MutableClock clock) {
        TestDatabase database = PostgresServer.get().freshDatabase();
        return JdbcEventLog.builder(database.dataSource()).retention(retention).clock(clock).closing(database).build();
    }
}
