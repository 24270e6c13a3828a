package dev.presence.server.domain;

import java.util.List;

/** A thread with its members and their current statuses, as the API shows it. */
public record ThreadView(ChatThread thread, List<Member> members) {
}
