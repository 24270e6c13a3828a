package dev.presence.server.store;

import dev.presence.server.domain.Invitation;
import dev.presence.server.presence.StatusStore;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.InstantSource;

/** The status contract on a JDBC database, with users and memberships made through the other ports. */
abstract class JdbcStatusStoreContract extends StatusStoreContract {

    /** Where an H2 database keeps its file; unused on PostgreSQL. */
    @TempDir
    Path dataDir;

    private TestDatabase database;
    private JdbcChatStore store;

    /** The database the contract runs on. */
    protected abstract TestDatabase database(Path dataDir);

    @BeforeEach
    void openStore() {
        database = database(dataDir);
        store = database.open(InstantSource.system(), IdGenerator.random());
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

    @Override
    protected StatusStore store() {
        return store.statuses();
    }

    @Override
    protected String newUser(String username) {
        return store.accounts().createUser(username, "h", username).id();
    }

    @Override
    protected String newThread(String creatorId) {
        return store.threads().createThread("thread", creatorId).id();
    }

    @Override
    protected void join(String threadId, String userId) {
        ThreadStore threads = store.threads();
        Invitation invitation = threads.createInvitation(threadId, threads.members(threadId).get(0), userId);
        if (!threads.acceptInvitation(invitation.id(), userId)) {
            throw new AssertionError("could not accept " + invitation);
        }
    }

    @Override
    protected void leave(String threadId, String userId) {
        store.threads().leaveThread(threadId, userId);
    }
}
