package dev.presence.core;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

/**
 * Random schedules of connect, clean close, drop, heartbeat timeout, reconnect, second device, frames
 * arriving, join, leave and time passing, run against the engine and against a reference model of a few
 * lines. After every step, every live session must believe exactly what the model says of each co-member, no
 * one may hear of a user they share no thread with, versions must only grow, every status must carry the
 * last seen the model expects (the latest moment any of the user's sessions was heard from), and the count of
 * online users must be the model's. A failure names its seed: put it in {@code -Dpresence.seed=...} to
 * replay it.
 */
class PresenceModelTest {

    private static final String[] USERS = {"ann", "bob", "cat", "dan", "eve"};
    private static final String[] THREADS = {"t1", "t2", "t3"};
    private static final long GRACE = 1_000;
    private static final int STEPS = 400;

    @Test
    void randomSchedulesAgreeWithTheReferenceModel() {
        String fixed = System.getProperty("presence.seed");
        if (fixed != null) {
            run(Long.parseLong(fixed));
            return;
        }
        long base = System.nanoTime();
        for (int i = 0; i < 300; i++) {
            run(base + i);
        }
    }

    private void run(long seed) {
        try {
            new Schedule(seed).run();
        } catch (AssertionError e) {
            fail("schedule with seed " + seed + " failed (replay with -Dpresence.seed=" + seed + "): "
                    + e.getMessage(), e);
        }
    }

    /**
     * The reference: online iff a live session, or a lost one younger than the grace with no session of that
     * user started since. Last seen: the latest start or last-heard time of any session of the user that
     * ended.
     */
    private static final class Model {
        final Map<String, String> live = new HashMap<>();            // session -> user
        final Map<String, Long> heard = new HashMap<>();             // live session -> when last heard from
        final Map<String, Long> lastSeen = new HashMap<>();          // user -> last seen
        final List<long[]> graces = new ArrayList<>();                // {userIndex, until}
        final Map<String, Set<String>> members = new HashMap<>();     // thread -> users

        long lastSeen(String user) {
            return lastSeen.getOrDefault(user, 0L);
        }

        void seen(String user, long at) {
            lastSeen.merge(user, at, Math::max);
        }

        long onlineCount(long now) {
            return List.of(USERS).stream().filter(u -> online(u, now)).count();
        }

        boolean online(String user, long now) {
            if (live.containsValue(user)) {
                return true;
            }
            int index = List.of(USERS).indexOf(user);
            return graces.stream().anyMatch(g -> g[0] == index && g[1] > now);
        }

        boolean share(String a, String b) {
            return !a.equals(b) && members.values().stream().anyMatch(m -> m.contains(a) && m.contains(b));
        }

        boolean hasLive(String user) {
            return live.containsValue(user);
        }
    }

    private static final class Schedule {
        final long seed;
        final Random random;
        final VirtualTime time = new VirtualTime(1_700_000_000_000L);
        final Model model = new Model();
        /** What each live session believes: session -> (user -> status). */
        final Map<String, Map<String, UserStatus>> beliefs = new HashMap<>();
        final Map<String, Long> lastVersion = new HashMap<>();
        final List<String> log = new ArrayList<>();
        final PresenceEngine engine;
        int nextSession;

        Schedule(long seed) {
            this.seed = seed;
            this.random = new Random(seed);
            this.engine = new PresenceEngine(time, time, GRACE, this::deliver);
        }

        void deliver(java.util.Collection<String> recipients, UserStatus status, boolean flip) {
            String subject = status.userId();
            assertThat(status.online()).as("delivered status equals the model's at %s", log)
                    .isEqualTo(model.online(subject, time.millis()));
            assertThat(status.lastSeen()).as("last seen of %s delivered after %s", subject, tail())
                    .isEqualTo(model.lastSeen(subject));
            Long previous = lastVersion.get(subject);
            if (flip) {
                assertThat(previous == null || status.version() > previous)
                        .as("flip versions strictly increase for %s", subject).isTrue();
            } else {
                assertThat(previous == null || status.version() >= previous)
                        .as("versions never go back for %s", subject).isTrue();
            }
            lastVersion.merge(subject, status.version(), Math::max);
            for (String recipient : recipients) {
                assertThat(model.hasLive(recipient)).as("%s received a status without a live session", recipient)
                        .isTrue();
                assertThat(model.share(recipient, subject)).as("%s heard of %s without sharing a thread",
                        recipient, subject).isTrue();
                model.live.forEach((session, user) -> {
                    if (user.equals(recipient)) {
                        beliefs.get(session).merge(subject, status,
                                (held, fresh) -> fresh.version() > held.version() ? fresh : held);
                    }
                });
            }
        }

