package dev.presence.browser;

import dev.presence.server.support.TestServer;

import java.time.Duration;

/**
 * The server the pages talk to: a {@link TestServer} with a heartbeat short enough that a dead network is noticed
 * within {@link #INTERVAL} + {@link #TIMEOUT}. With {@code -Dpresence.baseUri=http://host:port} the tests use a
 * server that is already running instead (it must use the same heartbeat settings).
 */
final class PageServer {

    static final Duration INTERVAL = Duration.ofSeconds(1);
    static final Duration TIMEOUT = Duration.ofSeconds(1);
    static final Duration OFFLINE_GRACE = Duration.ofMillis(300);

    private PageServer() {
    }

    /** Not started yet: register it as an extension, or start it by hand. */
    static TestServer create() {
        return TestServer.create()
                .with(b -> b.heartbeat(INTERVAL, TIMEOUT).offlineGrace(OFFLINE_GRACE))
                .external(System.getProperty("presence.baseUri", ""));
    }
}
