package dev.presence.server.presence;

import dev.presence.core.UserStatus;

import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.BiConsumer;
import java.util.function.Consumer;

/** A status store in memory that records every batch it is given and can be told to refuse them. */
final class FakeStatusStore implements StatusStore {

    final List<String[]> memberships = new ArrayList<>();
    final Map<String, UserStatus> kept = new LinkedHashMap<>();
    final List<List<UserStatus>> batches = new ArrayList<>();
    int failuresToCome;

    FakeStatusStore member(String threadId, String userId) {
        memberships.add(new String[] {threadId, userId});
        return this;
    }

    @Override
    public void forEachMembership(BiConsumer<String, String> action) {
        memberships.forEach(m -> action.accept(m[0], m[1]));
    }

    @Override
    public void forEachStatus(Consumer<UserStatus> action) {
        kept.values().forEach(action);
    }

    @Override
    public synchronized void saveStatuses(Collection<UserStatus> statuses) {
        batches.add(List.copyOf(statuses));
        if (failuresToCome > 0) {
            failuresToCome--;
            throw new IllegalStateException("the disk is slow today");
        }
        statuses.forEach(s -> kept.merge(s.userId(), s, (old, fresh) -> fresh.version() >= old.version() ? fresh : old));
    }
}
