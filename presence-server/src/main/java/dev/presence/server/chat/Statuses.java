package dev.presence.server.chat;

import dev.presence.core.UserStatus;
import dev.presence.server.presence.PresenceHub;

import java.util.Collection;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Users' current statuses, as the presence hub knows them: for {@code GET /api/presence} and for the members of
 * a thread the API shows. Called on workers; each query waits for the hub at most ten seconds, then the call is
 * refused as busy.
 */
public final class Statuses {

    private final PresenceHub hub;

    public Statuses(PresenceHub hub) {
        this.hub = hub;
    }

    /** The statuses of those of {@code userIds} who share a thread with the viewer; others are left out. */
    public List<UserStatus> visibleTo(String viewerId, Collection<String> userIds) {
        return await(hub.visibleStatuses(viewerId, List.copyOf(new LinkedHashSet<>(userIds))));
    }

    /** The status of each of {@code userIds}, by user id, whoever asks (the caller decides who may see them). */
    Map<String, UserStatus> of(Collection<String> userIds) {
        return await(hub.statuses(userIds));
    }

    private static <T> T await(CompletableFuture<T> future) {
        try {
            return future.get(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        } catch (ExecutionException | TimeoutException e) {
            throw new ChatException(503, "busy", "the server is busy; try again shortly");
        }
    }
}
