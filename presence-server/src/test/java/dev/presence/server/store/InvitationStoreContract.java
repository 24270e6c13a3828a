package dev.presence.server.store;

import dev.presence.server.domain.ChatThread;
import dev.presence.server.domain.Invitation;
import dev.presence.server.domain.User;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * What every {@link ThreadStore} must do with invitations: pending until accepted or declined, settled once, by
 * the invitee only; extended once per database.
 */
abstract class InvitationStoreContract extends JdbcStoreContract {

    private User ann;
    private User bob;
    private ChatThread thread;

    @BeforeEach
    void annHasAThreadAndBobIsNotInIt() {
        ann = accounts.createUser("ann", "h", "Ann A.");
        bob = user("bob");
        thread = threads.createThread("team", ann.id());
    }

    @Test
    void invitationsCarryTheInviter() {
        Invitation created = threads.createInvitation(thread.id(), ann.id(), bob.id());

        assertThat(created.fromUser()).isEqualTo(ann);
        assertThat(created.fromUserId()).isEqualTo(ann.id());
        assertThat(created.toUserId()).isEqualTo(bob.id());
        assertThat(created.threadId()).isEqualTo(thread.id());
        assertThat(threads.findPendingInvitation(created.id())).contains(created);
        assertThat(threads.pendingInvitationsFor(bob.id())).containsExactly(created);
        assertThat(threads.pendingInvitationsFor(ann.id())).as("the inviter's own list").isEmpty();
    }

    @Test
    void aNewInvitationIsPendingWithAnIdFromTheGenerator() {
        Invitation invitation = threads.createInvitation(thread.id(), ann.id(), bob.id());

        assertThat(invitation.id()).startsWith("i_");
        assertThat(ids.issued()).contains(invitation.id());
        assertThat(invitation.threadTitle()).isEqualTo("team");
        assertThat(threads.hasPendingInvitation(thread.id(), bob.id())).isTrue();
        assertThat(threads.hasPendingInvitation(thread.id(), ann.id())).isFalse();
        assertThat(threads.isMember(thread.id(), bob.id())).as("not before accepting").isFalse();
    }

    @Test
    void pendingInvitationsAreListedOldestFirstByTheStoresClock() {
        ChatThread other = threads.createThread("other", ann.id());
        clock.set(2_000);
        Invitation later = threads.createInvitation(thread.id(), ann.id(), bob.id());
        clock.set(1_000);
        Invitation earlier = threads.createInvitation(other.id(), ann.id(), bob.id());

        assertThat(threads.pendingInvitationsFor(bob.id())).containsExactly(earlier, later);
    }

    @Test
    void unknownIdsFindNothingAndChangeNothing() {
        Invitation invitation = threads.createInvitation(thread.id(), ann.id(), bob.id());

        assertThat(accounts.findUser("u-ghost")).isEmpty();
        assertThat(threads.findThread("t-ghost")).isEmpty();
        assertThat(threads.members("t-ghost")).isEmpty();
        assertThat(threads.threadsOf("u-ghost")).isEmpty();
        assertThat(threads.isMember("t-ghost", ann.id())).isFalse();
        assertThat(threads.findPendingInvitation("i-ghost")).isEmpty();
        assertThat(threads.pendingInvitationsFor("u-ghost")).isEmpty();
        assertThat(threads.hasPendingInvitation("t-ghost", bob.id())).isFalse();
        assertThat(threads.hasPendingInvitation(thread.id(), "u-ghost")).isFalse();
        assertThat(threads.acceptInvitation("i-ghost", bob.id())).isFalse();
        assertThat(threads.acceptInvitation(invitation.id(), "u-ghost")).isFalse();
        assertThat(threads.declineInvitation("i-ghost", bob.id())).isFalse();
        assertThat(threads.declineInvitation(invitation.id(), "u-ghost")).isFalse();
        assertThat(threads.leaveThread("t-ghost", ann.id())).isFalse();
        assertThat(threads.leaveThread(thread.id(), bob.id())).as("not a member").isFalse();

        assertThat(threads.findPendingInvitation(invitation.id())).as("still pending").contains(invitation);
        assertThat(threads.members(thread.id())).containsExactly(ann.id());
    }

