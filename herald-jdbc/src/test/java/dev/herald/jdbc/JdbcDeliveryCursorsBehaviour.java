package dev.herald.jdbc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** What {@link JdbcDeliveryCursors} promises beyond the contract. Each database runs it. */
abstract class JdbcDeliveryCursorsBehaviour {

    private final List<JdbcDeliveryCursors> stores = new ArrayList<>();
    private final List<TestDatabase> databases = new ArrayList<>();

    protected abstract TestDatabase createDatabase();

    protected abstract TestDatabase createStoppableDatabase();

    private TestDatabase database(TestDatabase database) {
        databases.add(database);
        return database;
    }

    private JdbcDeliveryCursors open(TestDatabase database, UnaryOperator<JdbcDeliveryCursors.Builder> settings) {
        JdbcDeliveryCursors cursors = settings.apply(JdbcDeliveryCursors.builder(database.dataSource())).build();
        stores.add(cursors);
        return cursors;
    }

    private static UnaryOperator<JdbcDeliveryCursors.Builder> flushingOnlyWhenAsked() {
        return builder -> builder.flushInterval(Duration.ofHours(1));
    }

    @AfterEach
    void closeAll() {
        stores.forEach(JdbcDeliveryCursors::close);
        databases.forEach(TestDatabase::close);
    }

    private static long stored(TestDatabase database, String user) {
        return database.queryLong("SELECT COALESCE(MAX(delivered_through), -1) FROM herald_delivery_cursors WHERE user_id = '" + user + "'");
    }

    @Test
    void storedCursorsSurviveReopeningAndAreNeverLoweredInTheTable() throws SQLException {
        TestDatabase database = database(createDatabase());
        JdbcDeliveryCursors first = open(database, flushingOnlyWhenAsked());
        first.delivered("alice", 30);
        first.close();

        JdbcDeliveryCursors second = open(database, flushingOnlyWhenAsked());
        second.delivered("alice", 20);
        second.flush();

        assertThat(stored(database, "alice")).isEqualTo(30);
        assertThat(second.lastDelivered("alice")).hasValue(30);
        second.delivered("alice", 40);
        second.close();
        assertThat(stored(database, "alice")).isEqualTo(40);
    }

    @Test
    void aPositionNotYetWrittenIsReadFromMemoryAndTheFlusherWritesItSoon() {
        TestDatabase database = database(createDatabase());
        JdbcDeliveryCursors waiting = open(database, flushingOnlyWhenAsked());
        waiting.delivered("bob", 9);

        assertThat(waiting.lastDelivered("bob")).hasValue(9);
        assertThat(stored(database, "bob")).isEqualTo(-1);

        JdbcDeliveryCursors flushing = open(database, builder -> builder.flushInterval(Duration.ofMillis(50)));
        flushing.delivered("dave", 3);
        await().atMost(Duration.ofSeconds(10)).until(() -> stored(database, "dave") == 3);
    }

    @Test
    void positionsRecordedWhileTheDatabaseIsDownAreWrittenWhenItReturns() {
        TestDatabase database = database(createStoppableDatabase());
        JdbcDeliveryCursors cursors = open(database, flushingOnlyWhenAsked());

        database.stopServer();
        try {
            cursors.delivered("carol", 5);
            assertThatThrownBy(cursors::flush).isInstanceOf(SQLException.class);
        } finally {
            database.startServer();
        }

        await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(200))
                .ignoreExceptionsInstanceOf(SQLException.class)
                .untilAsserted(cursors::flush);
        assertThat(stored(database, "carol")).isEqualTo(5);
    }
}
