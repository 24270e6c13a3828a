package dev.presence.server.store;

import java.util.List;

/**
 * The durable queue of status changes waiting to be POSTed to the app's webhook. Changes come in with the
 * statuses they belong to ({@code StatusStore.saveStatuses(statuses, flips)}, one transaction); this port is the
 * sender's side. A change is keyed by (user, version): adding it twice keeps one. Every method blocks (JDBC):
 * call it from the webhook sender's thread, never from an event loop or the presence hub.
 */
public interface WebhookOutbox {

    /**
     * A user's oldest undelivered change, with the user's delivery state.
     *
     * @param createdAt        when the change entered the outbox (epoch ms)
     * @param deliveredVersion the highest version delivered (or dropped) for this user; 0 if none
     * @param failures         failed attempts at this user's head change so far
     */
    record Change(String userId, long version, boolean online, long lastSeen, long createdAt,
                  long deliveredVersion, int failures) {

        /** The webhook id: the same for every node and every replay of this change. */
        public String id() {
            return userId + ":" + version;
        }
    }

    /** How much is waiting: rows (counted up to a bound) and when the oldest came in (0: none). */
    record Backlog(long depth, long oldestCreatedAt) {
    }

    /**
     * Takes or renews the one sender lease: succeeds if it is free, lapsed, or already {@code holder}'s.
     *
     * @return whether {@code holder} holds it until {@code expiresAt}
     */
    boolean acquireLease(String holder, long now, long expiresAt);

    /** Gives the lease up, if {@code holder} has it, so another node can take over at once. */
    void releaseLease(String holder);

    /**
     * The head (oldest version) of each user whose retry time has come, oldest change first: users waiting for a
     * retry are left out, so they never hold back those who are ready.
     */
    List<Change> readyHeads(long now, int limit);

    /** The change was delivered (or dropped, or superseded): it and any older change of the user are gone. */
    void delivered(String userId, long version);

    /** The user's head change failed; it is tried again from {@code retryAt}. */
    void failed(String userId, int failures, long retryAt);

    /** What is waiting, counting at most {@code countLimit} rows. */
    Backlog backlog(int countLimit);
}
