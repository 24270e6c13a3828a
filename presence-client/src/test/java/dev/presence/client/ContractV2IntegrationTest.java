package dev.presence.client;

import dev.presence.client.api.ChatThread;
import dev.presence.client.api.Invitation;
import dev.presence.client.api.PresenceApi;
import dev.presence.client.api.PresenceApiException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

/** The SDK's contract v2 calls and events against a real server (the unit tests cover them with fakes). */
class ContractV2IntegrationTest {

    @TempDir
    Path dir;
    private TestServer server;

    @BeforeEach
    void start() throws Exception {
        server = new TestServer(dir, TestServer.ROOMY_INTERVAL, TestServer.ROOMY_TIMEOUT);
    }

    @AfterEach
    void stop() {
        server.close();
    }

    @Test
    void anInvitationNamesItsInviterAndCanBeDeclined() {
        PresenceApi alice = server.user("alice");
        PresenceApi bob = server.user("bob");
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
        PresenceApi alice = server.user("alice");
        PresenceApi bob = server.user("bob");
        ChatThread thread = TestServer.thread("team", alice, bob);
        String bobId = bob.me().id();
        ThreadsState view = new ThreadsState();
        view.load(alice);
        try (PresenceClient client = server.clientDirect(alice, 1).build()) {
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
        PresenceApi phone = server.user("carol");
        PresenceApi laptop = server.anonymous().withToken(server.anonymous().logIn("carol", TestServer.PASSWORD).token());
        try (PresenceClient client = server.clientDirect(phone, 2).build()) {
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
