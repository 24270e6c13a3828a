package dev.presence.core;

/**
 * Runs a task later, on the same thread that owns the presence state. Injected so that tests can run
 * timers on virtual time.
 */
@FunctionalInterface
public interface Scheduler {
    /**
     * Runs {@code task} once after {@code delayMillis}, on the thread that owns the state the task touches.
     *
     * @return a handle that prevents the task from running if it has not run yet
     */
    Cancellable schedule(long delayMillis, Runnable task);

    /** A scheduled task that can still be called off. */
    @FunctionalInterface
    interface Cancellable {
        /** Prevents the task from running; no effect once it has run. */
        void cancel();
    }
}
