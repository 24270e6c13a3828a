package dev.presence.server.presence;

import dev.presence.server.presence.PresenceHubTest.FakeSession;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;

class SessionRegistryTest {

    @Test
    void aSecondDeviceAddsASessionAndEndingOneLeavesTheOther() {
        SessionRegistry registry = new SessionRegistry();
        FakeSession phone = new FakeSession("s1", "ann", "t1");
        FakeSession laptop = new FakeSession("s2", "ann", "t2");
        registry.add(phone);
        registry.add(laptop);
        assertThat(registry.sessionsOf("ann")).containsExactly(phone, laptop);
        assertThat(registry.size()).isEqualTo(2);

        assertThat(registry.remove(phone)).isEqualTo(1);
        assertThat(registry.sessionsOf("ann")).containsExactly(laptop);
        assertThat(registry.remove(phone)).as("a stale end of the same session").isEqualTo(-1);
        assertThat(registry.sessionsOf("ann")).containsExactly(laptop);
        assertThat(registry.remove(laptop)).isZero();
        assertThat(registry.sessionsOf("ann")).isEmpty();
        assertThat(registry.size()).isZero();
    }

    @Test
    void anUnknownSessionOfAUserWithSessionsIsNotRemoved() {
        SessionRegistry registry = new SessionRegistry();
        FakeSession one = new FakeSession("s1", "ann", "t1");
        registry.add(one);
        assertThat(registry.remove(new FakeSession("s9", "ann", "t1"))).isEqualTo(-1);
        assertThat(registry.remove(new FakeSession("s9", "bob", "t1"))).isEqualTo(-1);
        assertThat(registry.sessionsOf("ann")).containsExactly(one);
        assertThat(registry.size()).isEqualTo(1);
    }

    /** Seeded random adds and removes against a plain list of sessions. */
    @Test
    void randomAddsAndRemovesMatchAListOfSessions() {
        Random random = new Random(42);
        SessionRegistry registry = new SessionRegistry();
        List<FakeSession> model = new ArrayList<>();
        for (int step = 0; step < 5_000; step++) {
            if (model.isEmpty() || random.nextInt(3) > 0) {
                FakeSession s = new FakeSession("s" + step, "u" + random.nextInt(5), "t");
                registry.add(s);
                model.add(s);
            } else {
                FakeSession s = model.remove(random.nextInt(model.size()));
                long left = model.stream().filter(m -> m.userId().equals(s.userId())).count();
                assertThat(registry.remove(s)).isEqualTo((int) left);
            }
            for (int u = 0; u < 5; u++) {
                String user = "u" + u;
                List<LiveSession> expected = new ArrayList<>(model.stream().filter(m -> m.userId().equals(user)).toList());
                assertThat(registry.sessionsOf(user)).containsExactlyInAnyOrderElementsOf(expected);
                List<LiveSession> visited = new ArrayList<>();
                assertThat(registry.forEachOf(user, visited::add)).isEqualTo(expected.size());
                assertThat(visited).containsExactlyInAnyOrderElementsOf(expected);
            }
            List<LiveSession> all = new ArrayList<>();
            registry.forEach(all::add);
            assertThat(all).containsExactlyInAnyOrderElementsOf(model);
            assertThat(registry.size()).isEqualTo(model.size());
        }
    }
}
