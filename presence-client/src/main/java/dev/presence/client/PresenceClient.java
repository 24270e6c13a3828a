package dev.presence.client;

import com.fasterxml.jackson.databind.JsonNode;
import dev.presence.client.api.PresenceApi;
import dev.presence.client.transport.HandshakeRejectedException;
import dev.presence.client.transport.JdkTransport;
import dev.presence.client.transport.Link;
import dev.presence.client.transport.LinkListener;
import dev.presence.client.transport.Transport;

import java.io.IOException;
import java.lang.System.Logger.Level;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * A WebSocket connection to the presence server that stays up: it reconnects forever with {@link Backoff}
 * (unless told otherwise), moving round robin over the server addresses it was given, watches liveness (no
 * data for {@code interval + timeout} from the welcome means a dead link, which is aborted and replaced),
 * answers {@code ping} with {@code pong}, and hands each server message to the handlers registered for its type.
 *
 * <pre>{@code
 * PresenceClient client = PresenceClient.builder(serverWsUri, token).listener(myListener).build();
 * client.registerMessageHandler("user_status_changed", msg -> ...);
 * client.connect();
 * ...
 * client.close(); // stops all reconnects
 * }</pre>
 *
 * <p>Threading: all state changes, handler and listener calls happen on one event loop thread, in order.
 * The public methods may be called from any thread; they take effect on the loop, so right after
 * {@link #close()} the state may still read as before for a moment ({@link #awaitClosed} waits for it).
 *
 * <p>Several addresses (the nodes of a cluster): {@code builder(List.of(node1, node2, node3), token)}. The client
 * starts at a random one, so a fleet of clients spreads over the nodes, and moves to the next after every failed
 * attempt or lost link.
 *
 * <p>It never reconnects after close code 4401 (token refused or revoked) nor after {@link #close()}. After 1012
 * (server restarting) on a welcomed link it reconnects, to the next address, after a short jittered delay (100 to
 * 1,000 ms: well inside the server's default 3 s offline grace, so a rolling restart is invisible to others);
 * after any other loss, after a jittered backoff delay. See {@link ReconnectPolicy}.
 */
public final class PresenceClient implements AutoCloseable {

    /** Close code: authentication failed or token revoked. */
    public static final int UNAUTHORIZED = 4401;
    /** Close code: the server is restarting. */
    public static final int SERVICE_RESTART = 1012;
    /** Pseudo close code reported when a link ended without a close frame. */
    public static final int NO_CLOSE_FRAME = -1;

    private static final System.Logger LOG = System.getLogger(PresenceClient.class.getName());
    private static final String PONG = "{\"type\":\"pong\"}";

    private final ServerRotation servers;
    private final String token;
    private final Transport transport;
    private final EventLoop loop;
    private final boolean ownsLoop;
    private final ReconnectPolicy policy;
    private final Duration handshakeTimeout;
    private final List<ConnectionListener> listeners = new CopyOnWriteArrayList<>();
    private final Map<String, List<MessageHandler>> handlers = new ConcurrentHashMap<>();
    private final CountDownLatch closedLatch = new CountDownLatch(1);

    private volatile ConnectionState state = ConnectionState.DISCONNECTED;
    private volatile boolean autoReconnect;
    private volatile boolean closeRequested;
    private volatile Welcome welcome;
    private volatile URI currentServer;

    // confined to the event loop
    private boolean wanted;
    private boolean lostSinceWelcome;
    private long generation;
    private Link link;
    private long lastInbound;
    private long welcomedAt = -1;
    private long livenessDeadline;
    private EventLoop.Cancellable reconnectTimer;
    private EventLoop.Cancellable livenessTimer;
    private EventLoop.Cancellable handshakeTimer;

    private PresenceClient(Builder b) {
        this.token = b.token;
        this.transport = b.transport != null ? b.transport : JdkTransport.create();
        this.ownsLoop = b.loop == null;
        this.loop = b.loop != null ? b.loop : EventLoop.singleThread("presence-client");
        this.policy = b.policy != null ? b.policy : ReconnectPolicy.standard();
        this.servers = new ServerRotation(b.uris, policy.random());
        this.currentServer = servers.current();
        this.handshakeTimeout = b.handshakeTimeout;
        this.autoReconnect = b.autoReconnect;
        this.listeners.addAll(b.listeners);
    }

    /** A builder for a client of the WebSocket at {@code wsUri} ({@code ws://host:port/ws}) using {@code token}. */
    public static Builder builder(URI wsUri, String token) {
        return new Builder(List.of(Objects.requireNonNull(wsUri, "wsUri")), token);
    }

    /**
     * A builder for a client of several servers serving the same API (the nodes of a cluster), each given by its
     * WebSocket URI; the client starts at a random one and moves round robin.
     */
    public static Builder builder(List<URI> wsUris, String token) {
        return new Builder(wsUris, token);
    }

    /** A builder for a client of the server(s) behind {@code api}, with its token and HTTP client. */
    public static Builder builder(PresenceApi api) {
        String token = api.token().orElseThrow(() -> new IllegalArgumentException("the API has no token"));
        return new Builder(api.webSocketUris(), token).transport(new JdkTransport(api.httpClient()));
    }

    // ---- public API (any thread)

    /** Starts connecting (and reconnecting, if enabled). No effect if already started. */
    public void connect() {
        if (closeRequested) {
            throw new IllegalStateException("the client is closed");
        }
        loop.execute(() -> {
            if (closeRequested || state == ConnectionState.CLOSED) {
                return;
            }
            wanted = true;
            if (state == ConnectionState.DISCONNECTED) {
                startAttempt();
            }
        });
    }

    /** True while the server's welcome has been received and the link is believed alive. */
    public boolean isConnected() {
        return state == ConnectionState.CONNECTED && !closeRequested;
    }

    /** The current state. */
    public ConnectionState state() {
        return state;
    }

    /** The server addresses, in the order the client takes them. */
    public List<URI> servers() {
        return servers.all();
    }

    /** The address of the current link, or of the next attempt while disconnected. */
    public URI currentServer() {
        return currentServer;
    }

    /** The welcome of the current connection, if connected. */
    public Optional<Welcome> welcome() {
        return Optional.ofNullable(welcome);
    }

    /**
     * Calls {@code handler} with every server message of {@code type} (for example {@code user_status_changed},
     * {@code welcome}, {@code message_created}), on the event loop. Several handlers per type are allowed.
     */
    public Registration registerMessageHandler(String type, MessageHandler handler) {
        Objects.requireNonNull(type, "type");
        Objects.requireNonNull(handler, "handler");
        List<MessageHandler> list = handlers.computeIfAbsent(type, t -> new CopyOnWriteArrayList<>());
        list.add(handler);
        return () -> list.remove(handler);
    }

    /** Adds a listener. */
    public void addListener(ConnectionListener listener) {
        listeners.add(Objects.requireNonNull(listener, "listener"));
    }

    /** Removes a listener. */
    public void removeListener(ConnectionListener listener) {
        listeners.remove(listener);
    }

    /** Stops reconnecting: a lost link leaves the client {@link ConnectionState#DISCONNECTED}; a pending wait is called off. */
    public void disableAutoReconnect() {
        autoReconnect = false;
        loop.execute(() -> {
            if (state == ConnectionState.WAITING_TO_RECONNECT) {
                cancel(reconnectTimer);
                reconnectTimer = null;
                setState(ConnectionState.DISCONNECTED);
            }
        });
    }

    /** Reconnects again after losses; if the client is disconnected after a loss, schedules a reconnect. */
    public void enableAutoReconnect() {
        autoReconnect = true;
        loop.execute(() -> {
            if (wanted && !closeRequested && state == ConnectionState.DISCONNECTED) {
                scheduleReconnect(policy.delayAfterLossMillis(NO_CLOSE_FRAME, false, 0));
            }
        });
    }

    /** True if lost links are reconnected. */
    public boolean isAutoReconnectEnabled() {
        return autoReconnect;
    }

    /**
     * Tries now instead of waiting out the backoff delay (for an app that learns the network is back). Also
     * reconnects a client left disconnected with auto-reconnect off. No effect while connecting or connected.
     */
    public void reconnectNow() {
        loop.execute(() -> {
            if (closeRequested || !wanted) {
                return;
            }
            if (state == ConnectionState.WAITING_TO_RECONNECT || state == ConnectionState.DISCONNECTED) {
                cancel(reconnectTimer);
                reconnectTimer = null;
                startAttempt();
            }
        });
    }

    /** Closes the connection (close code 1000) and stops every reconnect, for good. */
    @Override
    public void close() {
        if (closeRequested) {
            return;
        }
        closeRequested = true;
        loop.execute(() -> terminate(1000, "closed by the client"));
    }

    /** Waits until the client has reached {@link ConnectionState#CLOSED}. */
    public boolean awaitClosed(Duration timeout) throws InterruptedException {
        return closedLatch.await(timeout.toMillis(), TimeUnit.MILLISECONDS);
    }

    /** Handle of a registered message handler. */
    @FunctionalInterface
    public interface Registration {
        /** Stops calling the handler. */
        void remove();
    }

    // ---- state machine (event loop only)

    private void startAttempt() {
        cancelTimers();
        long gen = ++generation;
        boolean reconnecting = lostSinceWelcome;
        if (reconnecting) {
            LOG.log(Level.INFO, "Attempting reconnection...");
            int attempt = Math.max(1, policy.attempts());
            listeners.forEach(l -> safely(() -> l.onReconnectAttempt(this, attempt)));
        }
        setState(ConnectionState.CONNECTING);
        LinkListener events = new LinkListener() {
            @Override
            public void onOpen(Link opened) {
                loop.execute(() -> opened(gen, opened));
            }

            @Override
            public void onText(String text) {
                loop.execute(() -> received(gen, text));
            }

            @Override
            public void onActivity() {
                loop.execute(() -> {
                    if (gen == generation) {
                        lastInbound = loop.nowMillis();
                    }
                });
            }

            @Override
            public void onClosed(int code, String reason) {
                loop.execute(() -> closedByServer(gen, code, reason));
            }

            @Override
            public void onFailure(Throwable error) {
                loop.execute(() -> failed(gen, error));
            }
        };
        // covers the upgrade and the welcome: a blackholed network can accept TCP and then say nothing
        handshakeTimer = loop.schedule(handshakeTimeout.toMillis(), () -> {
            if (gen == generation && state == ConnectionState.CONNECTING) {
                lost(NO_CLOSE_FRAME, "no welcome within " + handshakeTimeout.toMillis() + " ms");
            }
        });
        CompletableFuture<Link> opening;
        try {
            URI uri = servers.current();
            currentServer = uri;
            opening = transport.open(uri, Map.of("Authorization", "Bearer " + token), handshakeTimeout, events);
        } catch (RuntimeException e) {
            opening = CompletableFuture.failedFuture(e);
        }
        opening.whenComplete((ok, error) -> {
            if (error != null) {
                loop.execute(() -> failed(gen, error));
            }
        });
    }

    private void opened(long gen, Link opened) {
        if (gen != generation || closeRequested) {
            opened.abort();
            return;
        }
        link = opened;
        lastInbound = loop.nowMillis();
    }

    private void received(long gen, String text) {
        if (gen != generation || closeRequested) {
            return;
        }
        lastInbound = loop.nowMillis();
        JsonNode message;
        try {
            message = PresenceApi.JSON.readTree(text);
        } catch (IOException e) {
            LOG.log(Level.WARNING, "Ignoring a frame that is not JSON: " + abbreviate(text));
            return;
        }
        String type = ServerMessages.type(message);
        if ("ping".equals(type) && link != null) {
            link.sendText(PONG);
        } else if ("error".equals(type)) {
            LOG.log(Level.WARNING, "The server reported an error: " + message.path("code").asText("")
                    + " " + message.path("message").asText(""));
        }
        Welcome welcomed = "welcome".equals(type) ? ServerMessages.welcome(message) : null;
        for (MessageHandler handler : handlers.getOrDefault(type, List.of())) {
            safely(() -> handler.onMessage(message));
        }
        if (welcomed != null && gen == generation) {
            welcomed(gen, welcomed);
        }
        listeners.forEach(l -> safely(() -> l.onMessage(this, type, message)));
        if (welcomed != null && gen == generation) {
            listeners.forEach(l -> safely(() -> l.onConnected(this, welcomed)));
        }
    }

    private void welcomed(long gen, Welcome w) {
        cancel(handshakeTimer);
        handshakeTimer = null;
        int attempts = policy.attempts();
        policy.connected();
        welcomedAt = loop.nowMillis();
        welcome = w;
        livenessDeadline = Math.max(1, w.livenessDeadline().toMillis());
        scheduleLivenessCheck(gen, livenessDeadline);
        boolean reconnected = lostSinceWelcome;
        lostSinceWelcome = false;
        setState(ConnectionState.CONNECTED);
        if (reconnected) {
            LOG.log(Level.INFO, "Reconnection successful after " + attempts + (attempts == 1 ? " attempt" : " attempts"));
            listeners.forEach(l -> safely(() -> l.onReconnected(this, attempts)));
        }
    }

    private void scheduleLivenessCheck(long gen, long delay) {
        livenessTimer = loop.schedule(delay, () -> {
            if (gen != generation || state != ConnectionState.CONNECTED) {
                return;
            }
            long idle = loop.nowMillis() - lastInbound;
            if (idle >= livenessDeadline) {
                LOG.log(Level.WARNING, "Nothing received for " + idle + " ms (limit " + livenessDeadline
                        + " ms): the connection is dead");
                lost(NO_CLOSE_FRAME, "nothing received for " + idle + " ms");
            } else {
                scheduleLivenessCheck(gen, livenessDeadline - idle);
            }
        });
    }

    private void closedByServer(long gen, int code, String reason) {
        if (gen != generation || closeRequested) {
            return;
        }
        link = null; // the JDK answers the close frame itself
        if (code == UNAUTHORIZED) {
            LOG.log(Level.WARNING, "The server refused the token (4401 " + reason + "): not reconnecting");
            terminate(UNAUTHORIZED, reason);
        } else {
            lost(code, reason);
        }
    }

    private void failed(long gen, Throwable error) {
        if (gen != generation || closeRequested) {
            return;
        }
        Throwable cause = error instanceof CompletionException && error.getCause() != null ? error.getCause() : error;
        if (cause instanceof HandshakeRejectedException rejected && rejected.status() == 401) {
            LOG.log(Level.WARNING, "The server refused the token (HTTP 401): not reconnecting");
            terminate(UNAUTHORIZED, "upgrade rejected with HTTP 401");
            return;
        }
        lost(NO_CLOSE_FRAME, String.valueOf(cause.getMessage() != null ? cause.getMessage() : cause));
    }

    /** The link is gone (or never came up): drop it and reconnect if allowed. */
    private void lost(int code, String reason) {
        boolean wasConnected = state == ConnectionState.CONNECTED;
        long upMillis = wasConnected ? loop.nowMillis() - welcomedAt : 0;
        generation++; // whatever the old link still reports is stale now
        if (link != null) {
            link.abort();
            link = null;
        }
        cancelTimers();
        welcome = null;
        lostSinceWelcome = true;
        URI from = servers.current();
        servers.advance(); // the next attempt goes elsewhere: this address just failed us
        currentServer = servers.current();
        if (wasConnected) {
            LOG.log(Level.INFO, "Disconnected from " + from + " (" + code + "): " + reason);
            listeners.forEach(l -> safely(() -> l.onDisconnected(this, code, reason)));
        } else {
            LOG.log(Level.DEBUG, () -> "Connection attempt to " + from + " failed: " + reason);
        }
        if (autoReconnect && !closeRequested) {
            scheduleReconnect(policy.delayAfterLossMillis(code, wasConnected, upMillis));
        } else {
            setState(ConnectionState.DISCONNECTED);
        }
    }

    private void scheduleReconnect(long delay) {
        int attempt = policy.attempts();
        long gen = generation;
        LOG.log(Level.INFO, "Reconnecting in " + formatDelay(delay) + " (attempt " + attempt
                + (servers.all().size() > 1 ? ", to " + currentServer : "") + ")");
        setState(ConnectionState.WAITING_TO_RECONNECT);
        listeners.forEach(l -> safely(() -> l.onReconnectScheduled(this, attempt, Duration.ofMillis(delay))));
        reconnectTimer = loop.schedule(delay, () -> {
            if (gen == generation && state == ConnectionState.WAITING_TO_RECONNECT && !closeRequested) {
                reconnectTimer = null;
                startAttempt();
            }
        });
    }

    private void terminate(int code, String reason) {
        if (state == ConnectionState.CLOSED) {
            return;
        }
        closeRequested = true;
        generation++;
        cancelTimers();
        if (link != null) {
            link.close(1000, "bye");
            link = null;
        }
        welcome = null;
        setState(ConnectionState.CLOSED);
        listeners.forEach(l -> safely(() -> l.onClosed(this, code, reason)));
        closedLatch.countDown();
        if (ownsLoop) {
            loop.shutdown();
        }
    }

    private void cancelTimers() {
        cancel(reconnectTimer);
        cancel(livenessTimer);
        cancel(handshakeTimer);
        reconnectTimer = null;
        livenessTimer = null;
        handshakeTimer = null;
    }

    private void setState(ConnectionState next) {
        ConnectionState previous = state;
        if (previous == next) {
            return;
        }
        state = next;
        listeners.forEach(l -> safely(() -> l.onStateChanged(this, previous, next)));
    }

    private static void cancel(EventLoop.Cancellable timer) {
        if (timer != null) {
            timer.cancel();
        }
    }

    private static void safely(Runnable call) {
        try {
            call.run();
        } catch (RuntimeException e) {
            LOG.log(Level.ERROR, "A listener or message handler failed", e);
        }
    }

    /** {@code 2000} → {@code 2s}, {@code 1500} → {@code 1.5s}. */
    static String formatDelay(long millis) {
        if (millis % 1000 == 0) {
            return (millis / 1000) + "s";
        }
        return String.format(Locale.ROOT, "%.1fs", millis / 1000.0);
    }

    private static String abbreviate(String text) {
        return text.length() <= 200 ? text : text.substring(0, 200) + "...";
    }

    /** Configures a {@link PresenceClient}. */
    public static final class Builder {
        private final List<URI> uris;
        private final String token;
        private final List<ConnectionListener> listeners = new ArrayList<>();
        private Transport transport;
        private EventLoop loop;
        private ReconnectPolicy policy;
        private Duration handshakeTimeout = Duration.ofSeconds(10);
        private boolean autoReconnect = true;

        private Builder(List<URI> uris, String token) {
            this.uris = List.copyOf(uris);
            if (this.uris.isEmpty()) {
                throw new IllegalArgumentException("need at least one server address");
            }
            this.token = Objects.requireNonNull(token, "token");
        }

        /** Adds a listener. */
        public Builder listener(ConnectionListener listener) {
            listeners.add(Objects.requireNonNull(listener, "listener"));
            return this;
        }

        /**
         * The reconnect schedule after failures; default {@link Backoff#standard()} (1 s doubling to 30 s, jitter
         * 0.5). The quick delay after 1012 keeps its defaults ({@link ReconnectPolicy#of}) and draws from this
         * backoff's random source.
         */
        public Builder backoff(Backoff value) {
            this.policy = ReconnectPolicy.of(Objects.requireNonNull(value, "backoff"));
            return this;
        }

        /**
         * The whole reconnect policy (backoff and the quick delay after 1012); default
         * {@link ReconnectPolicy#standard()}.
         */
        public Builder reconnectPolicy(ReconnectPolicy value) {
            this.policy = Objects.requireNonNull(value, "policy");
            return this;
        }

        /**
         * How WebSockets are opened; default the JDK's client, on an {@code HttpClient} of this client's own. Many
         * clients in one JVM should share one: {@code transport(new JdkTransport(sharedHttpClient))}.
         */
        public Builder transport(Transport value) {
            this.transport = value;
            return this;
        }

        /** The loop, clock and timers the client runs on; default a daemon thread of its own. */
        public Builder eventLoop(EventLoop value) {
            this.loop = value;
            return this;
        }

        /** How long the upgrade plus the server's welcome may take before the attempt counts as failed. */
        public Builder handshakeTimeout(Duration value) {
            if (value.isZero() || value.isNegative()) {
                throw new IllegalArgumentException("handshake timeout must be positive");
            }
            this.handshakeTimeout = value;
            return this;
        }

        /** Whether lost links are reconnected (default true). */
        public Builder autoReconnect(boolean value) {
            this.autoReconnect = value;
            return this;
        }

        public PresenceClient build() {
            return new PresenceClient(this);
        }
    }
}
