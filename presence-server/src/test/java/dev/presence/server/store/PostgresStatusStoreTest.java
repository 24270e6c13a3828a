package dev.presence.server.store;

import java.nio.file.Path;

/** The {@link StatusStoreContract} on PostgreSQL (see {@link PostgresTestSupport}), in a schema of its own. */
class PostgresStatusStoreTest extends JdbcStatusStoreContract {

    @Override
    protected TestDatabase database(Path dataDir) {
        return TestDatabase.postgres();
    }
}
