package dev.presence.server.presence;

import dev.presence.core.LocalPresenceEngine;
import dev.presence.server.metrics.ServerMetrics;
import dev.presence.server.store.ChatStore;
import dev.presence.server.store.JdbcChatStore;

import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.Executors;

/**
 * Hubs for tests of what a crash leaves behind: each on a thread of its own over one real embedded store, and a view
 * of that store whose status saves always fail, so the write-behind never catches up and only the status journal
 * holds the latest statuses when the test "crashes" (closes the journal of a hub that is never closed itself). Every hub has the users {@code u_ann},
 * {@code u_bob} and {@link #LONG_ID} in thread {@code t1}.
 */
final class CrashingHubs implements AutoCloseable {

    /** An app's own id in integration mode, as long as they may be (128 bytes): journaled in the long file. */
    static final String LONG_ID = "org:acme.users-" + "x".repeat(113);

    final JdbcChatStore real = JdbcChatStore.open("jdbc:h2:mem:crash" + UUID.randomUUID() + ";DB_CLOSE_DELAY=-1", null);
    /** The real store, except that saving statuses always fails. */
    final ChatStore neverSaves = (ChatStore) Proxy.newProxyInstance(ChatStore.class.getClassLoader(),
            new Class<?>[] {ChatStore.class}, (proxy, method, args) -> {
                if (method.getName().equals("saveStatuses")) {
                    throw new IllegalStateException("the disk is slow today");
                }
                try {
                    return method.invoke(real, args);
                } catch (InvocationTargetException e) {
                    throw e.getCause();
                }
            });
    private final List<PresenceHub> hubs = new ArrayList<>();
    private final List<HubThread> threads = new ArrayList<>();

    /** A hub on that store and journal; {@code flipsSaved} non-null keeps flips for the webhooks. */
    PresenceHub hub(StatusStore store, StatusJournal journal, Runnable flipsSaved) {
        HubThread thread = new HubThread();
        threads.add(thread);
        HubLoop loop = thread.loop();
        PresenceHub hub = new PresenceHub(loop, sink -> new LocalPresenceEngine(loop.clock(), loop.scheduler(),
                60_000, sink), store, journal, Executors.newSingleThreadExecutor(), new ServerMetrics(),
                new PresenceHub.Heartbeat(20_000, 10_000), local -> local, flipsSaved);
        hubs.add(hub);
        hub.joined("t1", "u_ann");
        hub.joined("t1", "u_bob");
        hub.joined("t1", LONG_ID);
        return hub;
    }

    @Override
    public void close() {
        hubs.forEach(PresenceHub::close);
        threads.forEach(HubThread::close);
        real.close();
    }
}
