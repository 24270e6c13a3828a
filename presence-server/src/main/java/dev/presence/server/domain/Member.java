package dev.presence.server.domain;

import dev.presence.core.UserStatus;

/** A member of a thread: the user and their current status. */
public record Member(User user, UserStatus status) {
}
