package dev.presence.server.store;

import dev.presence.server.domain.Message;

import java.util.List;

/**
 * Where the messages of threads are kept. Every method blocks (JDBC): call it from a worker thread, never from an
 * event loop or the presence hub. It does not check membership: the caller does.
 */
public interface MessageStore {

    /**
     * Appends a message with a new id, created now.
     *
     * @throws StoreException if the thread or the sender is unknown, or (as {@link StoreException#isBadData bad
     *                        data}) if the text is longer than the database takes
     */
    Message addMessage(String threadId, String senderId, String text);

    /**
     * Messages of a thread, newest (last appended) first; none for an unknown thread.
     *
     * @param beforeMessageId only messages appended before this one, or null for the newest; an id that is not
     *                        a message of this thread gives none
     */
    List<Message> messages(String threadId, int limit, String beforeMessageId);
}
