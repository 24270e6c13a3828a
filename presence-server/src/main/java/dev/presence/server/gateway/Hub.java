package dev.presence.server.gateway;

import dev.presence.core.EndReason;
import dev.presence.server.presence.LiveSession;

/**
 * The presence hub as the gateway sees it: told when a session opens and when it ends. A seam, so that a
 * {@link Connection} can be tested on an embedded channel without a hub behind it.
 */
interface Hub {

    /** A session authenticated; the hub answers with its {@code welcome}, the first frame it sends it. */
    void open(LiveSession session, String username);

    /**
     * A session ended.
     *
     * @param lastHeardMillis when anything last arrived on it, on the wall clock (epoch ms)
     */
    void end(LiveSession session, EndReason reason, long lastHeardMillis);
}
