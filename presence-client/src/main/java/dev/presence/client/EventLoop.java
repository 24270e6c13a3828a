package dev.presence.client;

import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The one thread a {@link PresenceClient} runs its state machine on, with its clock and timers. Injected so
 * unit tests can drive the client on virtual time (every task inline, timers fired by the test).
 */
public interface EventLoop {

    /** Milliseconds on this loop's clock; only differences matter. */
    long nowMillis();

    /** Runs {@code task} on the loop, after the tasks already submitted. */
    void execute(Runnable task);

    /** Runs {@code task} on the loop once, after {@code delayMillis}. */
    Cancellable schedule(long delayMillis, Runnable task);

    /** Releases the loop's thread, if it owns one. Tasks not yet run may be dropped. */
    default void shutdown() {
    }

    /** A timer that can still be called off. */
    @FunctionalInterface
    interface Cancellable {
        /** Prevents the task from running; no effect once it has run. */
        void cancel();
    }

    /** A loop on its own daemon thread, on the monotonic clock. */
    static EventLoop singleThread(String name) {
        return new ThreadEventLoop(name);
    }

    /** The default loop, backed by one daemon thread. */
    final class ThreadEventLoop implements EventLoop {
        private static final AtomicInteger COUNTER = new AtomicInteger();
        private final ScheduledThreadPoolExecutor executor;

        ThreadEventLoop(String name) {
            String threadName = name + "-" + COUNTER.incrementAndGet();
            ThreadFactory factory = r -> {
                Thread t = new Thread(r, threadName);
                t.setDaemon(true);
                return t;
            };
            executor = new ScheduledThreadPoolExecutor(1, factory);
            executor.setRemoveOnCancelPolicy(true);
            executor.setExecuteExistingDelayedTasksAfterShutdownPolicy(false);
        }

        @Override
        public long nowMillis() {
            return TimeUnit.NANOSECONDS.toMillis(System.nanoTime());
        }

        @Override
        public void execute(Runnable task) {
            if (!executor.isShutdown()) {
                executor.execute(guarded(task));
            }
        }

        @Override
        public Cancellable schedule(long delayMillis, Runnable task) {
            if (executor.isShutdown()) {
                return () -> { };
            }
            var future = executor.schedule(guarded(task), Math.max(0, delayMillis), TimeUnit.MILLISECONDS);
            return () -> future.cancel(false);
        }

        @Override
        public void shutdown() {
            executor.shutdown();
        }

        private static Runnable guarded(Runnable task) {
            // an exception must not kill the only thread of the client
            return () -> {
                try {
                    task.run();
                } catch (RuntimeException | Error e) {
                    System.getLogger(PresenceClient.class.getName())
                            .log(System.Logger.Level.ERROR, "Unexpected error in the client's event loop", e);
                }
            };
        }
    }
}
