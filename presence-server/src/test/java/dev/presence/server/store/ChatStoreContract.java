package dev.presence.server.store;

import dev.presence.core.UserStatus;
import dev.presence.server.chat.ChatThread;
import dev.presence.server.chat.Invitation;
import dev.presence.server.chat.Message;
import dev.presence.server.chat.User;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

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
