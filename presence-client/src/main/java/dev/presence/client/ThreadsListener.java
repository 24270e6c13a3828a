package dev.presence.client;

/**
 * Told about every change of a {@link ThreadsState}, once per change, in order, right after the new snapshot
 * became visible. Called on the thread that applied the change (usually the client's event loop): keep it quick.
 */
@FunctionalInterface
public interface ThreadsListener {
    void onChange(ThreadsSnapshot snapshot, ThreadsChange change);
}
