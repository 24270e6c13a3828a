package dev.presence.server.store;

import dev.presence.server.domain.ChatThread;
import dev.presence.server.domain.Invitation;
import dev.presence.server.domain.User;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** What every {@link ThreadStore} must do with threads and their members; extended once per database. */
abstract class ThreadStoreContract extends JdbcStoreContract {

    @Test
    void threadsMembershipsAndInvitations() {
        User ann = user("ann");
        User bob = user("bob");
        ChatThread thread = threads.createThread("team", ann.id());

        assertThat(threads.members(thread.id())).containsExactly(ann.id());
        assertThat(threads.threadsOf(ann.id())).containsExactly(thread);
        assertThat(threads.isMember(thread.id(), bob.id())).isFalse();

        Invitation invitation = threads.createInvitation(thread.id(), ann.id(), bob.id());
        assertThat(invitation.threadTitle()).isEqualTo("team");
        assertThat(threads.pendingInvitationsFor(bob.id())).containsExactly(invitation);
        assertThat(threads.hasPendingInvitation(thread.id(), bob.id())).isTrue();
        assertThat(threads.acceptInvitation(invitation.id(), ann.id())).as("only the invitee accepts").isFalse();
        assertThat(threads.acceptInvitation(invitation.id(), bob.id())).isTrue();
        assertThat(threads.acceptInvitation(invitation.id(), bob.id())).as("once").isFalse();
        assertThat(threads.pendingInvitationsFor(bob.id())).isEmpty();
        assertThat(threads.members(thread.id())).containsExactlyInAnyOrder(ann.id(), bob.id());

        Map<String, List<String>> memberships = new HashMap<>();
        statuses.forEachMembership((t, u) -> memberships.computeIfAbsent(t, k -> new ArrayList<>()).add(u));
        assertThat(memberships.get(thread.id())).containsExactlyInAnyOrder(ann.id(), bob.id());

        assertThat(threads.leaveThread(thread.id(), bob.id())).isTrue();
        assertThat(threads.leaveThread(thread.id(), bob.id())).isFalse();
        assertThat(threads.threadsOf(bob.id())).isEmpty();
        assertThat(accounts.findUsers(List.of(ann.id(), bob.id(), "ghost"))).containsExactly(ann, bob);
    }

    @Test
    void aNewThreadHasItsCreatorAsItsOnlyMemberAndAnIdFromTheGenerator() {
        User ann = user("ann");
        User bob = user("bob");

        ChatThread thread = threads.createThread("team", ann.id());

        assertThat(thread.id()).startsWith("t_");
        assertThat(ids.issued()).contains(thread.id());
        assertThat(thread.title()).isEqualTo("team");
        assertThat(threads.findThread(thread.id())).contains(thread);
        assertThat(threads.members(thread.id())).containsExactly(ann.id());
        assertThat(threads.isMember(thread.id(), ann.id())).isTrue();
        assertThat(threads.isMember(thread.id(), bob.id())).isFalse();
        assertThat(threads.threadsOf(bob.id())).isEmpty();
    }

    @Test
    void aUsersThreadsAreListedOldestFirstByTheStoresClock() {
        User ann = user("ann");
        clock.set(2_000);
        ChatThread later = threads.createThread("later", ann.id());
        clock.set(1_000);
        ChatThread earlier = threads.createThread("earlier", ann.id()); // created second, but earlier by the clock

        assertThat(threads.threadsOf(ann.id())).containsExactly(earlier, later);
    }

    @Test
    void membersAreListedInTheOrderTheyJoinedByTheStoresClock() {
        User ann = user("ann");
        User bob = user("bob");
        User carol = user("carol");
        clock.set(1_000);
        ChatThread thread = threads.createThread("team", ann.id());
        clock.set(3_000);
        join(thread, bob);
        clock.set(2_000);
        join(thread, carol);

        assertThat(threads.members(thread.id())).containsExactly(ann.id(), carol.id(), bob.id());
    }

    @Test
    void aMemberWhoLeftIsGoneButTheThreadStaysEvenWithNoMemberLeft() {
        User ann = user("ann");
        User bob = user("bob");
        ChatThread thread = threads.createThread("team", ann.id());
        join(thread, bob);

        assertThat(threads.leaveThread(thread.id(), bob.id())).isTrue();
        assertThat(threads.isMember(thread.id(), bob.id())).isFalse();
        assertThat(threads.members(thread.id())).containsExactly(ann.id());
        assertThat(threads.threadsOf(bob.id())).isEmpty();

        assertThat(threads.leaveThread(thread.id(), ann.id())).isTrue();
        assertThat(threads.members(thread.id())).isEmpty();
        assertThat(threads.findThread(thread.id())).contains(thread);
    }

    @Test
    void unknownThreadsAndUsersFindNothingAndChangeNothing() {
        User ann = user("ann");
        User bob = user("bob");
        ChatThread thread = threads.createThread("team", ann.id());

        assertThat(threads.findThread("t_ghost")).isEmpty();
        assertThat(threads.members("t_ghost")).isEmpty();
        assertThat(threads.threadsOf("u_ghost")).isEmpty();
        assertThat(threads.isMember("t_ghost", ann.id())).isFalse();
        assertThat(threads.isMember(thread.id(), "u_ghost")).isFalse();
        assertThat(threads.leaveThread("t_ghost", ann.id())).isFalse();
        assertThat(threads.leaveThread(thread.id(), "u_ghost")).isFalse();
        assertThat(threads.leaveThread(thread.id(), bob.id())).as("not a member").isFalse();

        assertThat(threads.members(thread.id())).containsExactly(ann.id());
    }

