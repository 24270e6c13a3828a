package dev.presence.core;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Set;
import java.util.function.Function;
import java.util.function.Predicate;

/**
 * Who sees whose status: the users who share a thread ({@link Audience}), the statuses as an engine holds
 * them, and who listens (has a live session an engine can deliver to). The rules every engine shares, so a
 * snapshot, a visibility check or a join's deliveries cannot differ between them.
 */
public final class Visibility {

    private final Audience audience;
    private final Function<String, UserStatus> status;
    private final Predicate<String> listens;

    /**
     * @param status  a user's current status, as the engine holds it
     * @param listens whether a user has a live session the engine delivers to
     */
    public Visibility(Audience audience, Function<String, UserStatus> status, Predicate<String> listens) {
        this.audience = audience;
        this.status = status;
        this.listens = listens;
    }

    /** The status of every user who shares a thread with {@code viewer}. */
    public List<UserStatus> snapshot(String viewer) {
        String[] coMembers = audience.coMemberArray(viewer);
        List<UserStatus> statuses = new ArrayList<>(coMembers.length);
        for (String member : coMembers) {
            statuses.add(status.apply(member));
        }
        return statuses;
    }

    /** The statuses of those {@code userIds} who share a thread with {@code viewer}; the others are left out. */
    public List<UserStatus> visibleStatuses(String viewer, Collection<String> userIds) {
        List<UserStatus> statuses = new ArrayList<>();
        for (String userId : userIds) {
            if (audience.shareAThread(viewer, userId)) {
                statuses.add(status.apply(userId));
            }
        }
        return statuses;
    }

    /** The users who share a thread with {@code userId} and listen: the recipients of their flips. */
    public List<String> listeningCoMembers(String userId) {
        String[] coMembers = audience.coMemberArray(userId);
        List<String> listening = new ArrayList<>(coMembers.length);
        for (String member : coMembers) {
            if (listens.test(member)) {
                listening.add(member);
            }
        }
        return listening;
    }

    /**
     * A user joins a thread: the audience learns it, and each side of every new pair that listens is shown the
     * other's current status.
     */
    public List<Delivery> join(String threadId, String userId) {
        Set<String> newlyShared = audience.join(threadId, userId);
        if (newlyShared.isEmpty()) {
            return List.of();
        }
        List<Delivery> deliveries = new ArrayList<>();
        boolean joinerListens = listens.test(userId);
        List<String> watchers = new ArrayList<>(newlyShared.size());
        for (String member : newlyShared) {
            if (listens.test(member)) {
                watchers.add(member);
            }
            if (joinerListens) {
                deliveries.add(new Delivery(List.of(userId), status.apply(member), false));
            }
        }
        if (!watchers.isEmpty()) {
            deliveries.add(new Delivery(watchers, status.apply(userId), false));
        }
        return deliveries;
    }
}
