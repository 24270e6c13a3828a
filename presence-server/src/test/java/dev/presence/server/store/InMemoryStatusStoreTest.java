package dev.presence.server.store;

import dev.presence.core.UserStatus;
import dev.presence.server.presence.StatusStore;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The status contract on {@link InMemoryStatusStore}, and what it offers tests besides. */
class InMemoryStatusStoreTest extends StatusStoreContract {

    private final InMemoryStatusStore store = new InMemoryStatusStore();
    private int threads;

    @Override
    protected StatusStore store() {
        return store;
    }

    @Override
    protected String newUser(String username) {
        String id = "u_" + username;
        store.addUser(id);
        return id;
    }

    @Override
    protected String newThread(String creatorId) {
        String id = "t_" + ++threads;
        store.addMembership(id, creatorId);
        return id;
    }

    @Override
    protected void join(String threadId, String userId) {
        store.addMembership(threadId, userId);
    }

    @Override
    protected void leave(String threadId, String userId) {
        store.removeMembership(threadId, userId);
    }

    @Test
    void aFailedSaveKeepsNothingAndTheNextOneSucceeds() {
        store.addUser("u_ann").failNextSaves(2);
        List<UserStatus> batch = List.of(new UserStatus("u_ann", false, 1000, 1));

        assertThatThrownBy(() -> store.saveStatuses(batch)).isInstanceOf(StoreException.class);
        assertThatThrownBy(() -> store.saveStatuses(batch)).isInstanceOf(StoreException.class);
        assertThat(store.status("u_ann")).contains(new UserStatus("u_ann", false, 0, 0));
        store.saveStatuses(batch);

        assertThat(store.failedSaves()).isEqualTo(2);
        assertThat(store.savedBatches()).containsExactly(batch);
        assertThat(store.status("u_ann")).contains(new UserStatus("u_ann", false, 1000, 1));
    }

    @Test
    void aMembershipMakesItsUserKnownAndIsRemovedOnce() {
        store.addMembership("t_1", "u_ann");

        assertThat(store.status("u_ann")).isPresent();
        assertThat(store.status("u_bob")).isEmpty();
        assertThat(store.removeMembership("t_1", "u_ann")).isTrue();
        assertThat(store.removeMembership("t_1", "u_ann")).isFalse();
    }
}
