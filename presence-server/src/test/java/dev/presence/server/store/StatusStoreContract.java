package dev.presence.server.store;

import dev.presence.core.UserStatus;
import dev.presence.server.presence.StatusStore;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * What every {@link StatusStore} must do: list memberships, and keep each user's greatest last seen and version
 * whatever order batches come in. Extended once per implementation (H2, PostgreSQL, in memory), each of which
 * says how users and memberships come to be.
 */
abstract class StatusStoreContract {

    /** The store under test. */
    protected abstract StatusStore store();

    /** A new user the store knows; returns their id. */
    protected abstract String newUser(String username);

    /** A new thread with {@code creatorId} as its only member; returns its id. */
    protected abstract String newThread(String creatorId);

    /** Makes a user a member of a thread. */
    protected abstract void join(String threadId, String userId);

    /** Ends a membership. */
    protected abstract void leave(String threadId, String userId);

    @Test
    void statusesAreWrittenInBatchesAndNeverMoveBack() {
        String ann = newUser("ann");
        String bob = newUser("bob");

        store().saveStatuses(List.of(new UserStatus(ann, false, 1000, 7), new UserStatus(bob, true, 2000, 9)));
        store().saveStatuses(List.of(new UserStatus(ann, false, 500, 3))); // a late, older batch

        Map<String, UserStatus> kept = kept();
        assertThat(kept.get(ann).lastSeen()).isEqualTo(1000);
        assertThat(kept.get(ann).version()).isEqualTo(7);
        assertThat(kept.get(bob).version()).isEqualTo(9);
    }

    @Test
    void aNewUserIsKeptOfflineAtZero() {
        String ann = newUser("ann");

        assertThat(kept()).containsEntry(ann, new UserStatus(ann, false, 0, 0));
    }

    @Test
    void keptStatusesAreNeverOnline() {
        String ann = newUser("ann");

        store().saveStatuses(List.of(new UserStatus(ann, true, 1000, 1)));

        assertThat(kept()).containsEntry(ann, new UserStatus(ann, false, 1000, 1));
    }

    @Test
    void lastSeenAndVersionEachKeepTheirGreatest() {
        String ann = newUser("ann");

        store().saveStatuses(List.of(new UserStatus(ann, false, 1000, 7)));
        store().saveStatuses(List.of(new UserStatus(ann, false, 2000, 5)));

        assertThat(kept()).containsEntry(ann, new UserStatus(ann, false, 2000, 7));
    }

    @Test
    void aBatchNamingAUserTwiceKeepsTheGreatestOfBoth() {
        String ann = newUser("ann");

        store().saveStatuses(List.of(new UserStatus(ann, false, 3000, 2), new UserStatus(ann, false, 1000, 9)));

        assertThat(kept()).containsEntry(ann, new UserStatus(ann, false, 3000, 9));
    }

    @Test
    void statusesOfUnknownUsersAreLeftOutAndTheRestIsKept() {
        String ann = newUser("ann");

        store().saveStatuses(List.of(new UserStatus("u_ghost", false, 1000, 1), new UserStatus(ann, false, 2000, 2)));

        assertThat(kept()).containsOnlyKeys(ann).containsEntry(ann, new UserStatus(ann, false, 2000, 2));
    }

    @Test
    void anEmptyBatchChangesNothing() {
        String ann = newUser("ann");
        store().saveStatuses(List.of(new UserStatus(ann, false, 1000, 1)));

        store().saveStatuses(List.of());

        assertThat(kept()).containsEntry(ann, new UserStatus(ann, false, 1000, 1));
    }

    @Test
    void everyMembershipIsListedUntilItEnds() {
        String ann = newUser("ann");
        String bob = newUser("bob");
        String team = newThread(ann);
        join(team, bob);
        String solo = newThread(bob);

        assertThat(memberships()).containsExactlyInAnyOrder(List.of(team, ann), List.of(team, bob),
                List.of(solo, bob));

        leave(team, bob);
        assertThat(memberships()).containsExactlyInAnyOrder(List.of(team, ann), List.of(solo, bob));
    }

    @Test
    void noUsersNoThreadsNothingListed() {
        assertThat(kept()).isEmpty();
        assertThat(memberships()).isEmpty();
    }

    private Map<String, UserStatus> kept() {
        Map<String, UserStatus> kept = new HashMap<>();
        store().forEachStatus(s -> kept.put(s.userId(), s));
        return kept;
    }

    private List<List<String>> memberships() {
        List<List<String>> memberships = new ArrayList<>();
        store().forEachMembership((thread, user) -> memberships.add(List.of(thread, user)));
        return memberships;
    }
}
