package dev.presence.server.store;

import dev.presence.core.UserStatus;
import dev.presence.server.domain.ChatThread;
import dev.presence.server.domain.Invitation;
import dev.presence.server.domain.Message;
import dev.presence.server.domain.User;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** What every {@link ChatStore} must do; extended once per database. */
abstract class ChatStoreContract {

    protected ChatStore store;

    /** A fresh, migrated, empty store. */
    protected abstract ChatStore newStore() throws Exception;

    @BeforeEach
    void open() throws Exception {
        store = newStore();
    }

    @AfterEach
    void close() {
        store.close();
    }

    @Test
    void usersAreUniqueByUsername() {
        User ann = store.createUser("ann", "hash", "Ann");

        assertThat(store.findUser(ann.id())).contains(ann);
        assertThat(store.findCredentials("ann")).hasValueSatisfying(c -> {
            assertThat(c.user()).isEqualTo(ann);
            assertThat(c.passwordHash()).isEqualTo("hash");
        });
        assertThatThrownBy(() -> store.createUser("ann", "other", "Other")).isInstanceOf(UsernameTakenException.class);
        assertThat(store.findCredentials("nobody")).isEmpty();

        store.updateDisplayName(ann.id(), "Annie");
        assertThat(store.findUser(ann.id()).orElseThrow().displayName()).isEqualTo("Annie");
    }

    @Test
    void tokensAreKeptByHashAndRevocable() {
        User ann = store.createUser("ann", "hash", "Ann");
        store.saveToken("h1", ann.id(), 1);

        assertThat(store.userIdForToken("h1")).contains(ann.id());
        assertThat(store.deleteToken("h1")).isTrue();
        assertThat(store.userIdForToken("h1")).isEmpty();
        assertThat(store.deleteToken("h1")).isFalse();
    }

    @Test
    void threadsMembershipsAndInvitations() {
        User ann = store.createUser("ann", "h", "Ann");
        User bob = store.createUser("bob", "h", "Bob");
        ChatThread thread = store.createThread("team", ann.id());

        assertThat(store.members(thread.id())).containsExactly(ann.id());
        assertThat(store.threadsOf(ann.id())).containsExactly(thread);
        assertThat(store.isMember(thread.id(), bob.id())).isFalse();

        Invitation invitation = store.createInvitation(thread.id(), ann.id(), bob.id());
        assertThat(invitation.threadTitle()).isEqualTo("team");
        assertThat(store.pendingInvitationsFor(bob.id())).containsExactly(invitation);
        assertThat(store.hasPendingInvitation(thread.id(), bob.id())).isTrue();
        assertThat(store.acceptInvitation(invitation.id(), ann.id())).as("only the invitee accepts").isFalse();
        assertThat(store.acceptInvitation(invitation.id(), bob.id())).isTrue();
        assertThat(store.acceptInvitation(invitation.id(), bob.id())).as("once").isFalse();
        assertThat(store.pendingInvitationsFor(bob.id())).isEmpty();
        assertThat(store.members(thread.id())).containsExactlyInAnyOrder(ann.id(), bob.id());

        Map<String, List<String>> memberships = new HashMap<>();
        store.forEachMembership((t, u) -> memberships.computeIfAbsent(t, k -> new ArrayList<>()).add(u));
        assertThat(memberships.get(thread.id())).containsExactlyInAnyOrder(ann.id(), bob.id());

        assertThat(store.leaveThread(thread.id(), bob.id())).isTrue();
        assertThat(store.leaveThread(thread.id(), bob.id())).isFalse();
        assertThat(store.threadsOf(bob.id())).isEmpty();
        assertThat(store.findUsers(List.of(ann.id(), bob.id(), "ghost"))).containsExactly(ann, bob);
    }

