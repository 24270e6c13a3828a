package dev.presence.server.store;

import dev.presence.server.domain.User;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** What every {@link AccountStore} must do with users, passwords and tokens; extended once per database. */
abstract class AccountStoreContract extends JdbcStoreContract {

    private User ann;

    @BeforeEach
    void createAnn() {
        ann = accounts.createUser("ann", "$2y$10$old", "Ann");
    }

    @Test
    void usersAreUniqueByUsername() {
        User bob = accounts.createUser("bob", "hash", "Bob");

        assertThat(accounts.findUser(bob.id())).contains(bob);
        assertThat(accounts.findCredentials("bob")).hasValueSatisfying(c -> {
            assertThat(c.user()).isEqualTo(bob);
            assertThat(c.passwordHash()).isEqualTo("hash");
        });
        assertThatThrownBy(() -> accounts.createUser("bob", "other", "Other"))
                .isInstanceOf(UsernameTakenException.class);
        assertThat(accounts.findCredentials("nobody")).isEmpty();

        accounts.updateDisplayName(bob.id(), "Bobby");
        assertThat(accounts.findUser(bob.id()).orElseThrow().displayName()).isEqualTo("Bobby");
    }

    @Test
    void aNewUserGetsAnIdFromTheGenerator() {
        assertThat(ann.id()).startsWith("u_");
        assertThat(ids.issued()).contains(ann.id());
        assertThat(user("bob").id()).isNotEqualTo(ann.id());
    }

    @Test
    void usersAreFoundManyAtOnceByUsernameLeavingOutUnknownIds() {
        User zed = user("zed");
        User bob = user("bob");

        assertThat(accounts.findUsers(List.of(zed.id(), "u_ghost", ann.id(), bob.id()))).containsExactly(ann, bob, zed);
        assertThat(accounts.findUsers(List.of())).isEmpty();
        assertThat(accounts.findUsers(List.of("u_ghost"))).isEmpty();
    }

    @Test
    void unknownUsersAndTokensFindNothingAndChangeNothing() {
        accounts.saveToken("a1", ann.id(), 1_000, 50);

        assertThat(accounts.findUser("u_ghost")).isEmpty();
        assertThat(accounts.findCredentials("ghost")).isEmpty();
        accounts.updateDisplayName("u_ghost", "Ghost"); // nothing to change: no error
        assertThat(accounts.updatePasswordHash("u_ghost", "$2y$10$old", "$argon2id$new")).isFalse();
        assertThat(accounts.findToken("nope")).isEmpty();
        assertThat(accounts.userIdForToken("nope")).isEmpty();
        accounts.touchToken("nope", 2_000);
        assertThat(accounts.deleteToken("nope")).isFalse();
        assertThat(accounts.deleteTokensOf("u_ghost")).isEmpty();

        assertThat(accounts.findUser(ann.id())).contains(ann);
        assertThat(accounts.findCredentials("ann").orElseThrow().passwordHash()).isEqualTo("$2y$10$old");
        assertThat(accounts.findToken("a1")).contains(new StoredToken(ann.id(), "ann", 1_000, 1_000));
    }

    @Test
    void aTokenOfAnUnknownUserIsRefusedAndNotKept() {
        assertThatThrownBy(() -> accounts.saveToken("h1", "u_ghost", 1_000, 3)).isInstanceOf(StoreException.class);

        assertThat(accounts.findToken("h1")).isEmpty();
    }

    @Test
    void aDisplayNameTooLongForTheDatabaseIsBadDataAndChangesNothing() {
        assertThatThrownBy(() -> accounts.updateDisplayName(ann.id(), "x".repeat(129)))
                .isInstanceOfSatisfying(StoreException.class, e -> assertThat(e.isBadData()).isTrue());

        assertThat(accounts.findUser(ann.id())).contains(ann);
    }

    @Test
    void tokensAreKeptByHashAndRevocable() {
        accounts.saveToken("h1", ann.id(), 1);

        assertThat(accounts.userIdForToken("h1")).contains(ann.id());
        assertThat(accounts.deleteToken("h1")).isTrue();
        assertThat(accounts.userIdForToken("h1")).isEmpty();
        assertThat(accounts.deleteToken("h1")).isFalse();
    }

