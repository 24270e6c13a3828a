package dev.presence.client;

import dev.presence.testkit.VirtualTime;

/** An {@link EventLoop} on the testkit's {@link VirtualTime}: tasks run inline, timers when the test advances time. */
final class VirtualLoop implements EventLoop {
    final VirtualTime time = new VirtualTime(1_000_000);

    @Override
    public long nowMillis() {
        return time.millis();
    }

    @Override
    public void execute(Runnable task) {
        task.run();
    }

    @Override
    public Cancellable schedule(long delayMillis, Runnable task) {
        var scheduled = time.schedule(delayMillis, task);
        return scheduled::cancel;
    }

    void advance(long millis) {
        time.advance(millis);
    }
}
