package dev.presence.server.store;

import java.nio.file.Path;

/** The {@link WebhookOutboxContract} on PostgreSQL (see {@link PostgresTestSupport}), in a schema of its own. */
class PostgresWebhookOutboxTest extends WebhookOutboxContract {

    @Override
    protected TestDatabase database(Path dataDir) {
        return TestDatabase.postgres();
    }
}
