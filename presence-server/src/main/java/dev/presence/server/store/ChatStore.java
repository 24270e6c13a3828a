package dev.presence.server.store;

import dev.presence.server.presence.StatusStore;

/**
 * All of the chat domain's stores in one, as the services still take it. Each consumer needs only its own port
 * ({@link AccountStore}, {@link ThreadStore}, {@link MessageStore}, {@link StatusStore}); new code should take
 * that port. Every method blocks (JDBC): call it from a worker thread, never from an event loop or the presence
 * hub. Nothing on the status path calls it, except the batched {@link #saveStatuses write-behind}.
 */
public interface ChatStore extends AccountStore, ThreadStore, MessageStore, StatusStore, AutoCloseable {

    /** Closes the database connections; the store cannot be used after. */
    @Override
    void close();
}