    @Test
    void invitationsCarryTheInviter() {
        User ann = store.createUser("ann", "h", "Ann A.");
        User bob = store.createUser("bob", "h", "Bob");
        ChatThread thread = store.createThread("team", ann.id());

        Invitation created = store.createInvitation(thread.id(), ann.id(), bob.id());

        assertThat(created.fromUser()).isEqualTo(ann);
        assertThat(created.fromUserId()).isEqualTo(ann.id());
        assertThat(created.toUserId()).isEqualTo(bob.id());
        assertThat(created.threadId()).isEqualTo(thread.id());
        assertThat(store.findPendingInvitation(created.id())).contains(created);
        assertThat(store.pendingInvitationsFor(bob.id())).containsExactly(created);
        assertThat(store.pendingInvitationsFor(ann.id())).as("the inviter's own list").isEmpty();
    }

    @Test
    void unknownIdsFindNothingAndChangeNothing() {
        User ann = store.createUser("ann", "h", "Ann");
        User bob = store.createUser("bob", "h", "Bob");
        ChatThread thread = store.createThread("team", ann.id());
        Invitation invitation = store.createInvitation(thread.id(), ann.id(), bob.id());

        assertThat(store.findUser("u-ghost")).isEmpty();
        assertThat(store.findThread("t-ghost")).isEmpty();
        assertThat(store.members("t-ghost")).isEmpty();
        assertThat(store.threadsOf("u-ghost")).isEmpty();
        assertThat(store.isMember("t-ghost", ann.id())).isFalse();
        assertThat(store.findPendingInvitation("i-ghost")).isEmpty();
        assertThat(store.pendingInvitationsFor("u-ghost")).isEmpty();
        assertThat(store.hasPendingInvitation("t-ghost", bob.id())).isFalse();
        assertThat(store.hasPendingInvitation(thread.id(), "u-ghost")).isFalse();
        assertThat(store.acceptInvitation("i-ghost", bob.id())).isFalse();
        assertThat(store.acceptInvitation(invitation.id(), "u-ghost")).isFalse();
        assertThat(store.declineInvitation("i-ghost", bob.id())).isFalse();
        assertThat(store.declineInvitation(invitation.id(), "u-ghost")).isFalse();
        assertThat(store.leaveThread("t-ghost", ann.id())).isFalse();
        assertThat(store.leaveThread(thread.id(), bob.id())).as("not a member").isFalse();

        assertThat(store.findPendingInvitation(invitation.id())).as("still pending").contains(invitation);
        assertThat(store.members(thread.id())).containsExactly(ann.id());
    }

    @Test
    void anAcceptedInvitationIsNoLongerPending() {
        User ann = store.createUser("ann", "h", "Ann");
        User bob = store.createUser("bob", "h", "Bob");
        ChatThread thread = store.createThread("team", ann.id());
        Invitation invitation = store.createInvitation(thread.id(), ann.id(), bob.id());

        assertThat(store.acceptInvitation(invitation.id(), bob.id())).isTrue();

        assertThat(store.findPendingInvitation(invitation.id())).isEmpty();
        assertThat(store.pendingInvitationsFor(bob.id())).isEmpty();
        assertThat(store.hasPendingInvitation(thread.id(), bob.id())).isFalse();
        assertThat(store.acceptInvitation(invitation.id(), bob.id())).isFalse();
        assertThat(store.declineInvitation(invitation.id(), bob.id())).isFalse();
        assertThat(store.isMember(thread.id(), bob.id())).as("a late decline leaves the member in").isTrue();
    }

