package dev.presence.server.chat;

import dev.presence.server.config.ServerConfig;
import dev.presence.server.domain.Message;
import dev.presence.server.presence.PresenceHub;
import dev.presence.server.protocol.Frames;
import dev.presence.server.store.MessageStore;

import java.util.List;

import static dev.presence.server.chat.StoreFailures.translated;

/**
 * The messages of a thread, for its members only: reading a page of them, and sending one, which every member's
 * sessions get as {@code message_created}. Both block on the store, so they run on workers.
 */
public final class Messages {

    private final MessageStore store;
    private final PresenceHub hub;
    private final Threads threads;
    private final RateLimiter messagesPerUser;

    /**
     * @param threads who is a member of which thread
     * @param config  the message rate limit
     */
    public Messages(MessageStore store, PresenceHub hub, Threads threads, ServerConfig config) {
        this.store = store;
        this.hub = hub;
        this.threads = threads;
        this.messagesPerUser = new RateLimiter(config.rateLimits().messagesPerUser());
    }

    /** Newest first: {@code limit} (1 to 200) messages, those before the message id {@code before} if given. */
    public List<Message> messages(String userId, String threadId, int limit, String before) {
        return translated(() -> {
            threads.memberThread(userId, threadId);
            if (limit < 1 || limit > 200) {
                throw ChatException.invalid("limit must be between 1 and 200");
            }
            return store.messages(threadId, limit, before);
        });
    }

    public Message send(String userId, String threadId, String text) {
        return translated(() -> {
            messagesPerUser.acquireOrRefuse(userId, "messages");
            threads.memberThread(userId, threadId);
            if (text == null || text.isBlank()) {
                throw ChatException.invalid("text must not be empty");
            }
            FieldRules.requireLength("text", text, FieldRules.MAX_TEXT);
            Message message = store.addMessage(threadId, userId, text);
            hub.toThread(threadId, Frames.messageCreated(message));
            return message;
        });
    }
}
