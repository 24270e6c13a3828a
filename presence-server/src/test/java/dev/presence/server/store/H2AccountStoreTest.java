package dev.presence.server.store;

import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;

/** The password and token contract on the embedded H2 database. */
class H2AccountStoreTest extends AccountStoreContract {

    @TempDir
    Path dataDir;

    @Override
    protected ChatStore newStore() {
        return JdbcChatStore.embedded(dataDir);
    }
}
