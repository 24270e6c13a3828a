package dev.presence.server.store;

import java.nio.file.Path;

/** The {@link ThreadStoreContract} on PostgreSQL (see {@link PostgresTestSupport}), in a schema of its own. */
class PostgresThreadStoreTest extends ThreadStoreContract {

    @Override
    protected TestDatabase database(Path dataDir) {
        return TestDatabase.postgres();
    }
}
