package dev.presence.core;

/**
 * The time source of the presence domain. Injected so that tests move time by hand and never sleep.
 */
@FunctionalInterface
public interface Clock {
    /** Milliseconds since the Unix epoch. */
    long millis();

    /** The wall clock. */
    static Clock system() {
        return System::currentTimeMillis;
    }
}
