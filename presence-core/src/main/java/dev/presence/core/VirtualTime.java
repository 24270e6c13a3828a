package dev.presence.core;

import java.util.PriorityQueue;

/**
 * A clock and a scheduler on virtual time, for tests and simulations: nothing happens until someone calls
 * {@link #advance}. Tasks due at the same instant run in the order they were scheduled.
 */
public final class VirtualTime implements Clock, Scheduler {

    private final PriorityQueue<Task> queue = new PriorityQueue<>();
    private long now;
    private long sequence;

    public VirtualTime(long startMillis) {
        this.now = startMillis;
    }

    @Override
    public long millis() {
        return now;
    }

    @Override
    public Cancellable schedule(long delayMillis, Runnable task) {
        Task scheduled = new Task(now + Math.max(0, delayMillis), sequence++, task);
        queue.add(scheduled);
        return () -> scheduled.cancelled = true;
    }

    /** Moves time forward by {@code millis}, running every task that falls due on the way, in time order. */
    public void advance(long millis) {
        long target = now + millis;
        while (!queue.isEmpty() && queue.peek().due <= target) {
            Task task = queue.poll();
            now = Math.max(now, task.due);
            if (!task.cancelled) {
                task.runnable.run();
            }
        }
        now = target;
    }

    /** Tasks scheduled and neither run nor cancelled. */
    public long pending() {
        return queue.stream().filter(t -> !t.cancelled).count();
    }

    private static final class Task implements Comparable<Task> {
        final long due;
        final long seq;
        final Runnable runnable;
        boolean cancelled;

        Task(long due, long seq, Runnable runnable) {
            this.due = due;
            this.seq = seq;
            this.runnable = runnable;
        }

        @Override
        public int compareTo(Task other) {
            int byDue = Long.compare(due, other.due);
            return byDue != 0 ? byDue : Long.compare(seq, other.seq);
        }
    }
}
