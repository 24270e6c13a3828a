package dev.presence.client;

import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class BackoffTest {

    @Test
    void withoutJitterTheDelaysAreExactlyTheProtocolSequence() {
        Backoff backoff = Backoff.withoutJitter();

        assertThat(delays(backoff, 10)).containsExactly(1_000L, 2_000L, 4_000L, 8_000L, 16_000L, 30_000L, 30_000L,
                30_000L, 30_000L, 30_000L);
        assertThat(backoff.attempts()).isEqualTo(10);
    }

    @Test
    void staysAtTheCapForeverWithoutOverflow() {
        Backoff backoff = Backoff.withoutJitter();
        for (int i = 0; i < 100_000; i++) {
            backoff.nextDelayMillis();
        }
        assertThat(backoff.nextDelayMillis()).isEqualTo(30_000L);
    }

    @Test
    void resetStartsAgainFromTheBase() {
        Backoff backoff = Backoff.withoutJitter();
        delays(backoff, 7);

        backoff.reset();

        assertThat(backoff.attempts()).isZero();
        assertThat(delays(backoff, 3)).containsExactly(1_000L, 2_000L, 4_000L);
    }

    @Test
    void jitteredDelaysNeverExceedTheCapAndNeverFallBelowHalfOfIt() {
        Backoff backoff = Backoff.standard(0.5, new Random(42));
        long[] caps = {1_000, 2_000, 4_000, 8_000, 16_000, 30_000, 30_000, 30_000};
        for (long cap : caps) {
            assertThat(backoff.nextDelayMillis()).isBetween(cap / 2, cap);
        }
    }

    @Test
    void jitterStillSpreadsClientsOnceTheCapIsReached() {
        // a thousand clients that lost the server at the same moment, each with its own random source
        int clients = 1_000;
        List<Backoff> backoffs = new ArrayList<>();
        Random seeds = new Random(7);
        for (int i = 0; i < clients; i++) {
            backoffs.add(Backoff.standard(0.5, new Random(seeds.nextLong())));
        }
        for (Backoff b : backoffs) {
            delays(b, 8); // well past the cap
        }

        List<Long> atCap = new ArrayList<>();
        for (Backoff b : backoffs) {
            atCap.add(b.nextDelayMillis());
        }

        assertThat(atCap).allSatisfy(d -> assertThat(d).isBetween(15_000L, 30_000L));
        Set<Long> distinctSeconds = new HashSet<>();
        atCap.forEach(d -> distinctSeconds.add(d / 1_000));
        assertThat(distinctSeconds).as("clients at the cap are spread over the whole 15..30 s window")
                .hasSizeGreaterThanOrEqualTo(14);
        long atExactlyTheCap = atCap.stream().filter(d -> d == 30_000L).count();
        assertThat(atExactlyTheCap).as("no lockstep at the cap").isLessThan(clients / 20);
        double mean = atCap.stream().mapToLong(Long::longValue).average().orElseThrow();
        assertThat(mean).isBetween(21_000.0, 24_000.0);
    }

    @Test
    void sameSeedGivesTheSameDelays() {
        List<Long> first = delays(Backoff.standard(0.5, new Random(1234)), 20);
        List<Long> second = delays(Backoff.standard(0.5, new Random(1234)), 20);
        List<Long> other = delays(Backoff.standard(0.5, new Random(4321)), 20);

        assertThat(first).isEqualTo(second);
        assertThat(first).isNotEqualTo(other);
    }

    @Test
    void rejectsNonsense() {
        assertThatThrownBy(() -> Backoff.standard(1.5, new Random())).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new Backoff(Duration.ofSeconds(5), Duration.ofSeconds(1), 0, new Random()))
                .isInstanceOf(IllegalArgumentException.class);
    }

    private static List<Long> delays(Backoff backoff, int n) {
        List<Long> result = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            result.add(backoff.nextDelayMillis());
        }
        return result;
    }
}
