package dev.herald.jdbc;

import static org.assertj.core.api.Assertions.assertThat;

import java.sql.SQLException;
import java.sql.SQLTransientConnectionException;
import org.junit.jupiter.api.Test;

/** What health checks show of a failure: its class, message and root cause, never credentials. */
class SqlTest {

    @Test
    void aFailureForHealthNamesItsClassAndRootCauseAndMasksCredentials() {
        SQLException refused = new SQLException(
                "Connection to jdbc:postgresql://db:5432/herald?user=herald&password=s3cret refused");
        SQLTransientConnectionException timeout = new SQLTransientConnectionException(
                "pool - Connection is not available, request timed out after 2000ms.", refused);

        String described = Sql.describeForHealth(timeout);

        assertThat(described)
                .startsWith("SQLTransientConnectionException: pool - Connection is not available")
                .contains("caused by SQLException: Connection to", "password=***")
                .doesNotContain("s3cret");
    }

    @Test
    void urlCredentialsAndPasswordSettingsAreMasked() {
        assertThat(Sql.redact("jdbc:h2:tcp://sa:hunter2@host/db;PASSWORD=hunter2;USER=sa"))
                .isEqualTo("jdbc:h2:tcp://***@host/db;PASSWORD=***;USER=sa");
        assertThat(Sql.redact("FATAL: password authentication failed for user \"herald\""))
                .isEqualTo("FATAL: password authentication failed for user \"herald\"");
    }
}
