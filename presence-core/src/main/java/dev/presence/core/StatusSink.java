package dev.presence.core;

/**
 * Where a presence engine sends the deliveries that nobody's call caused: an offline grace that ran out, and
 * (in a cluster) changes made on other nodes. Every flip comes through here or through a call's result,
 * also one that nobody is there to hear (no recipients), so the caller can count them.
 */
@FunctionalInterface
public interface StatusSink {
    /** Delivers {@code delivery}; called on the thread that owns the engine. */
    void deliver(Delivery delivery);
}
