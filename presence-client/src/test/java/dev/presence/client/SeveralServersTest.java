package dev.presence.client;

import org.junit.jupiter.api.Test;

import java.net.URI;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * A client given several server addresses (the nodes of a cluster), on virtual time against a fake transport:
 * where each attempt goes, and when.
 */
class SeveralServersTest {

    private static final URI A = URI.create("ws://node-a/ws");
    private static final URI B = URI.create("ws://node-b/ws");
    private static final URI C = URI.create("ws://node-c/ws");

    private final VirtualLoop loop = new VirtualLoop();
    private final FakeTransport transport = new FakeTransport(loop::nowMillis);

    private PresenceClient client(List<URI> servers, Backoff backoff) {
        return PresenceClient.builder(servers, "secret-token").transport(transport).eventLoop(loop).backoff(backoff)
                .build();
    }

    @Test
    void eachClientStartsAtARandomAddressSoAFleetSpreads() {
        Map<URI, Integer> firsts = new HashMap<>();
        Random seeds = new Random(2026);
        for (int i = 0; i < 300; i++) {
            PresenceClient client = client(List.of(A, B, C), Backoff.standard(0.5, new Random(seeds.nextLong())));
            client.connect();
            firsts.merge(transport.last().uri, 1, Integer::sum);
            client.close();
        }
        assertThat(firsts).containsOnlyKeys(A, B, C);
        assertThat(firsts.values()).allSatisfy(n -> assertThat(n).as("of 300 clients, %s", firsts).isBetween(60, 140));
    }

    @Test
    void failedAttemptsGoRoundRobinWithTheBackoffBetweenThem() {
        PresenceClient client = client(List.of(A, B, C), Backoff.withoutJitter());
        transport.refuseAll = true;
        long start = loop.nowMillis();

        client.connect();
        loop.advance(1_000 + 2_000 + 4_000 + 8_000 + 16_000);

        List<URI> uris = transport.attemptUris();
        assertThat(uris).hasSize(6);
        for (int i = 1; i < uris.size(); i++) {
            List<URI> order = List.of(A, B, C);
            assertThat(uris.get(i)).isEqualTo(order.get((order.indexOf(uris.get(i - 1)) + 1) % 3));
        }
        assertThat(transport.attemptTimes()).containsExactly(start, start + 1_000, start + 3_000, start + 7_000,
                start + 15_000, start + 31_000);
    }

    @Test
    void withTheFirstServerDownItConnectsToTheSecond() {
        Random seeds = new Random(11);
        int movedOn = 0;
        for (int i = 0; i < 10; i++) {
            transport.attempts.clear();
            transport.down.add(A);
            PresenceClient client = client(List.of(A, B), Backoff.standard(0.5, new Random(seeds.nextLong())));
            client.connect();
            if (transport.last().uri.equals(A)) {
                long refusedAt = transport.last().at;
                assertThat(client.state()).isEqualTo(ConnectionState.WAITING_TO_RECONNECT);
                assertThat(client.currentServer()).as("the next attempt's address").isEqualTo(B);
                loop.advance(1_000);
                assertThat(transport.last().uri).isEqualTo(B);
                assertThat(transport.last().at - refusedAt).as("the backoff's first, jittered delay")
                        .isBetween(500L, 1_000L);
                movedOn++;
            }
            transport.last().accept().welcome(20_000, 10_000);

            assertThat(client.isConnected()).isTrue();
            assertThat(client.currentServer()).isEqualTo(B);
            client.close();
        }
        assertThat(movedOn).as("clients that started on the server that is down").isPositive();
    }

    @Test
    void after1012ItGoesToTheNextServerWithinASecond() {
        PresenceClient client = client(List.of(A, B, C), Backoff.standard(0.5, new Random(7)));
        client.connect();
        FakeTransport.Attempt first = transport.last().accept().welcome(60_000, 60_000);
        loop.advance(60_000); // a link that has settled
        long closedAt = loop.nowMillis();

        first.serverCloses(1012, "server restarting");
        assertThat(client.state()).isEqualTo(ConnectionState.WAITING_TO_RECONNECT);
        loop.advance(1_000);

        FakeTransport.Attempt next = transport.last();
        assertThat(transport.attempts).hasSize(2);
        assertThat(next.uri).isNotEqualTo(first.uri);
        assertThat(next.at - closedAt).isBetween(100L, 1_000L);
        next.accept().welcome(20_000, 10_000);
        assertThat(client.isConnected()).isTrue();
        assertThat(client.currentServer()).isEqualTo(next.uri);
    }

    @Test
    void aLinkLostWithoutACloseFrameAlsoMovesOnButAfterTheBackoff() {
        PresenceClient client = client(List.of(A, B), Backoff.withoutJitter());
        client.connect();
        FakeTransport.Attempt first = transport.last().accept().welcome(20_000, 10_000);

        first.drop();
        loop.advance(999);
        assertThat(transport.attempts).hasSize(1);
        loop.advance(1);

        assertThat(transport.last().uri).isNotEqualTo(first.uri);
    }

    @Test
    void whenTheOtherServersAreDownToo1012EndsInTheBackoffNotAHotLoop() {
        PresenceClient client = client(List.of(A, B), Backoff.withoutJitter());
        client.connect();
        FakeTransport.Attempt first = transport.last().accept().welcome(20_000, 10_000);
        transport.refuseAll = true; // the whole fleet restarts at once
        long closedAt = loop.nowMillis();

        first.serverCloses(1012, "server restarting");
        loop.advance(60_000);

        List<Long> gaps = transport.attemptTimes().subList(1, transport.attempts.size()).stream()
                .map(t -> t - closedAt).toList();
        assertThat(gaps).startsWith(1_000L, 2_000L, 4_000L, 8_000L, 16_000L, 32_000L);
        assertThat(transport.attempts).as("six attempts in a minute, not hundreds").hasSize(1 + 6);
    }

    @Test
    void needsAtLeastOneAddress() {
        assertThatThrownBy(() -> PresenceClient.builder(List.of(), "t")).isInstanceOf(IllegalArgumentException.class);
    }
}
