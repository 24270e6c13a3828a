package dev.presence.cluster;

import dev.presence.testkit.RedisServerExtension;

import dev.presence.core.EndReason;
import dev.presence.core.UserStatus;
import io.lettuce.core.RedisClient;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Several nodes on one Redis, each with its own hub thread, on the wall clock, with a short lease (1 s) and
 * grace (500 ms) so that crashes and outages play out in seconds.
 */
class ClusterNodesTest {

    @RegisterExtension
    static final RedisServerExtension redis = new RedisServerExtension();

    private static final AtomicInteger clusters = new AtomicInteger();
    private static final Duration LEASE = Duration.ofSeconds(1);
    private static final long GRACE = 500;

    private RedisClient client;
    private ClusterSettings settings;
    private final List<TestNode> nodes = new ArrayList<>();

    @BeforeEach
    void setUp() {
        redis.start(); // an outage test may have left it stopped
        client = ClusterRedis.client(redis.url(), Duration.ofSeconds(1));
        settings = ClusterSettings.defaults("n").withKeyPrefix("cluster" + clusters.incrementAndGet())
                .withLease(LEASE).withReadBlock(Duration.ofMillis(100))
                .withHousekeepingInterval(Duration.ofMillis(100));
    }

    @AfterEach
    void tearDown() {
        nodes.forEach(TestNode::close);
        client.shutdown();
    }

    /** A node that knows these memberships (as if loaded from the database), started. */
    private TestNode node(String name, ClusterSettings base, String... threadAndUsers) {
        TestNode node = new TestNode(name, client, base.withNodeId(name), GRACE);
        nodes.add(node);
        String thread = threadAndUsers[0];
        for (int i = 1; i < threadAndUsers.length; i++) {
            node.join(thread, threadAndUsers[i]);
        }
        return node.start();
    }

    private static Duration crashBound() {
        return LEASE.plusMillis(GRACE).plus(TestNode.slack());
    }

    @Test
    void usersOnDifferentNodesSeeEachOthersFlipsAndSnapshots() {
        TestNode a = node("a", settings, "t1", "ann", "bob");
        TestNode b = node("b", settings, "t1", "ann", "bob");

        a.open("a1", "ann");
        await().atMost(Duration.ofSeconds(5)).until(() -> b.status("ann").online());
        List<UserStatus> welcome = b.open("b1", "bob").snapshot();

        assertThat(welcome).singleElement().satisfies(s -> assertThat(s.online()).isTrue());
        await().atMost(Duration.ofSeconds(5)).until(() -> a.flipsSeenBy("ann", "bob").size() == 1);
        assertThat(a.flipsSeenBy("ann", "bob").get(0).online()).isTrue();

        b.end("b1", EndReason.CLOSED);
        await().atMost(Duration.ofSeconds(5)).until(() -> a.flipsSeenBy("ann", "bob").size() == 2);
        assertThat(a.flipsSeenBy("ann", "bob").get(1).online()).isFalse();
        assertThat(a.onlineUserCount()).isEqualTo(1);
    }

    @Test
    void aUserWithDevicesOnTwoNodesStaysOnlineWhenOneEnds() {
        TestNode a = node("a", settings, "t1", "ann", "cat", "dan");
        TestNode b = node("b", settings, "t1", "ann", "cat", "dan");
        a.open("c1", "cat");
        a.open("a1", "ann");
        b.open("a2", "ann");
        await().atMost(Duration.ofSeconds(5)).until(() -> a.flipsSeenBy("cat", "ann").size() == 1);

        a.end("a1", EndReason.CLOSED);
        b.open("d1", "dan"); // a later flip: once cat hears of it, an offline of ann would have arrived first
        await().atMost(Duration.ofSeconds(5)).until(() -> a.flipsSeenBy("cat", "dan").size() == 1);
        assertThat(a.flipsSeenBy("cat", "ann")).hasSize(1);
        assertThat(a.status("ann").online()).isTrue();

        b.end("a2", EndReason.CLOSED);
        await().atMost(Duration.ofSeconds(5)).until(() -> a.flipsSeenBy("cat", "ann").size() == 2);
        assertThat(a.flipsSeenBy("cat", "ann").get(1).online()).isFalse();
    }

