package dev.presence.client;

import dev.presence.client.api.ChatThread;
import dev.presence.client.api.Invitation;
import dev.presence.client.api.PresenceApi;
import dev.presence.client.api.PresenceApiException;
import dev.presence.server.support.TestServer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.time.Duration;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

/** The SDK's contract v2 calls and events against a real server (the unit tests cover them with fakes). */
class ContractV2IntegrationTest {

    @RegisterExtension
    final TestServer server = TestServer.create().with(TestUsers.ROOMY_HEARTBEAT);
    private final TestUsers users = new TestUsers(server);

    @Test
    void anInvitationNamesItsInviterAndCanBeDeclined() {
        PresenceApi alice = users.signUp("alice");
        PresenceApi bob = users.signUp("bob");
        ChatThread thread = alice.createThread("plans");
        alice.invite(thread.id(), "bob");

        List<Invitation> pending = bob.invitations();
        assertThat(pending).hasSize(1);
        assertThat(pending.get(0).inviter()).hasValueSatisfying(u -> assertThat(u.username()).isEqualTo("alice"));

        bob.decline(pending.get(0).id());
        assertThat(bob.invitations()).isEmpty();
        assertThatThrownBy(() -> bob.accept(pending.get(0).id()))
                .isInstanceOfSatisfying(PresenceApiException.class, e -> assertThat(e.status()).isEqualTo(404));
        // and bob can be invited again
        assertThat(alice.invite(thread.id(), "bob").id()).isNotEqualTo(pending.get(0).id());
    }

    @Test
    void aMemberWhoLeavesDisappearsFromTheOthersLiveView() {
        PresenceApi alice = users.signUp("alice");
        PresenceApi bob = users.signUp("bob");
        ChatThread thread = TestUsers.thread("team", alice, bob);
        String bobId = bob.me().id();
        ThreadsState view = new ThreadsState();
        view.load(alice);
        try (PresenceClient client = users.clientDirect(alice, 1).build()) {
            view.attach(client, alice);
            client.connect();
            await().atMost(Duration.ofSeconds(10)).until(() -> client.state() == ConnectionState.CONNECTED);
            assertThat(view.snapshot().thread(thread.id()).orElseThrow().member(bobId)).isPresent();

            bob.leave(thread.id());

            await().atMost(Duration.ofSeconds(10)).untilAsserted(() ->
                    assertThat(view.snapshot().thread(thread.id()).orElseThrow().member(bobId)).isEmpty());
        }
    }

    @Test
    void loggingOutEverywhereEndsEveryTokenAndSocket() {
        PresenceApi phone = users.signUp("carol");
        PresenceApi laptop = users.logIn("carol");
        try (PresenceClient client = users.clientDirect(phone, 2).build()) {
            client.connect();
            await().atMost(Duration.ofSeconds(10)).until(() -> client.state() == ConnectionState.CONNECTED);

            laptop.logOutEverywhere();

            // 4401: the socket closes for good, without reconnecting
            await().atMost(Duration.ofSeconds(10)).until(() -> client.state() == ConnectionState.CLOSED);
            for (PresenceApi device : List.of(phone, laptop)) {
                assertThatThrownBy(device::me).isInstanceOfSatisfying(PresenceApiException.class,
                        e -> assertThat(e.status()).isEqualTo(401));
            }
        }
    }
}
