package dev.presence.server.store;

import java.time.Instant;
import java.time.InstantSource;

/** A clock the test sets by hand, so creation times (and the orders that follow them) are the test's to choose. */
final class ManualClock implements InstantSource {

    private volatile long millis;

    ManualClock(long millis) {
        this.millis = millis;
    }

    /** From now on, the time is {@code millis}. */
    void set(long millis) {
        this.millis = millis;
    }

    @Override
    public long millis() {
        return millis;
    }

    @Override
    public Instant instant() {
        return Instant.ofEpochMilli(millis);
    }
}
