package dev.presence.server.store;

import java.nio.file.Path;

/** The {@link AccountStoreContract} on PostgreSQL (see {@link PostgresTestSupport}), in a schema of its own. */
class PostgresAccountStoreTest extends AccountStoreContract {

    @Override
    protected TestDatabase database(Path dataDir) {
        return TestDatabase.postgres();
    }
}
