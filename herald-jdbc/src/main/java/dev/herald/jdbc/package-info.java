/**
 * Durable storage for Herald on plain JDBC (H2 2.x or PostgreSQL 15+), the schema managed by
 * Flyway in its own history table ({@code herald_schema_history}).
 *
 * <p>Entry points, both built once at start-up:
 * <ul>
 *   <li>{@link dev.herald.jdbc.JdbcEventLog}: an {@link dev.herald.core.EventLog} whose events,
 *       ids and horizon survive restarts. {@code JdbcEventLog.builder(dataSource)...build()} on a
 *       pool the application owns, or {@code JdbcEventLog.h2File(dir, retention)} for an embedded
 *       database in a directory.</li>
 *   <li>{@link dev.herald.jdbc.JdbcDeliveryCursors}: {@link dev.herald.core.DeliveryCursors} with
 *       batched writes.</li>
 * </ul>
 *
 * <p>Threads, all named {@code herald-jdbc-*}, started by the builders and stopped by
 * {@code close()}: {@code herald-jdbc-committer} (group commit of appends),
 * {@code herald-jdbc-retention} (background purge) and {@code herald-jdbc-cursors} (cursor
 * flushes). Everything else in this package is internal.
 */
package dev.herald.jdbc;
