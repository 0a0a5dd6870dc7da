package dev.herald.spring.boot;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import dev.herald.core.DeliveryCursors;
import dev.herald.core.EventLog;
import dev.herald.core.MetricsRecorder;
import dev.herald.core.RetentionPolicy;
import dev.herald.jdbc.JdbcDeliveryCursors;
import dev.herald.jdbc.JdbcEventLog;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;
import javax.sql.DataSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** The herald-jdbc stores; loaded only when one is configured, so herald-jdbc stays optional. */
final class JdbcHistory {

    private static final Logger log = LoggerFactory.getLogger(JdbcHistory.class);

    private JdbcHistory() {
    }

    static HistoryStore open(HeraldProperties properties, HeraldProperties.History.Store store, RetentionPolicy retention,
            Supplier<DataSource> applicationDataSource, InstantSource clock, MetricsRecorder recorder) {
        List<AutoCloseable> owned = new ArrayList<>();
        DataSource dataSource;
        String where;
        HeraldProperties.History.Jdbc jdbc = properties.getHistory().getJdbc();
        if (store == HeraldProperties.History.Store.H2) {
            HikariDataSource pool = JdbcEventLog.h2FileDataSource(properties.getDataDir());
            owned.add(pool);
            dataSource = pool;
            where = "H2 in " + properties.getDataDir().toAbsolutePath().normalize();
        } else if (jdbc.getUrl() != null && !jdbc.getUrl().isBlank()) {
            HikariConfig config = new HikariConfig();
            config.setPoolName("herald-jdbc");
            config.setJdbcUrl(jdbc.getUrl());
            config.setUsername(jdbc.getUsername());
            config.setPassword(jdbc.getPassword());
            config.setMaximumPoolSize(jdbc.getMaxPoolSize());
            config.setMinimumIdle(1);
            config.setConnectionTimeout(Math.max(250, jdbc.getConnectionTimeout().toMillis()));
            HikariDataSource pool = new HikariDataSource(config);
            owned.add(pool);
            dataSource = pool;
            where = redact(jdbc.getUrl());
        } else {
            dataSource = applicationDataSource.get();
            if (dataSource == null) {
                throw new IllegalStateException("herald.history.store=jdbc needs herald.history.jdbc.url or a DataSource bean");
            }
            where = "the application's DataSource";
        }
        try {
            EventLog eventLog = JdbcEventLog.builder(dataSource).retention(retention).clock(clock).recorder(recorder).build();
            DeliveryCursors cursors;
            try {
                cursors = JdbcDeliveryCursors.builder(dataSource).clock(clock).build();
            } catch (RuntimeException e) {
                eventLog.close();
                throw e;
            }
            log.info("Event history in {} (keeping up to {} events for {})", where, retention.maxEvents(), retention.maxAge());
            return new HistoryStore(eventLog, cursors, owned);
        } catch (RuntimeException e) {
            owned.forEach(HistoryStore::closeQuietly);
            throw e;
        }
    }

    /** The URL without credentials that some drivers accept inline. */
    private static String redact(String url) {
        int query = url.indexOf('?');
        return query < 0 ? url : url.substring(0, query);
    }
}
