package dev.presence.client;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

/** Remembers what a client reported, for assertions from the test thread. */
final class RecordingListener extends ConnectionListener {
    final List<String> events = new CopyOnWriteArrayList<>();
    final List<Integer> disconnectCodes = new CopyOnWriteArrayList<>();
    final AtomicInteger welcomes = new AtomicInteger();
    final AtomicInteger attempts = new AtomicInteger();
    final AtomicInteger reconnects = new AtomicInteger();
    volatile Integer closedWith;

    @Override
    public void onStateChanged(PresenceClient client, ConnectionState from, ConnectionState to) {
        events.add(to.name());
    }

    @Override
    public void onConnected(PresenceClient client, Welcome welcome) {
        welcomes.incrementAndGet();
    }

    @Override
    public void onDisconnected(PresenceClient client, int code, String reason) {
        disconnectCodes.add(code);
        events.add("disconnected " + code + " " + reason);
    }

    @Override
    public void onReconnectScheduled(PresenceClient client, int attempt, Duration delay) {
        events.add("scheduled " + attempt + " in " + delay.toMillis());
    }

    @Override
    public void onReconnectAttempt(PresenceClient client, int attempt) {
        attempts.incrementAndGet();
    }

    @Override
    public void onReconnected(PresenceClient client, int attempts) {
        reconnects.incrementAndGet();
    }

    @Override
    public void onClosed(PresenceClient client, int code, String reason) {
        closedWith = code;
        events.add("closed " + code);
    }
}
