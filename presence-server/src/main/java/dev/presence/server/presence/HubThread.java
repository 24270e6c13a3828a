package dev.presence.server.presence;

import dev.presence.core.Clock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;

/**
 * The hub's one thread in the server. A task or timer that fails is logged (an executor would swallow it) and
 * the thread goes on; a task handed over after {@link #close} is dropped, since nothing more is delivered.
 */
public final class HubThread implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(HubThread.class);

    private final ScheduledThreadPoolExecutor executor = new ScheduledThreadPoolExecutor(1, r -> {
        Thread t = new Thread(r, "presence-hub");
        t.setDaemon(true);
        return t;
    });

    public HubThread() {
        // timers still pending at shutdown are settled by the hub's close, not run into closed event loops
        executor.setExecuteExistingDelayedTasksAfterShutdownPolicy(false);
    }

    /** This thread as the hub's loop, on the system clock. */
    public HubLoop loop() {
        return new HubLoop(Clock.system(), (delay, task) -> {
            try {
                ScheduledFuture<?> f = executor.schedule(() -> guarded(task), delay, TimeUnit.MILLISECONDS);
                return () -> f.cancel(false);
            } catch (RejectedExecutionException e) {
                return () -> { };
            }
        }, task -> {
            try {
                executor.execute(() -> guarded(task));
            } catch (RejectedExecutionException e) {
                // shutting down: nothing more is delivered
            }
        });
    }

    private static void guarded(Runnable task) {
        try {
            task.run();
        } catch (RuntimeException e) {
            log.error("Presence hub task failed", e);
        }
    }

    @Override
    public void close() {
        executor.shutdown();
        try {
            if (!executor.awaitTermination(5, TimeUnit.SECONDS)) {
                log.warn("The presence thread did not stop within 5 s");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
