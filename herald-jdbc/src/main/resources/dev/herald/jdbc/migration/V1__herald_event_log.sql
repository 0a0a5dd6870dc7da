-- Herald's event log and delivery cursors. The same script runs on H2 2.x and PostgreSQL 15+.

-- One row per retained event. Ids are given by the log (never by the database), contiguous and
-- strictly increasing; rows with an id at or below the horizon are purged.
CREATE TABLE herald_events (
    id            BIGINT                   NOT NULL,
    created_at    TIMESTAMP WITH TIME ZONE NOT NULL,
    -- topics and audience: names joined by a line feed (names never contain control characters)
    topics        VARCHAR                  NOT NULL,
    event_type    VARCHAR(1024)            NOT NULL,
    data          VARCHAR                  NOT NULL,
    publisher_key VARCHAR(1024),
    retry_ms      BIGINT,
    private_event BOOLEAN                  NOT NULL,
    audience      VARCHAR,
    priority      VARCHAR(8)               NOT NULL,
    CONSTRAINT herald_events_pk PRIMARY KEY (id)
);

CREATE UNIQUE INDEX herald_events_publisher_key ON herald_events (publisher_key);

-- A single row. horizon: every id up to it is gone (purged, or never existed); -1 until the first
-- log starts. writer_epoch: raised by each log that starts; a log whose epoch is no longer current
-- stops writing (only one process appends at a time).
CREATE TABLE herald_log_state (
    id           INTEGER NOT NULL,
    horizon      BIGINT  NOT NULL,
    writer_epoch BIGINT  NOT NULL,
    CONSTRAINT herald_log_state_pk PRIMARY KEY (id)
);

INSERT INTO herald_log_state (id, horizon, writer_epoch) VALUES (1, -1, 0);

-- Per-user delivery records: every event up to delivered_through reached one of the user's
-- connections. Only ever moves forward.
CREATE TABLE herald_delivery_cursors (
    user_id           VARCHAR(1024)            NOT NULL,
    delivered_through BIGINT                   NOT NULL,
    updated_at        TIMESTAMP WITH TIME ZONE NOT NULL,
    CONSTRAINT herald_delivery_cursors_pk PRIMARY KEY (user_id)
);
