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
}
