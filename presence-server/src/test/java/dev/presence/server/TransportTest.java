package dev.presence.server;

import dev.presence.server.support.Api;
import dev.presence.server.support.Api.Account;
import dev.presence.server.support.TestServer;
import dev.presence.server.support.WsProbe;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Each transport the server can run on carries the whole path: HTTP, the upgrade, statuses both ways, a close. (A
 * transport this machine lacks falls back to the next, so the server still runs.)
 */
class TransportTest {

    @ParameterizedTest
    @ValueSource(strings = {"epoll", "io_uring", "nio"})
    void statusesFlowOnEveryTransport(String transport) {
        try (TestServer server = TestServer.create().shortHeartbeat().with(b -> b.transport(transport)).start()) {
            Api api = server.api();
            Account ann = api.signUp("ann");
            Account bob = api.signUp("bob");
            api.threadOf("team", ann, bob);
            WsProbe a = server.online("ann", ann.token());
            WsProbe b = server.online("bob", bob.token());

            a.awaitStatus(bob.id(), true);
            b.closeCleanly();
            assertThat(a.awaitStatus(bob.id(), false).path("is_online").asBoolean()).isFalse();
        }
    }
}