    @Test
    void membershipChangesReachEveryNodeAndEachShowsTheNewPairs() {
        TestNode a = node("a", settings, "t1", "ann");
        TestNode b = node("b", settings, "t1", "bob");
        a.open("a1", "ann");
        b.open("b1", "bob");
        await().atMost(Duration.ofSeconds(5)).until(() -> b.status("ann").online() && a.status("bob").online());

        a.join("t2", "ann");
        b.join("t2", "bob"); // b's own change: a learns it from the membership stream

        await().atMost(Duration.ofSeconds(5)).until(() -> a.lastSeenBy("ann", "bob") != null
                && b.lastSeenBy("bob", "ann") != null);
        assertThat(a.lastSeenBy("ann", "bob").online()).isTrue();
        assertThat(b.lastSeenBy("bob", "ann").online()).isTrue();
        assertThat(a.members("t2")).containsExactlyInAnyOrder("ann", "bob");
        assertThat(b.members("t2")).containsExactlyInAnyOrder("ann", "bob");

        a.leave("t2", "ann");
        await().atMost(Duration.ofSeconds(5)).until(() -> b.members("t2").equals(java.util.Set.of("bob")));
        b.end("b1", EndReason.CLOSED);
        await().atMost(Duration.ofSeconds(5)).until(() -> !a.status("bob").online());
        assertThat(a.flipsSeenBy("ann", "bob")).as("no status flows after leaving").isEmpty();
    }

    @Test
    void aNodeThatMissedTrimmedMembershipChangesIsToldSoTheServerCanReload() {
        ClusterSettings small = settings.withOutboxMaxLength(100);
        TestNode a = node("a", small, "t1", "ann");
        TestNode b = node("b", small, "t1", "ann");
        java.util.concurrent.atomic.AtomicInteger missed = new java.util.concurrent.atomic.AtomicInteger();
        b.call(e -> {
            e.onMembershipsMissed(missed::incrementAndGet);
            return null;
        });

        b.engine.pauseReading(true);
        for (int i = 0; i < 300; i++) {
            a.join("t" + i, "user" + i);
        }
        b.engine.pauseReading(false);

        await().atMost(Duration.ofSeconds(10)).until(() -> missed.get() == 1);
        assertThat(b.engine.metrics().membershipGaps()).isEqualTo(1);
        a.join("t-after", "bob");
        await().atMost(Duration.ofSeconds(5)).until(() -> b.members("t-after").contains("bob"));
    }

    @Test
    void aCrashedNodesUsersGoOfflineEverywhereOnceWithItsLastRenewalAsLastSeen() {
        String[] users = {"u0", "u1", "u2", "u3", "u4"};
        String[] memberships = {"t1", "w", "u0", "u1", "u2", "u3", "u4"};
        TestNode a = node("a", settings, memberships);
        TestNode b = node("b", settings, memberships);
        TestNode c = node("c", settings, memberships);
        long started = System.nanoTime();
        a.open("w1", "w");
        for (String user : users) {
            b.open(user + "-s", user);
        }
        await().atMost(Duration.ofSeconds(5)).until(() -> List.of(users).stream()
                .allMatch(u -> a.flipsSeenBy("w", u).size() == 1));
        // the survivors must have renewed for a whole lease before they may declare anyone dead
        await().atMost(Duration.ofSeconds(5)).until(() -> System.nanoTime() - started > LEASE.toNanos() * 2);

        b.crash();
        long lastRenewal = b.engine.lastRenewalMillis();

        await().atMost(crashBound()).until(() -> List.of(users).stream()
                .allMatch(u -> a.flipsSeenBy("w", u).size() == 2));
        await().during(LEASE).atMost(LEASE.multipliedBy(2)).until(() -> List.of(users).stream()
                .allMatch(u -> a.flipsSeenBy("w", u).size() == 2));
        for (String user : users) {
            List<UserStatus> flips = a.flipsSeenBy("w", user);
            assertThat(flips.get(1).online()).isFalse();
            assertThat(flips.get(1).version()).isGreaterThan(flips.get(0).version());
            // a renewal in flight when it died may have landed: it renews every quarter lease
            assertThat(flips.get(1).lastSeen()).isBetween(lastRenewal, lastRenewal + LEASE.toMillis() / 4 + 50);
            assertThat(c.status(user).online()).isFalse();
        }
        long reaped = a.engine.metrics().reapedSessions() + c.engine.metrics().reapedSessions();
        long fenced = a.engine.metrics().fencedIncarnations() + c.engine.metrics().fencedIncarnations();
        assertThat(reaped).isEqualTo(users.length);
        assertThat(fenced).isEqualTo(1);
    }

