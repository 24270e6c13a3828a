package dev.presence.client.transport;

import java.net.URI;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

/**
 * Opens WebSockets. The default is {@link JdkTransport} ({@code java.net.http}); another implementation (say
 * on OkHttp for Android) or a fake in tests can be given to the client instead.
 */
public interface Transport {
    /**
     * Opens a WebSocket to {@code uri}.
     *
     * @param headers extra headers of the upgrade request (for example {@code Authorization})
     * @param timeout how long the opening handshake may take
     * @return the open link, or a failure; a refused upgrade fails with {@link HandshakeRejectedException}
     */
    CompletableFuture<Link> open(URI uri, Map<String, String> headers, Duration timeout, LinkListener listener);
}
