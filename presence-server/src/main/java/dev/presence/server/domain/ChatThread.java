package dev.presence.server.domain;

/** A conversation; sharing one is what lets two users see each other's status. */
public record ChatThread(String id, String title) {
}
