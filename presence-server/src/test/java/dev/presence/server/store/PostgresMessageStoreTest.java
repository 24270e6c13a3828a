package dev.presence.server.store;

import java.nio.file.Path;

/** The {@link MessageStoreContract} on PostgreSQL (see {@link PostgresTestSupport}), in a schema of its own. */
class PostgresMessageStoreTest extends MessageStoreContract {

    @Override
    protected TestDatabase database(Path dataDir) {
        return TestDatabase.postgres();
    }
}
