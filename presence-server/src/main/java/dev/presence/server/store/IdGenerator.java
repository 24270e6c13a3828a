package dev.presence.server.store;

import dev.presence.server.domain.Ids;

/** Makes the ids of new users, threads, invitations and messages; injected, so tests can know or predict them. */
@FunctionalInterface
public interface IdGenerator {

    /** A new id, unique among all ids this generator makes, that starts with {@code prefix} and {@code _}. */
    String newId(String prefix);

    /** Random ids ({@link Ids#newId}), as the server makes them. */
    static IdGenerator random() {
        return Ids::newId;
    }
}
