package dev.presence.server.domain;

/** A user as a valid login token names them. */
public record Identity(String userId, String username, String tokenHash) {
}