    @Test
    void anInvitationNamingAnUnknownThreadOrUserIsRefusedAndNotKept() {
        assertThatThrownBy(() -> threads.createInvitation("t_ghost", ann.id(), bob.id()))
                .isInstanceOf(StoreException.class);
        assertThatThrownBy(() -> threads.createInvitation(thread.id(), "u_ghost", bob.id()))
                .isInstanceOf(StoreException.class);
        assertThatThrownBy(() -> threads.createInvitation(thread.id(), ann.id(), "u_ghost"))
                .isInstanceOf(StoreException.class);

        assertThat(threads.pendingInvitationsFor(bob.id())).isEmpty();
        assertThat(threads.pendingInvitationsFor("u_ghost")).isEmpty();
        assertThat(threads.hasPendingInvitation("t_ghost", bob.id())).isFalse();
    }

    @Test
    void anAcceptedInvitationIsNoLongerPending() {
        Invitation invitation = threads.createInvitation(thread.id(), ann.id(), bob.id());

        assertThat(threads.acceptInvitation(invitation.id(), bob.id())).isTrue();

        assertThat(threads.findPendingInvitation(invitation.id())).isEmpty();
        assertThat(threads.pendingInvitationsFor(bob.id())).isEmpty();
        assertThat(threads.hasPendingInvitation(thread.id(), bob.id())).isFalse();
        assertThat(threads.acceptInvitation(invitation.id(), bob.id())).isFalse();
        assertThat(threads.declineInvitation(invitation.id(), bob.id())).isFalse();
        assertThat(threads.isMember(thread.id(), bob.id())).as("a late decline leaves the member in").isTrue();
    }

    @Test
    void aDeclinedInvitationIsNoLongerPendingAndTheUserMayBeInvitedAgain() {
        Invitation invitation = threads.createInvitation(thread.id(), ann.id(), bob.id());

        assertThat(threads.declineInvitation(invitation.id(), ann.id())).as("only the invitee declines").isFalse();
        assertThat(threads.declineInvitation(invitation.id(), bob.id())).isTrue();

        assertThat(threads.declineInvitation(invitation.id(), bob.id())).as("once").isFalse();
        assertThat(threads.findPendingInvitation(invitation.id())).isEmpty();
        assertThat(threads.pendingInvitationsFor(bob.id())).isEmpty();
        assertThat(threads.hasPendingInvitation(thread.id(), bob.id())).isFalse();
        assertThat(threads.acceptInvitation(invitation.id(), bob.id())).isFalse();
        assertThat(threads.isMember(thread.id(), bob.id())).isFalse();

        Invitation again = threads.createInvitation(thread.id(), ann.id(), bob.id());
        assertThat(again.id()).isNotEqualTo(invitation.id());
        assertThat(threads.pendingInvitationsFor(bob.id())).containsExactly(again);
        assertThat(threads.acceptInvitation(invitation.id(), bob.id())).as("the declined one stays dead").isFalse();
        assertThat(threads.acceptInvitation(again.id(), bob.id())).isTrue();
        assertThat(threads.isMember(thread.id(), bob.id())).isTrue();
    }

    @Test
    void someoneElsesInvitationIsNeitherAcceptedNorDeclinedByThem() {
        User carol = user("carol");
        Invitation invitation = threads.createInvitation(thread.id(), ann.id(), bob.id());

        assertThat(threads.acceptInvitation(invitation.id(), carol.id())).isFalse();
        assertThat(threads.declineInvitation(invitation.id(), carol.id())).isFalse();

        assertThat(threads.isMember(thread.id(), carol.id())).isFalse();
        assertThat(threads.findPendingInvitation(invitation.id())).contains(invitation);
    }

    @Test
    void acceptingOneInvitationSettlesEveryPendingInvitationOfThatUserToThatThreadOnly() {
        User carol = user("carol");
        join(thread, carol);
        ChatThread other = threads.createThread("other", ann.id());
        Invitation fromAnn = threads.createInvitation(thread.id(), ann.id(), bob.id());
        Invitation fromCarol = threads.createInvitation(thread.id(), carol.id(), bob.id());
        Invitation toOther = threads.createInvitation(other.id(), ann.id(), bob.id());

        assertThat(threads.acceptInvitation(fromAnn.id(), bob.id())).isTrue();

        assertThat(threads.findPendingInvitation(fromCarol.id())).isEmpty();
        assertThat(threads.acceptInvitation(fromCarol.id(), bob.id())).isFalse();
        assertThat(threads.declineInvitation(fromCarol.id(), bob.id())).isFalse();
        assertThat(threads.pendingInvitationsFor(bob.id())).containsExactly(toOther);
        assertThat(threads.members(thread.id())).containsExactlyInAnyOrder(ann.id(), carol.id(), bob.id());
    }