    @Test
    void aDeclinedInvitationIsNoLongerPendingAndTheUserMayBeInvitedAgain() {
        User ann = store.createUser("ann", "h", "Ann");
        User bob = store.createUser("bob", "h", "Bob");
        ChatThread thread = store.createThread("team", ann.id());
        Invitation invitation = store.createInvitation(thread.id(), ann.id(), bob.id());

        assertThat(store.declineInvitation(invitation.id(), ann.id())).as("only the invitee declines").isFalse();
        assertThat(store.declineInvitation(invitation.id(), bob.id())).isTrue();

        assertThat(store.declineInvitation(invitation.id(), bob.id())).as("once").isFalse();
        assertThat(store.findPendingInvitation(invitation.id())).isEmpty();
        assertThat(store.pendingInvitationsFor(bob.id())).isEmpty();
        assertThat(store.hasPendingInvitation(thread.id(), bob.id())).isFalse();
        assertThat(store.acceptInvitation(invitation.id(), bob.id())).isFalse();
        assertThat(store.isMember(thread.id(), bob.id())).isFalse();

        Invitation again = store.createInvitation(thread.id(), ann.id(), bob.id());
        assertThat(again.id()).isNotEqualTo(invitation.id());
        assertThat(store.pendingInvitationsFor(bob.id())).containsExactly(again);
        assertThat(store.acceptInvitation(invitation.id(), bob.id())).as("the declined one stays dead").isFalse();
        assertThat(store.acceptInvitation(again.id(), bob.id())).isTrue();
        assertThat(store.isMember(thread.id(), bob.id())).isTrue();
    }

    @Test
    void aDeclineRacingAnAcceptHasOneWinner() throws Exception {
        User ann = store.createUser("ann", "h", "Ann");
        User bob = store.createUser("bob", "h", "Bob");
        ExecutorService pool = Executors.newFixedThreadPool(2);
        try {
            for (int round = 0; round < 10; round++) {
                ChatThread thread = store.createThread("team " + round, ann.id());
                Invitation invitation = store.createInvitation(thread.id(), ann.id(), bob.id());
                CountDownLatch go = new CountDownLatch(1);
                Future<Boolean> accepted = pool.submit(() -> {
                    go.await();
                    return store.acceptInvitation(invitation.id(), bob.id());
                });
                Future<Boolean> declined = pool.submit(() -> {
                    go.await();
                    return store.declineInvitation(invitation.id(), bob.id());
                });
                go.countDown();

                boolean acceptWon = accepted.get(30, TimeUnit.SECONDS);
                boolean declineWon = declined.get(30, TimeUnit.SECONDS);
                assertThat(acceptWon).as("round %d: exactly one wins", round).isNotEqualTo(declineWon);
                assertThat(store.isMember(thread.id(), bob.id())).as("round %d", round).isEqualTo(acceptWon);
                assertThat(store.findPendingInvitation(invitation.id())).isEmpty();
            }
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void messagesPageNewestFirst() {
        User ann = store.createUser("ann", "h", "Ann");
        ChatThread thread = store.createThread("team", ann.id());
        List<Message> sent = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            sent.add(store.addMessage(thread.id(), ann.id(), "m" + i));
        }

        List<Message> newest = store.messages(thread.id(), 2, null);
        assertThat(newest).extracting(Message::text).containsExactly("m4", "m3");
        assertThat(store.messages(thread.id(), 10, newest.get(1).id())).extracting(Message::text)
                .containsExactly("m2", "m1", "m0");
        assertThat(store.messages(thread.id(), 10, "unknown")).isEmpty();
        assertThat(sent.get(0).createdAt()).isPositive();
    }

    @Test
    void statusesAreWrittenInBatchesAndNeverMoveBack() {
        User ann = store.createUser("ann", "h", "Ann");
        User bob = store.createUser("bob", "h", "Bob");

        store.saveStatuses(List.of(new UserStatus(ann.id(), false, 1000, 7), new UserStatus(bob.id(), true, 2000, 9)));
        store.saveStatuses(List.of(new UserStatus(ann.id(), false, 500, 3))); // a late, older batch

        Map<String, UserStatus> kept = new HashMap<>();
        store.forEachStatus(s -> kept.put(s.userId(), s));
        assertThat(kept.get(ann.id()).lastSeen()).isEqualTo(1000);
        assertThat(kept.get(ann.id()).version()).isEqualTo(7);
        assertThat(kept.get(bob.id()).version()).isEqualTo(9);
    }
}
