package dev.presence.client;

import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The delays a client waits for each way a link ends, with a seeded random source. */
class ReconnectPolicyTest {

    private static final int RESTART = PresenceClient.SERVICE_RESTART;
    private static final int NONE = PresenceClient.NO_CLOSE_FRAME;

    @Test
    void after1012OnAWelcomedLinkTheDelayIsShortAndJittered() {
        long seed = new Random().nextLong();
        Random seeds = new Random(seed); // adjacent seeds of java.util.Random start with nearly equal draws
        List<Long> delays = new ArrayList<>();
        for (int client = 0; client < 200; client++) {
            ReconnectPolicy policy = ReconnectPolicy.of(Backoff.standard(0.5, new Random(seeds.nextLong())));
            delays.add(policy.delayAfterLossMillis(RESTART, true, 60_000));
        }
        assertThat(delays).as("seed " + seed).allSatisfy(d -> assertThat(d).isBetween(100L, 1_000L));
        // 200 clients of a stopping node spread over the window rather than coming back together
        assertThat(delays.stream().filter(d -> d < 400).count()).as("seed " + seed).isPositive();
        assertThat(delays.stream().filter(d -> d > 700).count()).as("seed " + seed).isPositive();
    }

    @Test
    void withoutJitterTheQuickDelayIsExactlyItsLongest() {
        ReconnectPolicy policy = ReconnectPolicy.of(Backoff.withoutJitter());

        assertThat(policy.delayAfterLossMillis(RESTART, true, 60_000)).isEqualTo(1_000L);
    }

    @Test
    void otherLossesAndFailedAttemptsGetTheBackoff() {
        ReconnectPolicy policy = ReconnectPolicy.of(Backoff.withoutJitter());

        assertThat(List.of(policy.delayAfterLossMillis(1006, true, 60_000), policy.delayAfterLossMillis(NONE, false, 0),
                policy.delayAfterLossMillis(1001, false, 0), policy.delayAfterLossMillis(NONE, false, 0)))
                .containsExactly(1_000L, 2_000L, 4_000L, 8_000L);
        assertThat(policy.attempts()).isEqualTo(4);
    }

    @Test
    void a1012BeforeTheWelcomeIsAFailedAttempt() {
        ReconnectPolicy policy = ReconnectPolicy.of(Backoff.withoutJitter());
        policy.delayAfterLossMillis(NONE, false, 0);

        assertThat(policy.delayAfterLossMillis(RESTART, false, 0)).as("the backoff's second step").isEqualTo(2_000L);
    }

    @Test
    void anAttemptThatFailsAfterTheQuickDelayFallsBackToTheBackoffFromItsBase() {
        ReconnectPolicy policy = ReconnectPolicy.of(Backoff.withoutJitter());

        List<Long> delays = List.of(policy.delayAfterLossMillis(RESTART, true, 60_000),
                policy.delayAfterLossMillis(NONE, false, 0), policy.delayAfterLossMillis(NONE, false, 0),
                policy.delayAfterLossMillis(NONE, false, 0));

        assertThat(delays).containsExactly(1_000L, 1_000L, 2_000L, 4_000L);
        assertThat(policy.attempts()).isEqualTo(4);
    }

    @Test
    void aRunOf1012sOnLinksThatDoNotSettleFallsBackToTheBackoff() {
        ReconnectPolicy policy = new ReconnectPolicy(Backoff.withoutJitter(), Duration.ofMillis(100),
                Duration.ofMillis(500), 3);
        List<Long> delays = new ArrayList<>();
        for (int i = 0; i < 6; i++) {
            // welcomed, then closed with 1012 a second later, again and again
            delays.add(policy.delayAfterLossMillis(RESTART, true, 1_000));
            policy.connected();
        }
        assertThat(delays).containsExactly(500L, 500L, 500L, 1_000L, 1_000L, 1_000L);

        // a link that stayed up long enough was not part of that run: the next 1012 is quick again
        assertThat(policy.delayAfterLossMillis(RESTART, true, ReconnectPolicy.SETTLED.toMillis())).isEqualTo(500L);
    }

    @Test
    void connectedStartsTheCountAndTheBackoffAgain() {
        ReconnectPolicy policy = ReconnectPolicy.of(Backoff.withoutJitter());
        policy.delayAfterLossMillis(NONE, false, 0);
        policy.delayAfterLossMillis(NONE, false, 0);

        policy.connected();

        assertThat(policy.attempts()).isZero();
        assertThat(policy.delayAfterLossMillis(NONE, true, 5_000)).isEqualTo(1_000L);
    }

    @Test
    void refusesAWindowThatMakesNoSense() {
        assertThatThrownBy(() -> new ReconnectPolicy(Backoff.withoutJitter(), Duration.ofMillis(500),
                Duration.ofMillis(100), 3)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new ReconnectPolicy(Backoff.withoutJitter(), Duration.ofMillis(-1),
                Duration.ofMillis(100), 3)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new ReconnectPolicy(Backoff.withoutJitter(), Duration.ofMillis(100),
                Duration.ofMillis(500), -1)).isInstanceOf(IllegalArgumentException.class);
    }
}
