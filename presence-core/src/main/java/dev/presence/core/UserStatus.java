package dev.presence.core;

/**
 * What watchers know of a user: online or not, when last seen (epoch ms) and the version that orders
 * statuses of this user (strictly increasing per user).
 */
public record UserStatus(String userId, boolean online, long lastSeen, long version) {
}
