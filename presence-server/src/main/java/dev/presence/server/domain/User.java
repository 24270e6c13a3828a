package dev.presence.server.domain;

/** A person who can log in. The password hash never leaves the store. */
public record User(String id, String username, String displayName) {
}
