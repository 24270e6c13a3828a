package dev.presence.bench;

/** The reconnect schedule a simulated client follows; the storm plugs in the SDK's {@code Backoff}. */
interface BackoffPolicy {

    /** Delay before the next attempt, in ms; counts that attempt. */
    long nextDelayMillis();

    /** After a successful connection. */
    void reset();

    static BackoffPolicy sdk(double jitter, java.util.random.RandomGenerator random) {
        dev.presence.client.Backoff backoff = dev.presence.client.Backoff.standard(jitter, random);
        return new BackoffPolicy() {
            @Override
            public long nextDelayMillis() {
                return backoff.nextDelayMillis();
            }

            @Override
            public void reset() {
                backoff.reset();
            }
        };
    }
}
