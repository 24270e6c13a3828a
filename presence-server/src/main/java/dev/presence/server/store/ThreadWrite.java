package dev.presence.server.store;

import dev.presence.server.domain.ChatThread;

import java.util.List;

/**
 * What putting a thread did.
 *
 * @param thread  the thread as it is now
 * @param created the thread did not exist before
 * @param added   members who were not in it before, in the order given
 * @param removed members who are no longer in it
 */
public record ThreadWrite(ChatThread thread, boolean created, List<String> added, List<String> removed) {

    public ThreadWrite {
        added = List.copyOf(added);
        removed = List.copyOf(removed);
    }
}
