package dev.presence.server.chat;

import dev.presence.server.config.RateLimits.Rate;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import static org.assertj.core.api.Assertions.assertThat;

/** Token buckets on a clock the test moves. */
class RateLimiterTest {

    private final AtomicLong nanos = new AtomicLong(1_000_000_000L);
    private final RateLimiter limiter = new RateLimiter(new Rate(5, Duration.ofSeconds(10)), 1_000, nanos::get);

    private void advance(long millis) {
        nanos.addAndGet(TimeUnit.MILLISECONDS.toNanos(millis));
    }

    @Test
    void aBurstThenAWaitThatSaysHowLong() {
        for (int i = 0; i < 5; i++) {
            assertThat(limiter.tryAcquire("ann")).isZero();
        }
        assertThat(limiter.tryAcquire("ann")).isEqualTo(2); // one comes back every 2 s
        advance(1_500);
        assertThat(limiter.tryAcquire("ann")).isEqualTo(1); // 0.5 s left, rounded up
        advance(500);
        assertThat(limiter.tryAcquire("ann")).isZero();
        assertThat(limiter.tryAcquire("ann")).isEqualTo(2);
    }

    @Test
    void keysAreLimitedApart() {
        for (int i = 0; i < 5; i++) {
            limiter.tryAcquire("ann");
        }
        assertThat(limiter.tryAcquire("ann")).isPositive();
        assertThat(limiter.tryAcquire("bob")).isZero();
    }

    @Test
    void aGivenBackAttemptDoesNotCountAndNeverRaisesTheCapacity() {
        for (int i = 0; i < 20; i++) {
            assertThat(limiter.tryAcquire("ann")).isZero();
            limiter.giveBack("ann");
        }
        limiter.giveBack("ann");
        limiter.giveBack("ann");
        for (int i = 0; i < 5; i++) {
            assertThat(limiter.tryAcquire("ann")).isZero();
        }
        assertThat(limiter.tryAcquire("ann")).isPositive();
    }

    @Test
    void aBucketLeftAloneForAPeriodIsFullAgain() {
        for (int i = 0; i < 5; i++) {
            limiter.tryAcquire("ann");
        }
        advance(10_000);
        for (int i = 0; i < 5; i++) {
            assertThat(limiter.tryAcquire("ann")).isZero();
        }
        assertThat(limiter.tryAcquire("ann")).isPositive();
    }

    @Test
    void addressesAreKeyedByIpv4AddressAndIpv6Slash64() {
        assertThat(Accounts.addressKey("203.0.113.7")).isEqualTo("203.0.113.7");
        assertThat(Accounts.addressKey("2001:db8:1:2:aaaa:bbbb:cccc:dddd"))
                .isEqualTo(Accounts.addressKey("2001:db8:1:2:0:0:0:1"))
                .isEqualTo("2001:db8:1:2::/64");
        assertThat(Accounts.addressKey("2001:db8:1:3:0:0:0:1")).isNotEqualTo("2001:db8:1:2::/64");
    }
}
