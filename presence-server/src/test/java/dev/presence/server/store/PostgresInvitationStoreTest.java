package dev.presence.server.store;

import java.nio.file.Path;

/** The {@link InvitationStoreContract} on PostgreSQL (see {@link PostgresTestSupport}), in a schema of its own. */
class PostgresInvitationStoreTest extends InvitationStoreContract {

    @Override
    protected TestDatabase database(Path dataDir) {
        return TestDatabase.postgres();
    }
}
