package dev.herald.jdbc;

import dev.herald.core.EventLog;
import dev.herald.core.RetentionPolicy;
import dev.herald.core.testing.EventLogContract;
import dev.herald.core.testing.MutableClock;

/** The event log contract on a fresh in-memory H2 database per log. */
class H2EventLogTest extends EventLogContract {

    @Override
    protected EventLog createLog(RetentionPolicy retention, MutableClock clock) {
        TestDatabase database = H2Databases.inMemory();
        return JdbcEventLog.builder(database.dataSource()).retention(retention).clock(clock).closing(database).build();
    }
}
