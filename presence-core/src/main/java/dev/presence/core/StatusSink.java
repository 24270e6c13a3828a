package dev.presence.core;

import java.util.Collection;

/**
 * Where the presence engine sends statuses. The engine has already chosen the recipients: each of them
 * shares a thread with the user and has a live session. Every online/offline flip comes through here, also
 * one that nobody is there to hear (no recipients), so the sink can count them.
 */
@FunctionalInterface
public interface StatusSink {
    /**
     * Delivers {@code status} to every live session of each recipient.
     *
     * @param recipients user ids, never containing the status's own user; empty only for a flip
     * @param status     the status to deliver
     * @param flip       true for an online/offline transition, false when the status is only shown to
     *                   someone who just started sharing a thread with the user
     */
    void deliver(Collection<String> recipients, UserStatus status, boolean flip);
}
