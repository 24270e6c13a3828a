package dev.presence.server.store;

import java.nio.file.Path;

/** The {@link InvitationStoreContract} on the embedded H2 database, as the server runs by default. */
class H2InvitationStoreTest extends InvitationStoreContract {

    @Override
    protected TestDatabase database(Path dataDir) {
        return TestDatabase.h2(dataDir);
    }
}
