package dev.presence.server.store;

import dev.presence.server.domain.User;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import static org.assertj.core.api.Assertions.assertThat;

/** What every {@link ChatStore} must do with passwords and tokens; extended once per database. */
abstract class AccountStoreContract {

    protected ChatStore store;
    private User ann;

    /** A fresh, migrated, empty store. */
    protected abstract ChatStore newStore() throws Exception;

    @BeforeEach
    void open() throws Exception {
        store = newStore();
        ann = store.createUser("ann", "$2y$10$old", "Ann");
    }

    @AfterEach
    void close() {
        store.close();
    }

    @Test
    void aPasswordHashIsReplacedOnlyIfItIsStillTheOneExpected() {
        assertThat(store.updatePasswordHash(ann.id(), "$2y$10$other", "$argon2id$new")).isFalse();
        assertThat(store.updatePasswordHash(ann.id(), "$2y$10$old", "$argon2id$" + "x".repeat(150))).isTrue();

        assertThat(store.findCredentials("ann").orElseThrow().passwordHash()).isEqualTo("$argon2id$" + "x".repeat(150));
    }

    @Test
    void aTokenIsFoundWithItsUserAndItsRecordedUseWhichNeverGoesBack() {
        store.saveToken("h1", ann.id(), 1_000, 50);

        assertThat(store.findToken("h1")).contains(new StoredToken(ann.id(), "ann", 1_000, 1_000));
        store.touchToken("h1", 5_000);
        store.touchToken("h1", 3_000); // a late, older record
        assertThat(store.findToken("h1").orElseThrow().lastUsedAt()).isEqualTo(5_000);
        assertThat(store.findToken("nope")).isEmpty();
        store.touchToken("nope", 1); // nothing to touch: no error
    }

    @Test
    void aTokenMadeWithoutARecordedUseSaysSo() {
        store.saveToken("h1", ann.id(), 1_000); // as the bench's bulk insert and tokens from before V2 are

        assertThat(store.findToken("h1")).hasValueSatisfying(t -> assertThat(t.userId()).isEqualTo(ann.id()));
        assertThat(store.userIdForToken("h1")).contains(ann.id());
    }

    @Test
    void aNewTokenPushesOutTheOldestBeyondTheLimit() {
        assertThat(store.saveToken("h1", ann.id(), 1_000, 3)).isEmpty();
        assertThat(store.saveToken("h2", ann.id(), 2_000, 3)).isEmpty();
        assertThat(store.saveToken("h3", ann.id(), 3_000, 3)).isEmpty();

        assertThat(store.saveToken("h4", ann.id(), 4_000, 3)).containsExactly("h1");
        assertThat(store.saveToken("h5", ann.id(), 5_000, 2)).containsExactlyInAnyOrder("h2", "h3");
        assertThat(store.findToken("h1")).isEmpty();
        assertThat(store.findToken("h4")).isPresent();
        assertThat(store.findToken("h5")).isPresent();
    }

    @Test
    void theNewTokenIsKeptEvenIfItsClockIsBehind() {
        store.saveToken("h1", ann.id(), 9_000, 1);

        assertThat(store.saveToken("h2", ann.id(), 1_000, 1)).containsExactly("h1");
        assertThat(store.findToken("h2")).isPresent();
    }

    @Test
    void concurrentLoginsOfOneUserNeverLeaveMoreThanTheLimit() throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(8);
        try {
            List<Future<List<String>>> saves = new ArrayList<>();
            for (int i = 0; i < 40; i++) {
                String hash = "h" + i;
                long at = i;
                saves.add(pool.submit(() -> store.saveToken(hash, ann.id(), at, 3)));
            }
            int deleted = 0;
            for (Future<List<String>> save : saves) {
                deleted += save.get().size();
            }
            List<String> left = store.deleteTokensOf(ann.id());
            assertThat(left).hasSize(3);
            assertThat(deleted).isEqualTo(37);
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void allTokensOfAUserAreDeletedAndNamed() {
        User bob = store.createUser("bob", "h", "Bob");
        store.saveToken("a1", ann.id(), 1, 50);
        store.saveToken("a2", ann.id(), 2, 50);
        store.saveToken("b1", bob.id(), 3, 50);

        assertThat(store.deleteTokensOf(ann.id())).containsExactlyInAnyOrder("a1", "a2");
        assertThat(store.findToken("a1")).isEmpty();
        assertThat(store.findToken("a2")).isEmpty();
        assertThat(store.findToken("b1")).isPresent();
        assertThat(store.deleteTokensOf(ann.id())).isEmpty();
    }
}