    @Test
    void aPasswordHashIsReplacedOnlyIfItIsStillTheOneExpected() {
        assertThat(accounts.updatePasswordHash(ann.id(), "$2y$10$other", "$argon2id$new")).isFalse();
        assertThat(accounts.updatePasswordHash(ann.id(), "$2y$10$old", "$argon2id$" + "x".repeat(150))).isTrue();

        assertThat(accounts.findCredentials("ann").orElseThrow().passwordHash())
                .isEqualTo("$argon2id$" + "x".repeat(150));
    }

    @Test
    void aTokenIsFoundWithItsUserAndItsRecordedUseWhichNeverGoesBack() {
        accounts.saveToken("h1", ann.id(), 1_000, 50);

        assertThat(accounts.findToken("h1")).contains(new StoredToken(ann.id(), "ann", 1_000, 1_000));
        accounts.touchToken("h1", 5_000);
        accounts.touchToken("h1", 3_000); // a late, older record
        assertThat(accounts.findToken("h1").orElseThrow().lastUsedAt()).isEqualTo(5_000);
        assertThat(accounts.findToken("nope")).isEmpty();
        accounts.touchToken("nope", 1); // nothing to touch: no error
    }

    @Test
    void aTokenMadeWithoutARecordedUseSaysSo() {
        accounts.saveToken("h1", ann.id(), 1_000); // as the bench's bulk insert and tokens from before V2 are

        assertThat(accounts.findToken("h1")).hasValueSatisfying(t -> assertThat(t.userId()).isEqualTo(ann.id()));
        assertThat(accounts.userIdForToken("h1")).contains(ann.id());
    }

    @Test
    void aNewTokenPushesOutTheOldestBeyondTheLimit() {
        assertThat(accounts.saveToken("h1", ann.id(), 1_000, 3)).isEmpty();
        assertThat(accounts.saveToken("h2", ann.id(), 2_000, 3)).isEmpty();
        assertThat(accounts.saveToken("h3", ann.id(), 3_000, 3)).isEmpty();

        assertThat(accounts.saveToken("h4", ann.id(), 4_000, 3)).containsExactly("h1");
        assertThat(accounts.saveToken("h5", ann.id(), 5_000, 2)).containsExactlyInAnyOrder("h2", "h3");
        assertThat(accounts.findToken("h1")).isEmpty();
        assertThat(accounts.findToken("h4")).isPresent();
        assertThat(accounts.findToken("h5")).isPresent();
    }

    @Test
    void theNewTokenIsKeptEvenIfItsClockIsBehind() {
        accounts.saveToken("h1", ann.id(), 9_000, 1);

        assertThat(accounts.saveToken("h2", ann.id(), 1_000, 1)).containsExactly("h1");
        assertThat(accounts.findToken("h2")).isPresent();
    }

    @Test
    void theLimitIsPerUser() {
        User bob = user("bob");
        accounts.saveToken("b1", bob.id(), 1_000, 1);

        assertThat(accounts.saveToken("a1", ann.id(), 2_000, 1)).isEmpty();
        assertThat(accounts.findToken("b1")).isPresent();
    }

