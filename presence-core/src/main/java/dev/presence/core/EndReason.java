package dev.presence.core;

/** Why a session ended; it decides whether the user's offline transition waits for the grace period. */
public enum EndReason {
    /** The client sent a close frame (or logged out): counts at once. */
    CLOSED(false),
    /** Nothing arrived for interval + timeout: counts at once, the wait has already happened. */
    TIMED_OUT(false),
    /** The connection broke without a close frame: the user stays online for the offline grace. */
    LOST(true);

    private final boolean graced;

    EndReason(boolean graced) {
        this.graced = graced;
    }

    /** Whether the offline transition waits for the offline grace. */
    public boolean graced() {
        return graced;
    }
}
