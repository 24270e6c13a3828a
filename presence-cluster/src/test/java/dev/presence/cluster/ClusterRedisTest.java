package dev.presence.cluster;

import io.lettuce.core.RedisConnectionException;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class ClusterRedisTest {

    @Test
    void aConnectionThatFailsAtFirstIsTriedAgain() {
        AtomicInteger attempts = new AtomicInteger();
        String connection = ClusterRedis.connect(() -> {
            if (attempts.incrementAndGet() < 3) {
                throw new RedisConnectionException("handshake timed out");
            }
            return "connected";
        });
        assertThat(connection).isEqualTo("connected");
        assertThat(attempts).hasValue(3);
    }

    @Test
    void afterThePatienceTheFailureIsThrown() {
        AtomicInteger attempts = new AtomicInteger();
        assertThatThrownBy(() -> ClusterRedis.connect(() -> {
            attempts.incrementAndGet();
            throw new RedisConnectionException("refused");
        }, Duration.ofMillis(250))).isInstanceOf(RedisConnectionException.class);
        assertThat(attempts.get()).isBetween(2, 10);
    }

    @Test
    void otherFailuresAreNotTriedAgain() {
        AtomicInteger attempts = new AtomicInteger();
        assertThatThrownBy(() -> ClusterRedis.connect(() -> {
            attempts.incrementAndGet();
            throw new IllegalArgumentException("bad url");
        })).isInstanceOf(IllegalArgumentException.class);
        assertThat(attempts).hasValue(1);
    }
}
