package dev.presence.cluster;

import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Executor;

/** The hub's thread, for tests on virtual time: tasks wait here until the test's thread drains them. */
final class HubQueue implements Executor {

    private final Queue<Runnable> tasks = new ConcurrentLinkedQueue<>();

    @Override
    public void execute(Runnable task) {
        tasks.add(task);
    }

    /** Runs every queued task, also those queued meanwhile, on the caller's thread. */
    void drain() {
        Runnable task;
        while ((task = tasks.poll()) != null) {
            task.run();
        }
    }

    boolean isEmpty() {
        return tasks.isEmpty();
    }
}