    @Test
    void anInvitationOfAMemberMayBeAcceptedAndAddsNoSecondMembership() {
        join(thread, bob);
        Invitation invitation = threads.createInvitation(thread.id(), ann.id(), bob.id()); // the service refuses it

        assertThat(threads.acceptInvitation(invitation.id(), bob.id())).isTrue();

        assertThat(threads.members(thread.id())).containsExactlyInAnyOrder(ann.id(), bob.id());
        assertThat(threads.findPendingInvitation(invitation.id())).isEmpty();
    }

    @Test
    void aMemberWhoLeftMayBeInvitedBack() {
        Invitation first = threads.createInvitation(thread.id(), ann.id(), bob.id());
        assertThat(threads.acceptInvitation(first.id(), bob.id())).isTrue();
        assertThat(threads.leaveThread(thread.id(), bob.id())).isTrue();

        assertThat(threads.acceptInvitation(first.id(), bob.id())).as("an accepted one is spent").isFalse();
        assertThat(threads.isMember(thread.id(), bob.id())).isFalse();
        Invitation again = threads.createInvitation(thread.id(), ann.id(), bob.id());
        assertThat(threads.acceptInvitation(again.id(), bob.id())).isTrue();
        assertThat(threads.isMember(thread.id(), bob.id())).isTrue();
    }

    @Test
    void aDeclineRacingAnAcceptHasOneWinner() throws Exception {
        race(invitation -> threads.acceptInvitation(invitation.id(), bob.id()),
                invitation -> threads.declineInvitation(invitation.id(), bob.id()),
                (round, thread, invitation, acceptWon, declineWon) -> {
                    assertThat(acceptWon).as("round %d: exactly one wins", round).isNotEqualTo(declineWon);
                    assertThat(threads.isMember(thread.id(), bob.id())).as("round %d", round).isEqualTo(acceptWon);
                    assertThat(threads.findPendingInvitation(invitation.id())).isEmpty();
                });
    }

    @Test
    void twoAcceptsOfOneInvitationHaveOneWinner() throws Exception {
        race(invitation -> threads.acceptInvitation(invitation.id(), bob.id()),
                invitation -> threads.acceptInvitation(invitation.id(), bob.id()),
                (round, thread, invitation, firstWon, secondWon) -> {
                    assertThat(firstWon).as("round %d: exactly one wins", round).isNotEqualTo(secondWon);
                    assertThat(threads.members(thread.id())).as("round %d", round)
                            .containsExactlyInAnyOrder(ann.id(), bob.id());
                });
    }

    /** What one round of a race ended with. */
    private interface RaceOutcome {
        void check(int round, ChatThread thread, Invitation invitation, boolean oneWon, boolean otherWon);
    }

    /** Ten rounds, each a fresh invitation from ann to bob and two calls on it let go at the same instant. */
    private void race(Function<Invitation, Boolean> one, Function<Invitation, Boolean> other, RaceOutcome outcome)
            throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(2);
        try {
            for (int round = 0; round < 10; round++) {
                ChatThread thread = threads.createThread("team " + round, ann.id());
                Invitation invitation = threads.createInvitation(thread.id(), ann.id(), bob.id());
                CountDownLatch go = new CountDownLatch(1);
                Future<Boolean> first = pool.submit(() -> {
                    go.await();
                    return one.apply(invitation);
                });
                Future<Boolean> second = pool.submit(() -> {
                    go.await();
                    return other.apply(invitation);
                });
                go.countDown();
                outcome.check(round, thread, invitation, first.get(30, TimeUnit.SECONDS),
                        second.get(30, TimeUnit.SECONDS));
            }
        } finally {
            pool.shutdownNow();
        }
    }
}
