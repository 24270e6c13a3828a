package dev.presence.client;

import dev.presence.client.api.UserStatus;

import java.time.Duration;
import java.util.List;

/**
 * The server's first message on every connection.
 *
 * @param sessionId         this connection's session
 * @param userId            who we are
 * @param heartbeatInterval how often the server pings
 * @param heartbeatTimeout  how much longer than an interval silence may last before the link is dead
 * @param presence          the status of every user who shares a thread with us (a full snapshot)
 */
public record Welcome(String sessionId, String userId, Duration heartbeatInterval, Duration heartbeatTimeout,
                      List<UserStatus> presence) {
    public Welcome {
        presence = List.copyOf(presence);
    }

    /** Silence longer than this means the link is dead. */
    public Duration livenessDeadline() {
        return heartbeatInterval.plus(heartbeatTimeout);
    }
}
