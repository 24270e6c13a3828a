package dev.presence.server.store;

import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;

/** The store contract on the embedded H2 database, as the server runs by default. */
class H2ChatStoreTest extends ChatStoreContract {

    @TempDir
    Path dataDir;

    @Override
    protected ChatStore newStore() {
        return JdbcChatStore.embedded(dataDir);
    }
}
