package dev.presence.server;

import com.fasterxml.jackson.databind.JsonNode;
import dev.presence.server.support.Api.Account;
import dev.presence.server.support.TestServer;
import dev.presence.server.support.WsProbe;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import static dev.presence.server.support.TestServer.SHORT_INTERVAL;
import static dev.presence.server.support.TestServer.SHORT_TIMEOUT;
import static org.assertj.core.api.Assertions.assertThat;

/** "last seen" is when the user was last heard from, not when the server noticed they were gone. */
class LastSeenTest {

    @RegisterExtension
    final TestServer server = TestServer.create().shortHeartbeat();

    @Test
    void afterAHeartbeatTimeoutLastSeenIsTheLastFrameNotTheMomentOfTheTimeout() {
        Account ann = server.api().signUp("ann");
        Account bob = server.api().signUp("bob");
        server.api().threadOf("pair", ann, bob);
        try (WsProbe watcher = WsProbe.online("bob", server.wsUri(), bob.token());
             WsProbe a = WsProbe.online("ann", server.wsUri(), ann.token())) {
            watcher.awaitStatus(ann.id(), true);

            a.stopAnsweringPings();
            long beforeLastFrame = System.currentTimeMillis();
            a.sendJson("pong"); // the last sign of life; then silence until the server gives up
            JsonNode offline = watcher.awaitStatus(ann.id(), false);
            long offlineReceived = System.currentTimeMillis();

            long lastSeen = offline.path("last_seen").asLong();
            assertThat(lastSeen).as("last seen is not before the last frame was sent")
                    .isGreaterThanOrEqualTo(beforeLastFrame);
            // the server waits interval + timeout of silence before it ends the session; the moment it noticed
            // is at least that long after the last frame, and no earlier than the event's arrival shows
            long silence = SHORT_INTERVAL.plus(SHORT_TIMEOUT).toMillis();
            assertThat(lastSeen).as("last seen is the last frame, not the timeout (%d ms of silence later)", silence)
                    .isLessThanOrEqualTo(offlineReceived - silence + 100);
        }
    }
}
