package dev.presence.core;

import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Set;

/**
 * Who shares a thread with whom: the in-memory membership index that decides the recipients of a status.
 * Loaded once at start-up, then kept up to date on every membership change, so the status path never asks
 * the database.
 *
 * <p>Not thread-safe: one thread owns it.
 */
public final class Audience {

    private final Map<String, Set<String>> membersByThread = new HashMap<>();
    private final Map<String, Set<String>> threadsByUser = new HashMap<>();
    /**
     * Co-members per user, computed once and reused until a membership of one of the user's threads changes:
     * statuses change far more often than memberships, and the union of K threads of K members is the
     * hot path of every transition and every welcome.
     */
    private final Map<String, String[]> coMemberCache = new HashMap<>();

    /**
     * Adds a member to a thread.
     *
     * @return the users who share a thread with {@code userId} now and did not before
     */
    public Set<String> join(String threadId, String userId) {
        Set<String> members = membersByThread.computeIfAbsent(threadId, t -> new HashSet<>(4));
        if (members.contains(userId)) {
            return Set.of();
        }
        Set<String> newlyShared = new LinkedHashSet<>();
        for (String member : members) {
            if (!shareAThread(userId, member)) {
                newlyShared.add(member);
            }
        }
        members.add(userId);
        threadsByUser.computeIfAbsent(userId, u -> new HashSet<>(4)).add(threadId);
        forget(members);
        return newlyShared;
    }

    /**
     * Removes a member from a thread.
     *
     * @return the users who no longer share any thread with {@code userId}
     */
    public Set<String> leave(String threadId, String userId) {
        Set<String> members = membersByThread.get(threadId);
        if (members == null || !members.remove(userId)) {
            return Set.of();
        }
        forget(members);
        coMemberCache.remove(userId);
        if (members.isEmpty()) {
            membersByThread.remove(threadId);
        }
        Set<String> threads = threadsByUser.get(userId);
        threads.remove(threadId);
        if (threads.isEmpty()) {
            threadsByUser.remove(userId);
        }
        Set<String> noLongerShared = new LinkedHashSet<>();
        for (String member : members) {
            if (!shareAThread(userId, member)) {
                noLongerShared.add(member);
            }
        }
        return noLongerShared;
    }

    /** The users who share at least one thread with {@code userId}, without the user itself. */
    public Set<String> coMembers(String userId) {
        return Set.of(coMemberArray(userId));
    }

    /**
     * The same as {@link #coMembers}, as an array shared with later calls: read it, never change it. Valid
     * until the next membership change.
     */
    public String[] coMemberArray(String userId) {
        String[] cached = coMemberCache.get(userId);
        if (cached != null) {
            return cached;
        }
        Set<String> threads = threadsByUser.get(userId);
        if (threads == null) {
            return NOBODY;
        }
        Set<String> union = new HashSet<>();
        for (String threadId : threads) {
            union.addAll(membersByThread.get(threadId));
        }
        union.remove(userId);
        String[] computed = union.toArray(NOBODY);
        coMemberCache.put(userId, computed);
        return computed;
    }

    private void forget(Set<String> members) {
        for (String member : members) {
            coMemberCache.remove(member);
        }
    }

    private static final String[] NOBODY = new String[0];

    /** Whether two different users share at least one thread. */
    public boolean shareAThread(String a, String b) {
        if (a.equals(b)) {
            return false;
        }
        Set<String> threadsOfA = threadsByUser.get(a);
        Set<String> threadsOfB = threadsByUser.get(b);
        if (threadsOfA == null || threadsOfB == null) {
            return false;
        }
        Set<String> smaller = threadsOfA.size() <= threadsOfB.size() ? threadsOfA : threadsOfB;
        Set<String> larger = smaller == threadsOfA ? threadsOfB : threadsOfA;
        for (String threadId : smaller) {
            if (larger.contains(threadId)) {
                return true;
            }
        }
        return false;
    }

    /** Members of a thread (read-only view). */
    public Set<String> members(String threadId) {
        return Collections.unmodifiableSet(membersByThread.getOrDefault(threadId, Set.of()));
    }
}