    @Test
    void aNodeThatStopsLeavesItsLostSessionsToTheGraceSoUsersWhoMoveProduceNoEvent() {
        String[] users = {"u0", "u1", "u2"};
        String[] memberships = {"t1", "w", "u0", "u1", "u2", "gone"};
        TestNode a = node("a", settings, memberships);
        TestNode b = node("b", settings, memberships);
        TestNode c = node("c", settings, memberships);
        c.open("w1", "w");
        for (String user : users) {
            a.open(user + "-a", user);
        }
        a.open("gone-a", "gone");
        await().atMost(Duration.ofSeconds(5)).until(() -> List.of(users).stream()
                .allMatch(u -> c.flipsSeenBy("w", u).size() == 1) && c.flipsSeenBy("w", "gone").size() == 1);

        // a rolling restart of a: its sockets close with 1012, which the gateway reports as lost connections
        for (String user : users) {
            a.end(user + "-a", EndReason.LOST);
        }
        a.end("gone-a", EndReason.LOST);
        a.close();
        for (String user : users) {
            b.open(user + "-b", user); // the clients reconnect to another node inside the grace
        }

        await().atMost(Duration.ofMillis(GRACE).plus(TestNode.slack()))
                .until(() -> c.flipsSeenBy("w", "gone").size() == 2);
        await().during(LEASE.plusMillis(GRACE)).atMost(LEASE.multipliedBy(3)).until(() -> List.of(users).stream()
                .allMatch(u -> c.flipsSeenBy("w", u).size() == 1));
        assertThat(c.flipsSeenBy("w", "gone").get(1).online()).isFalse();
    }

    @Test
    void aNodeThatHungIsFencedAndItsNextWriteMakesItRegisterAgain() {
        TestNode a = node("a", settings, "t1", "w", "u");
        TestNode b = node("b", settings, "t1", "w", "u");
        long started = System.nanoTime();
        a.open("w1", "w");
        b.open("u1", "u");
        await().atMost(Duration.ofSeconds(5)).until(() -> a.flipsSeenBy("w", "u").size() == 1);
        await().atMost(Duration.ofSeconds(5)).until(() -> System.nanoTime() - started > LEASE.toNanos() * 2);
        String before = b.engine.incarnation();

        b.engine.hang(true);
        await().atMost(crashBound()).until(() -> a.flipsSeenBy("w", "u").size() == 2);

        b.open("u2", "u"); // refused: the incarnation is fenced; b takes a new one and registers u1, u2 again
        await().atMost(Duration.ofSeconds(5)).until(() -> b.engine.incarnation() != null
                && !before.equals(b.engine.incarnation()));
        b.engine.hang(false);
        await().atMost(Duration.ofSeconds(5)).until(() -> a.flipsSeenBy("w", "u").size() == 3);
        List<UserStatus> flips = a.flipsSeenBy("w", "u");
        assertThat(flips).extracting(UserStatus::online).containsExactly(true, false, true);
        assertThat(flips.get(2).version()).isGreaterThan(flips.get(1).version());
        assertThat(b.engine.metrics().selfFenced()).isGreaterThanOrEqualTo(1);

        b.end("u1", EndReason.CLOSED);
        b.end("u2", EndReason.CLOSED);
        await().atMost(Duration.ofSeconds(5)).until(() -> a.flipsSeenBy("w", "u").size() == 4);
    }