        void run() {
            for (int step = 0; step < STEPS; step++) {
                act();
                check();
            }
        }

        void act() {
            String user = USERS[random.nextInt(USERS.length)];
            List<String> sessions = new ArrayList<>(model.live.keySet());
            String session = sessions.isEmpty() ? null : sessions.get(random.nextInt(sessions.size()));
            switch (random.nextInt(9)) {
                case 0, 1 -> connect(user);
                case 2 -> end(session, EndReason.CLOSED);
                case 3 -> end(session, EndReason.LOST);
                case 4 -> end(session, EndReason.TIMED_OUT);
                case 5 -> join(THREADS[random.nextInt(THREADS.length)], user);
                case 6 -> leave(THREADS[random.nextInt(THREADS.length)], user);
                case 7 -> hear(session);
                default -> advance(random.nextInt((int) (GRACE * 2)));
            }
        }

        void connect(String user) {
            String session = "s" + nextSession++;
            log.add("connect " + user + " as " + session);
            model.live.put(session, user);
            model.heard.put(session, time.millis());
            model.seen(user, time.millis());
            int index = List.of(USERS).indexOf(user);
            model.graces.removeIf(g -> g[0] == index); // a new session cancels pending offline graces
            beliefs.put(session, new HashMap<>());
            List<UserStatus> snapshot = engine.sessionStarted(session, user);
            Map<String, UserStatus> belief = beliefs.get(session);
            for (UserStatus status : snapshot) {
                assertThat(model.share(user, status.userId())).as("snapshot of %s shows %s", user, status.userId())
                        .isTrue();
                assertThat(status.lastSeen()).as("last seen of %s in a snapshot", status.userId())
                        .isEqualTo(model.lastSeen(status.userId()));
                belief.merge(status.userId(), status, (held, fresh) -> fresh.version() > held.version() ? fresh : held);
            }
        }

        void end(String session, EndReason reason) {
            if (session == null) {
                return;
            }
            String user = model.live.remove(session);
            // the gateway reports when the session was last heard from, often well before its end is noticed
            long lastHeard = model.heard.remove(session);
            model.seen(user, lastHeard);
            log.add(reason + " " + session + " of " + user + " last heard at " + lastHeard);
            beliefs.remove(session);
            if (reason == EndReason.LOST) {
                model.graces.add(new long[] {List.of(USERS).indexOf(user), time.millis() + GRACE});
            }
            engine.sessionEnded(session, reason, lastHeard);
            // a late, duplicate end of the same session must change nothing
            if (random.nextInt(4) == 0) {
                engine.sessionEnded(session, EndReason.TIMED_OUT, time.millis());
            }
        }

        /** A frame arrives on the session: it is heard from now. */
        void hear(String session) {
            if (session == null) {
                return;
            }
            log.add("frame on " + session);
            model.heard.put(session, time.millis());
        }

        void join(String thread, String user) {
            log.add("join " + user + " " + thread);
            model.members.computeIfAbsent(thread, t -> new HashSet<>()).add(user);
            engine.joined(thread, user);
        }

        void leave(String thread, String user) {
            log.add("leave " + user + " " + thread);
            model.members.computeIfAbsent(thread, t -> new HashSet<>()).remove(user);
            engine.left(thread, user);
        }

        void advance(long millis) {
            log.add("advance " + millis);
            time.advance(millis);
        }

        void check() {
            long now = time.millis();
            for (String user : USERS) {
                assertThat(engine.tracker().isOnline(user)).as("%s online after %s", user, tail())
                        .isEqualTo(model.online(user, now));
                assertThat(engine.tracker().status(user).lastSeen()).as("last seen of %s after %s", user, tail())
                        .isEqualTo(model.lastSeen(user));
            }
            assertThat((long) engine.onlineUserCount()).as("online users after %s", tail())
                    .isEqualTo(model.onlineCount(now));
            model.live.forEach((session, watcher) -> {
                Map<String, UserStatus> belief = beliefs.get(session);
                for (String other : USERS) {
                    if (model.share(watcher, other)) {
                        UserStatus believed = belief.get(other);
                        assertThat(believed).as("%s (%s) should have heard of co-member %s after %s", watcher, session,
                                other, tail()).isNotNull();
                        assertThat(believed.online()).as("%s (%s) believes %s online after %s", watcher, session,
                                other, tail()).isEqualTo(model.online(other, now));
                    }
                }
            });
        }

        String tail() {
            return log.subList(Math.max(0, log.size() - 12), log.size()).toString();
        }
    }
}
