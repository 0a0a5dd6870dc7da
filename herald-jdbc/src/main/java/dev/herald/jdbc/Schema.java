package dev.herald.jdbc;

import dev.herald.core.EventLogException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Collection;
import java.util.List;
import javax.sql.DataSource;
import org.flywaydb.core.Flyway;
import org.flywaydb.core.api.ClassProvider;
import org.flywaydb.core.api.FlywayException;
import org.flywaydb.core.api.ResourceProvider;
import org.flywaydb.core.api.migration.JavaMigration;
import org.flywaydb.core.api.resource.LoadableResource;

/**
 * Creates and migrates Herald's tables with Flyway, keeping its own history table
 * ({@value #HISTORY_TABLE}) so it can share a schema with an application's own migrations.
 *
 * <p>The scripts are listed here rather than found by scanning the class path, so migration works
 * the same from a directory, a plain jar or a Spring Boot executable jar.
 */
final class Schema {

    static final String HISTORY_TABLE = "herald_schema_history";

    private static final String LOCATION = "dev/herald/jdbc/migration/";

    /** Every migration script, oldest first. Add new ones at the end; never edit a released one. */
    private static final List<String> SCRIPTS = List.of("V1__herald_event_log.sql");

    private Schema() {
    }

    /**
     * Brings the database behind the data source up to date. Called by the builders, on the
     * caller's thread, before any other statement.
     *
     * @param tables what the caller needs, as a failure's message names it ("the event log's tables")
     * @throws EventLogException if the database is unreachable or a migration fails
     */
    static void migrate(DataSource dataSource, String tables) {
        try {
            Flyway.configure(Schema.class.getClassLoader())
                    .dataSource(dataSource)
                    .table(HISTORY_TABLE)
                    .resourceProvider(new Scripts())
                    .javaMigrationClassProvider(new NoJavaMigrations())
                    // A schema that already holds the application's tables: start Herald's history at 0.
                    .baselineOnMigrate(true)
                    .baselineVersion("0")
                    .createSchemas(false)
                    .load()
                    .migrate();
        } catch (FlywayException e) {
            throw new EventLogException("could not create or migrate " + tables + ": " + Sql.describe(e), e);
        }
    }

    private static final class Scripts implements ResourceProvider {

        @Override
        public LoadableResource getResource(String name) {
            String file = name.startsWith(LOCATION) ? name.substring(LOCATION.length()) : name;
            return SCRIPTS.contains(file) ? new Script(file) : null;
        }

        @Override
        public Collection<LoadableResource> getResources(String prefix, String[] suffixes) {
            return SCRIPTS.stream()
                    .filter(file -> file.startsWith(prefix))
                    .filter(file -> Arrays.stream(suffixes).anyMatch(file::endsWith))
                    .<LoadableResource>map(Script::new)
                    .toList();
        }
    }

    private static final class Script extends LoadableResource {
        private final String file;

        Script(String file) {
            this.file = file;
        }

        @Override
        public Reader read() {
            InputStream in = Schema.class.getClassLoader().getResourceAsStream(LOCATION + file);
            if (in == null) {
                throw new FlywayException("Herald migration script missing from the class path: " + LOCATION + file);
            }
            return new InputStreamReader(in, StandardCharsets.UTF_8);
        }

        @Override
        public String getAbsolutePath() {
            return LOCATION + file;
        }

        @Override
        public String getAbsolutePathOnDisk() {
            return LOCATION + file;
        }

        @Override
        public String getFilename() {
            return file;
        }

        @Override
        public String getRelativePath() {
            return file;
        }
    }

    private static final class NoJavaMigrations implements ClassProvider<JavaMigration> {
        @Override
        public Collection<Class<? extends JavaMigration>> getClasses() {
            return List.of();
        }
    }
}