    @Test
    void aThreadOfAnUnknownCreatorIsRefusedAndNothingIsKept() {
        assertThatThrownBy(() -> threads.createThread("team", "u_ghost")).isInstanceOf(StoreException.class);

        assertThat(threads.threadsOf("u_ghost")).isEmpty();
        List<String> memberships = new ArrayList<>();
        statuses.forEachMembership((t, u) -> memberships.add(t + "/" + u));
        assertThat(memberships).isEmpty();
    }

    @Test
    void aTitleTooLongForTheDatabaseIsBadDataAndNothingIsKept() {
        User ann = user("ann");

        assertThatThrownBy(() -> threads.createThread("x".repeat(201), ann.id()))
                .isInstanceOfSatisfying(StoreException.class, e -> assertThat(e.isBadData()).isTrue());

        assertThat(threads.threadsOf(ann.id())).isEmpty();
    }

    @Test
    void anAppThreadIsPutWithItsIdThenItsMembersReplaced() {
        User ann = user("ann");
        User bob = user("bob");
        User cat = user("cat");

        ThreadWrite created = threads.putThread("room:1", "Room", List.of(ann.id(), bob.id(), ann.id()));

        assertThat(created).isEqualTo(new ThreadWrite(new ChatThread("room:1", "Room"), true,
                List.of(ann.id(), bob.id()), List.of()));
        assertThat(threads.findThread("room:1")).contains(new ChatThread("room:1", "Room"));
        assertThat(threads.members("room:1")).containsExactlyInAnyOrder(ann.id(), bob.id());

        ThreadWrite replaced = threads.putThread("room:1", "Room 1", List.of(bob.id(), cat.id()));

        assertThat(replaced).isEqualTo(new ThreadWrite(new ChatThread("room:1", "Room 1"), false,
                List.of(cat.id()), List.of(ann.id())));
        assertThat(threads.findThread("room:1")).contains(new ChatThread("room:1", "Room 1"));
        assertThat(threads.members("room:1")).containsExactlyInAnyOrder(bob.id(), cat.id());
        assertThat(threads.threadsOf(ann.id())).isEmpty();

        assertThat(threads.putThread("room:1", "Room 1", List.of(bob.id(), cat.id())))
                .isEqualTo(new ThreadWrite(new ChatThread("room:1", "Room 1"), false, List.of(), List.of()));
        assertThat(threads.putThread("room:1", "Room 1", List.of()).removed())
                .containsExactlyInAnyOrder(bob.id(), cat.id());
        assertThat(threads.members("room:1")).isEmpty();
    }

    @Test
    void aPutNamingAnUnknownMemberChangesNothing() {
        User ann = user("ann");
        threads.putThread("room", "Room", List.of(ann.id()));

        assertThatThrownBy(() -> threads.putThread("room", "Other", List.of("u_ghost")))
                .isInstanceOf(StoreException.class);

        assertThat(threads.findThread("room")).contains(new ChatThread("room", "Room"));
        assertThat(threads.members("room")).containsExactly(ann.id());
    }

    @Test
    void membersAreAddedToAnAppThreadOnlyOnceAndRemovedOneByOne() {
        User ann = user("ann");
        User bob = user("bob");
        User cat = user("cat");
        threads.putThread("room", "Room", List.of(ann.id()));

        assertThat(threads.addMembers("room", List.of(ann.id(), bob.id(), cat.id(), bob.id())))
                .containsExactly(bob.id(), cat.id());
        assertThat(threads.addMembers("room", List.of(bob.id()))).isEmpty();
        assertThat(threads.members("room")).containsExactlyInAnyOrder(ann.id(), bob.id(), cat.id());
        assertThat(threads.leaveThread("room", bob.id())).isTrue();
        assertThat(threads.members("room")).containsExactlyInAnyOrder(ann.id(), cat.id());
        assertThatThrownBy(() -> threads.addMembers("nowhere", List.of(ann.id())))
                .isInstanceOf(StoreException.class);
    }

    @Test
    void thousandsOfMembersArePutAndReplacedInBatches() {
        List<String> ids = new ArrayList<>();
        for (int i = 0; i < 3_000; i++) {
            ids.add("m" + i);
        }
        accounts.createMissingAppUsers(ids);

        assertThat(threads.putThread("big", "Big", ids).added()).hasSize(3_000);
        ThreadWrite half = threads.putThread("big", "Big", ids.subList(1_500, 3_000));

        assertThat(half.added()).isEmpty();
        assertThat(half.removed()).hasSize(1_500);
        assertThat(threads.members("big")).hasSize(1_500);
    }

    @Test
    void racingPutsOfOneNewThreadCreateItOnce() throws Exception {
        User ann = user("ann");
        java.util.concurrent.ExecutorService pool = java.util.concurrent.Executors.newFixedThreadPool(4);
        try {
            List<java.util.concurrent.Future<ThreadWrite>> puts = new ArrayList<>();
            for (int i = 0; i < 6; i++) {
                puts.add(pool.submit(() -> threads.putThread("race", "Race", List.of(ann.id()))));
            }
            int created = 0;
            int added = 0;
            for (java.util.concurrent.Future<ThreadWrite> put : puts) {
                created += put.get().created() ? 1 : 0;
                added += put.get().added().size();
            }
            assertThat(created).isEqualTo(1);
            assertThat(added).as("the member is added by exactly one of them").isEqualTo(1);
            assertThat(threads.members("race")).containsExactly(ann.id());
        } finally {
            pool.shutdownNow();
        }
    }
}