    @Test
    void concurrentLoginsOfOneUserNeverLeaveMoreThanTheLimit() throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(8);
        try {
            List<Future<List<String>>> saves = new ArrayList<>();
            for (int i = 0; i < 40; i++) {
                String hash = "h" + i;
                long at = i;
                saves.add(pool.submit(() -> accounts.saveToken(hash, ann.id(), at, 3)));
            }
            int deleted = 0;
            for (Future<List<String>> save : saves) {
                deleted += save.get().size();
            }
            List<String> left = accounts.deleteTokensOf(ann.id());
            assertThat(left).hasSize(3);
            assertThat(deleted).isEqualTo(37);
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void allTokensOfAUserAreDeletedAndNamed() {
        User bob = user("bob");
        accounts.saveToken("a1", ann.id(), 1, 50);
        accounts.saveToken("a2", ann.id(), 2, 50);
        accounts.saveToken("b1", bob.id(), 3, 50);

        assertThat(accounts.deleteTokensOf(ann.id())).containsExactlyInAnyOrder("a1", "a2");
        assertThat(accounts.findToken("a1")).isEmpty();
        assertThat(accounts.findToken("a2")).isEmpty();
        assertThat(accounts.findToken("b1")).isPresent();
        assertThat(accounts.deleteTokensOf(ann.id())).isEmpty();
    }

    // --- integration mode: the app's users ---------------------------------------------------------------

    @Test
    void anAppUserIsCreatedWithTheAppsIdThenUpdatedAndKeptWhenNothingChanges() {
        String id = "acme:user-" + "x".repeat(110); // app ids run to 128 characters
        AppUserWrite created = accounts.putAppUser(id, null, null);
        assertThat(created).isEqualTo(new AppUserWrite(new User(id, id, id), true, true));

        AppUserWrite renamed = accounts.putAppUser(id, "carol", "Carol");
        assertThat(renamed).isEqualTo(new AppUserWrite(new User(id, "carol", "Carol"), false, true));
        assertThat(accounts.putAppUser(id, null, "Carol")).isEqualTo(new AppUserWrite(renamed.user(), false, false));

        assertThat(accounts.findUser(id)).contains(new User(id, "carol", "Carol"));
        assertThat(accounts.findAccount(id)).contains(new StoredAccount(new User(id, "carol", "Carol"), true, 0));
        assertThat(accounts.findAccount(ann.id())).contains(new StoredAccount(ann, false, 0));
        assertThat(accounts.findAccount("nobody")).isEmpty();
    }

    @Test
    void anAppUsersNameNeitherLogsInNorCompetesWithASignup() {
        accounts.putAppUser("42", "ann", "Ann from the app"); // a signed-up "ann" exists: no conflict

        assertThat(accounts.findCredentials("ann").orElseThrow().user()).isEqualTo(ann);
        assertThat(accounts.findCredentials("app:42")).isEmpty();
        User bob = accounts.createUser("bob", "hash", "Bob");
        assertThat(accounts.findUsers(List.of(bob.id(), "42", ann.id())))
                .extracting(User::id).containsExactly("42", ann.id(), bob.id()); // by shown name, then id
    }

    @Test
    void aSignedUpUserCannotBeTakenOverByTheApp() {
        assertThatThrownBy(() -> accounts.putAppUser(ann.id(), "mallory", "Mallory"))
                .isInstanceOf(NotAnAppUserException.class);
        assertThat(accounts.findUser(ann.id())).contains(ann);
    }

    @Test
    void missingAppUsersAreCreatedInBatchesAndExistingOnesLeftAlone() {
        accounts.putAppUser("a", "alpha", "Alpha");
        List<String> ids = new ArrayList<>();
        for (int i = 0; i < 1_200; i++) {
            ids.add("m" + i);
        }
        ids.add("a");
        ids.add(ann.id());
        ids.add("m0"); // twice

        List<String> created = accounts.createMissingAppUsers(ids);

        assertThat(created).hasSize(1_200).doesNotContain("a", ann.id());
        assertThat(accounts.findUser("m1199")).contains(new User("m1199", "m1199", "m1199"));
        assertThat(accounts.findUser("a")).contains(new User("a", "alpha", "Alpha"));
        assertThat(accounts.findUser(ann.id())).contains(ann);
        assertThat(accounts.createMissingAppUsers(ids)).isEmpty();
    }

    @Test
    void racingCreationsOfOneAppUserMakeItOnce() throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(4);
        try {
            List<Future<AppUserWrite>> writes = new ArrayList<>();
            for (int i = 0; i < 8; i++) {
                writes.add(pool.submit(() -> accounts.putAppUser("racer", null, "Racer")));
            }
            long createdCount = 0;
            for (Future<AppUserWrite> write : writes) {
                createdCount += write.get().created() ? 1 : 0;
            }
            assertThat(createdCount).isEqualTo(1);
            assertThat(accounts.findUser("racer")).contains(new User("racer", "racer", "Racer"));
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void revokingSessionsDeletesTokensAndKeepsTheLatestRevocationTime() {
        accounts.putAppUser("app-1", null, null);
        accounts.saveToken("t1", "app-1", 1_000, 50);
        accounts.saveToken("t2", "app-1", 1_001, 50);

        assertThat(accounts.revokeSessions("app-1", 5_000)).containsExactlyInAnyOrder("t1", "t2");
        assertThat(accounts.findToken("t1")).isEmpty();
        assertThat(accounts.findAccount("app-1").orElseThrow().sessionsRevokedAt()).isEqualTo(5_000);

        assertThat(accounts.revokeSessions("app-1", 4_000)).isEmpty();
        assertThat(accounts.findAccount("app-1").orElseThrow().sessionsRevokedAt()).isEqualTo(5_000);
        assertThat(accounts.revokeSessions("nobody", 6_000)).isEmpty();
    }

    @Test
    void manyAppUsersArePutInBatchesCreatingUpdatingAndKeepingEach() {
        accounts.putAppUser("old", "old", "Old");
        accounts.putAppUser("same", "same", "Same");
        List<AppUserFields> wanted = new ArrayList<>();
        for (int i = 0; i < 1_100; i++) {
            wanted.add(new AppUserFields("n" + i, i == 0 ? "zero" : null, null));
        }
        wanted.add(new AppUserFields("old", null, "Renamed"));
        wanted.add(new AppUserFields("same", "same", null));

        List<AppUserWrite> writes = accounts.putAppUsers(wanted);

        assertThat(writes).hasSize(1_102);
        assertThat(writes.get(0)).isEqualTo(new AppUserWrite(new User("n0", "zero", "zero"), true, true));
        assertThat(writes.get(1_099)).isEqualTo(new AppUserWrite(new User("n1099", "n1099", "n1099"), true, true));
        assertThat(writes.get(1_100)).isEqualTo(new AppUserWrite(new User("old", "old", "Renamed"), false, true));
        assertThat(writes.get(1_101)).isEqualTo(new AppUserWrite(new User("same", "same", "Same"), false, false));
        assertThat(accounts.findUser("n1099")).contains(new User("n1099", "n1099", "n1099"));
        assertThat(accounts.findUser("old")).contains(new User("old", "old", "Renamed"));
        assertThat(accounts.findAccount("n5").orElseThrow().appUser()).isTrue();
        assertThat(accounts.putAppUsers(wanted)).allSatisfy(w -> assertThat(w.changed()).isFalse());
    }

    @Test
    void aBatchNamingASignedUpUserChangesNothing() {
        List<AppUserFields> wanted = List.of(new AppUserFields("fresh", null, null),
                new AppUserFields(ann.id(), "mallory", null));

        assertThatThrownBy(() -> accounts.putAppUsers(wanted)).isInstanceOf(NotAnAppUserException.class);

        assertThat(accounts.findUser("fresh")).isEmpty();
        assertThat(accounts.findUser(ann.id())).contains(ann);
    }

    @Test
    void aBatchRacingASingleCreationStillPutsEveryone() throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(4);
        try {
            List<AppUserFields> wanted = new ArrayList<>();
            for (int i = 0; i < 300; i++) {
                wanted.add(new AppUserFields("r" + i, null, "R" + i));
            }
            List<Future<?>> calls = new ArrayList<>();
            for (int i = 0; i < 4; i++) {
                calls.add(pool.submit(() -> accounts.putAppUsers(wanted)));
            }
            for (Future<?> call : calls) {
                call.get();
            }
            assertThat(accounts.findUsers(wanted.stream().map(AppUserFields::id).toList())).hasSize(300);
            assertThat(accounts.findUser("r299")).contains(new User("r299", "r299", "R299"));
        } finally {
            pool.shutdownNow();
        }
    }
}