    @Test
    void aRedisOutageLongerThanTheLeaseMakesNobodyOfflineAndChangesMeanwhileArrive() {
        TestNode a = node("a", settings, "t1", "ann", "bob", "cat", "dan");
        TestNode b = node("b", settings, "t1", "ann", "bob", "cat", "dan");
        b.open("d1", "dan"); // watchers first: a flip that arrives before them is only in their snapshot
        a.open("a1", "ann");
        b.open("b1", "bob");
        await().atMost(Duration.ofSeconds(5)).until(() -> a.flipsSeenBy("ann", "bob").size() == 1
                && b.flipsSeenBy("dan", "ann").size() == 1);

        redis.stop();
        await().atMost(Duration.ofSeconds(10)).until(() -> !a.engine.redisReachable() && !b.engine.redisReachable());
        b.end("b1", EndReason.CLOSED);
        a.open("c1", "cat");
        // local delivery goes on: a's watcher sees cat, who connected to a, at once (never an offline: an end
        // seen on one node says nothing of the user's sessions on others)
        await().atMost(Duration.ofSeconds(2)).until(() -> a.flipsSeenBy("ann", "cat").size() == 1);
        assertThat(a.flipsSeenBy("ann", "cat").get(0).online()).isTrue();
        assertThat(a.flipsSeenBy("ann", "bob")).as("bob's end on b is not known on a yet").hasSize(1);
        redis.start(); // empty: no persistence

        await().atMost(Duration.ofSeconds(10)).until(() -> a.flipsSeenBy("ann", "bob").size() == 2
                && b.flipsSeenBy("dan", "cat").size() == 1);
        assertThat(a.flipsSeenBy("ann", "bob").get(1).online()).isFalse();
        assertThat(b.flipsSeenBy("dan", "cat").get(0).online()).isTrue();
        assertThat(a.flipsSeenBy("ann", "cat")).as("Redis's own online replaces the local one without an event")
                .hasSize(1);
        await().during(LEASE.multipliedBy(2)).atMost(LEASE.multipliedBy(3)).until(() ->
                b.flipsSeenBy("dan", "ann").size() == 1 && a.flipsSeenBy("ann", "dan").size() <= 1);
        assertThat(b.status("ann").online()).isTrue();
        assertThat(a.status("dan").online()).isTrue();
        assertThat(a.engine.redisReachable() && b.engine.redisReachable()).isTrue();
    }

    @Test
    void aNodeThatDiesWhileRedisIsAwayAndComesBackEmptyLeavesNoUserOnline() {
        TestNode a = node("a", settings, "t1", "w", "y", "z");
        TestNode b = node("b", settings, "t1", "w", "y", "z");
        a.open("w1", "w");
        a.open("y1", "y");
        b.open("z1", "z");
        await().atMost(Duration.ofSeconds(5)).until(() -> a.flipsSeenBy("w", "z").size() == 1);

        redis.stop();
        await().atMost(Duration.ofSeconds(10)).until(() -> !a.engine.redisReachable());
        b.crash(); // nobody will register z again, and Redis comes back without z
        redis.start();

        await().atMost(Duration.ofSeconds(10)).until(() -> a.flipsSeenBy("w", "z").size() == 2);
        assertThat(a.flipsSeenBy("w", "z").get(1).online()).isFalse();
        assertThat(a.status("y").online()).as("y stayed connected to a live node").isTrue();
        assertThat(a.onlineUserCount()).isEqualTo(2);
    }

    @Test
    void aNodeThatFellBehindTheTrimmedOutboxReloadsAndConverges() {
        ClusterSettings small = settings.withOutboxMaxLength(100).withPartitions(1);
        TestNode a = node("a", small, "t1", "ann", "bob", "w");
        TestNode b = node("b", small, "t1", "ann", "bob", "w");
        b.open("w1", "w"); // first: a flip that arrives before a watcher connects is only in its snapshot
        a.open("b0", "bob");
        await().atMost(Duration.ofSeconds(5)).until(() -> b.flipsSeenBy("w", "bob").size() == 1);

        b.engine.pauseReading(true);
        for (int i = 0; i < 300; i++) {
            a.open("a" + i, "ann");
            a.end("a" + i, EndReason.CLOSED);
        }
        a.open("a-last", "ann");
        a.end("b0", EndReason.CLOSED);
        await().atMost(Duration.ofSeconds(5)).until(() -> !a.status("bob").online() && a.status("ann").online());
        b.engine.pauseReading(false);

        await().atMost(Duration.ofSeconds(10)).until(() -> b.status("ann").equals(a.status("ann"))
                && b.status("bob").equals(a.status("bob")));
        assertThat(b.engine.metrics().reloads()).isGreaterThanOrEqualTo(1);
        assertThat(b.lastSeenBy("w", "bob").online()).isFalse();
    }
}
