package dev.presence.client;

import dev.presence.client.transport.HandshakeRejectedException;
import dev.presence.client.transport.Link;
import dev.presence.client.transport.LinkListener;
import dev.presence.client.transport.Transport;

import java.net.ConnectException;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.function.LongSupplier;

/** A transport whose server is the test: every open is recorded and completed by hand (or refused at once). */
final class FakeTransport implements Transport {

    final List<Attempt> attempts = new ArrayList<>();
    private final LongSupplier clock;
    boolean refuseAll;
    /** Addresses whose server is down: attempts there are refused at once. */
    final Set<URI> down = new HashSet<>();

    FakeTransport(LongSupplier clock) {
        this.clock = clock;
    }

    @Override
    public CompletableFuture<Link> open(URI uri, Map<String, String> headers, Duration timeout, LinkListener listener) {
        Attempt attempt = new Attempt(uri, clock.getAsLong(), headers, listener);
        attempts.add(attempt);
        if (refuseAll || down.contains(uri)) {
            attempt.future.completeExceptionally(new ConnectException("Connection refused"));
        }
        return attempt.future;
    }

    Attempt last() {
        return attempts.get(attempts.size() - 1);
    }

    List<Long> attemptTimes() {
        return attempts.stream().map(a -> a.at).toList();
    }

    List<URI> attemptUris() {
        return attempts.stream().map(a -> a.uri).toList();
    }

    static final class Attempt implements Link {
        final URI uri;
        final long at;
        final Map<String, String> headers;
        final LinkListener listener;
        final CompletableFuture<Link> future = new CompletableFuture<>();
        final List<String> sent = new ArrayList<>();
        boolean aborted;
        Integer closedWith;

        Attempt(URI uri, long at, Map<String, String> headers, LinkListener listener) {
            this.uri = uri;
            this.at = at;
            this.headers = headers;
            this.listener = listener;
        }

        Attempt accept() {
            listener.onOpen(this);
            future.complete(this);
            return this;
        }

        Attempt welcome(long intervalMs, long timeoutMs) {
            return send("{\"type\":\"welcome\",\"session_id\":\"s1\",\"user_id\":\"u-me\",\"heartbeat\":{"
                    + "\"interval_ms\":" + intervalMs + ",\"timeout_ms\":" + timeoutMs + "},\"presence\":[]}");
        }

        Attempt send(String json) {
            listener.onText(json);
            return this;
        }

        void refuse() {
            future.completeExceptionally(new ConnectException("Connection refused"));
        }

        void reject(int httpStatus) {
            future.completeExceptionally(new HandshakeRejectedException(httpStatus, null));
        }

        void serverCloses(int code, String reason) {
            listener.onClosed(code, reason);
        }

        void drop() {
            listener.onFailure(new java.io.IOException("Connection reset"));
        }

        @Override
        public void sendText(String text) {
            sent.add(text);
        }

        @Override
        public void close(int code, String reason) {
            closedWith = code;
        }

        @Override
        public void abort() {
            aborted = true;
        }
    }
}
