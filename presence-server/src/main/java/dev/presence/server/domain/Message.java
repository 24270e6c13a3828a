package dev.presence.server.domain;

/** A message in a thread; {@code createdAt} in epoch milliseconds. */
public record Message(String id, String threadId, String senderId, String text, long createdAt) {
}
