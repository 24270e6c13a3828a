package dev.presence.server.chat;

import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;

/**
 * The threads that hash passwords, apart from every other kind of work: a flood of logins keeps these busy
 * and nothing else, so token checks, WebSocket authentication and the rest of the API never wait behind a
 * hash. Bounded twice: half the cores (at least one), so hashing leaves CPU for everything else, and a
 * short queue; past it a login or signup is refused at once with 503 and {@code Retry-After} instead of
 * waiting for seconds behind a flood (clients retry; a queue without bound would only grow the wait).
 */
public final class PasswordPool implements AutoCloseable {

    /** Seconds a refused caller is told to wait: about what the full queue takes to drain. */
    private static final long RETRY_AFTER_SECONDS = 1;

    private final ThreadPoolExecutor executor;

    PasswordPool(int threads, int queueLength) {
        AtomicInteger n = new AtomicInteger();
        executor = new ThreadPoolExecutor(threads, threads, 30, TimeUnit.SECONDS,
                new ArrayBlockingQueue<>(queueLength), r -> {
                    Thread t = new Thread(r, "presence-password-" + n.incrementAndGet());
                    t.setDaemon(true);
                    return t;
                });
        executor.allowCoreThreadTimeOut(true);
    }

    /** Half the cores (at least one), each with a queue of 16 hashes: about a second of work at most. */
    public static PasswordPool forThisMachine() {
        int threads = Math.max(1, Runtime.getRuntime().availableProcessors() / 2);
        return new PasswordPool(threads, 16 * threads);
    }

    /**
     * Runs slow password work on the pool.
     *
     * @throws ChatException 503 with {@code Retry-After} when the pool and its queue are full
     */
    <T> CompletableFuture<T> submit(Supplier<T> work) {
        try {
            return CompletableFuture.supplyAsync(work, executor);
        } catch (RejectedExecutionException e) {
            throw ChatException.busy(RETRY_AFTER_SECONDS);
        }
    }

    @Override
    public void close() {
        executor.shutdown();
    }
}
