package dev.presence.server.store;

import dev.presence.server.domain.ChatThread;
import dev.presence.server.domain.Invitation;
import dev.presence.server.domain.User;
import dev.presence.server.presence.StatusStore;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;

/**
 * What the JDBC store contracts share: a fresh database per test, opened on a clock the test sets and ids it can
 * recognise, and each port of the store. Each contract is extended once per database (H2 and PostgreSQL).
 */
abstract class JdbcStoreContract {

    /** Where an H2 database keeps its file; unused on PostgreSQL. */
    @TempDir
    Path dataDir;

    protected final ManualClock clock = new ManualClock(1_700_000_000_000L);
    protected final RecordingIds ids = new RecordingIds();
    protected AccountStore accounts;
    protected ThreadStore threads;
    protected MessageStore messages;
    protected StatusStore statuses;
    private TestDatabase database;
    private JdbcChatStore store;

    /** The database the contract runs on. */
    protected abstract TestDatabase database(Path dataDir);

    @BeforeEach
    void openStore() {
        database = database(dataDir);
        store = database.open(clock, ids);
        accounts = store.accounts();
        threads = store.threads();
        messages = store.messages();
        statuses = store.statuses();
    }

    @AfterEach
    void closeStore() throws Exception {
        try {
            if (store != null) {
                store.close();
            }
        } finally {
            if (database != null) {
                database.close();
            }
        }
    }

    /** A new user with that username and display name. */
    protected User user(String username) {
        return accounts.createUser(username, "h", username.substring(0, 1).toUpperCase() + username.substring(1));
    }

    /** Makes {@code user} a member of {@code thread} the only way there is: invited by a member, and accepting. */
    protected void join(ChatThread thread, User user) {
        String member = threads.members(thread.id()).get(0);
        Invitation invitation = threads.createInvitation(thread.id(), member, user.id());
        if (!threads.acceptInvitation(invitation.id(), user.id())) {
            throw new AssertionError("could not accept " + invitation);
        }
    }
}
