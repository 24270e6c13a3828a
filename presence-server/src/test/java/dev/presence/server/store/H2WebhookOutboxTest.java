package dev.presence.server.store;

import java.nio.file.Path;

/** The {@link WebhookOutboxContract} on the embedded H2 database. */
class H2WebhookOutboxTest extends WebhookOutboxContract {

    @Override
    protected TestDatabase database(Path dataDir) {
        return TestDatabase.h2(dataDir);
    }
}
