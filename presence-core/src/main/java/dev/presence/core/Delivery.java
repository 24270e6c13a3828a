package dev.presence.core;

import java.util.Collection;

/**
 * A status to show to some users: what a presence engine decided, for the caller to send.
 *
 * @param recipients users to tell (each shares a thread with the status's user and has a live session);
 *                   never the status's own user; empty only for a flip nobody is there to hear
 * @param status     the status to show
 * @param flip       true for an online/offline transition, false when the status is only shown to someone
 *                   who just started sharing a thread with the user
 */
public record Delivery(Collection<String> recipients, UserStatus status, boolean flip) {
}
