package dev.presence.server.webhook;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import dev.presence.server.metrics.ServerMetrics;
import dev.presence.server.store.WebhookOutbox;
import dev.presence.server.store.WebhookOutbox.Change;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Sends the webhook outbox to the app: on a thread of its own, never the hub's or an event loop's, so a slow or
 * dead receiver delays nothing but webhooks. Of all nodes on one database, only the holder of the lease row
 * sends. Each user's changes go one at a time, oldest version first: the next only after the previous got a
 * 2xx; different users go in parallel, up to {@link WebhookSettings#maxInFlight()} POSTs at once. A failure (a
 * non-2xx, a timeout, a refused connection) puts that user's head back with a growing wait kept in the
 * database; a change older than {@link WebhookSettings#maxAge()} that fails again is dropped, logged and counted.
 *
 * <p>All state is touched on the sender's thread only; HTTP answers come back to it.
 */
public final class WebhookDispatcher implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(WebhookDispatcher.class);
    /** The depth gauge counts at most this many rows: its query stays cheap however large a backlog grows. */
    private static final int BACKLOG_COUNT_LIMIT = 100_000;
    private static final long BACKLOG_REFRESH_MILLIS = 1000;
    private static final long FAILURE_LOG_MILLIS = 10_000;
    private static final JsonFactory JSON = new JsonFactory();

    private final WebhookOutbox outbox;
    private final WebhookSettings settings;
    private final WebhookSigner signer;
    /** This incarnation's name on the lease: a restarted node is a new holder. */
    private final String holder;
    private final ScheduledExecutorService thread;
    private final ExecutorService httpThreads;
    private final HttpClient http;
    private final AtomicBoolean wakeQueued = new AtomicBoolean();
    private final Set<String> inFlight = new HashSet<>();
    private final AtomicLong failures = new AtomicLong();
    private final AtomicLong delivered = new AtomicLong();
    private final AtomicLong dropped = new AtomicLong();
    /** Held here because the metrics registry holds a counter's source only weakly. */
    private final List<java.util.function.Supplier<Number>> counterSources = List.of(failures::get, delivered::get,
            dropped::get);
    private volatile long depth;
    private volatile long oldestCreatedAt;
    private volatile boolean closed;
    private boolean leader;
    private long leaseRenewAt;
    private long backlogAt;
    private long failureLoggedAt;

    /**
     * @param nodeName this node's name, for the lease row and logs
     */
    public WebhookDispatcher(WebhookOutbox outbox, WebhookSettings settings, String nodeName, ServerMetrics metrics) {
        this.outbox = outbox;
        this.settings = settings;
        this.signer = new WebhookSigner(settings.secret());
        this.holder = nodeName + "/" + UUID.randomUUID().toString().substring(0, 8);
        this.thread = Executors.newSingleThreadScheduledExecutor(r -> daemon(r, "presence-webhooks"));
        this.httpThreads = Executors.newFixedThreadPool(2, r -> daemon(r, "presence-webhooks-http"));
        this.http = HttpClient.newBuilder()
                .connectTimeout(settings.requestTimeout())
                .followRedirects(HttpClient.Redirect.NEVER)
                .executor(httpThreads)
                .build();
        metrics.gauge("presence_webhook_queue_depth", "Status changes waiting to be POSTed to the webhook"
                + " (counted by the sending node; 0 on the others)", () -> depth);
        metrics.gauge("presence_webhook_oldest_undelivered_age_seconds", "Age of the oldest change waiting for the"
                + " webhook (seen by the sending node; 0 on the others)", this::oldestAgeSeconds);
        metrics.counter("presence_webhook_failures_total", "Webhook POSTs that failed (non-2xx, timeout,"
                + " connection error)", counterSources.get(0));
        metrics.counter("presence_webhook_delivered_total", "Webhook POSTs answered with a 2xx",
                counterSources.get(1));
        metrics.counter("presence_webhook_dropped_total", "Changes dropped after failing for longer than the"
                + " retry period", counterSources.get(2));
    }

    private static Thread daemon(Runnable r, String name) {
        Thread t = new Thread(r, name);
        t.setDaemon(true);
        return t;
    }

    /** Starts polling. */
    public void start() {
        long every = settings.poll().toMillis();
        thread.scheduleWithFixedDelay(this::tick, 0, every, TimeUnit.MILLISECONDS);
        log.info("Webhooks to {} (as {})", settings.url(), holder);
    }

    /** New changes were written here: look now rather than at the next poll. Never blocks. */
    public void wake() {
        if (wakeQueued.compareAndSet(false, true)) {
            execute(() -> {
                wakeQueued.set(false);
                tick();
            });
        }
    }

    private void execute(Runnable task) {
        try {
            thread.execute(task);
        } catch (RejectedExecutionException e) {
            // closed: what was not delivered stays in the outbox
        }
    }

    private double oldestAgeSeconds() {
        long oldest = oldestCreatedAt;
        return oldest == 0 ? 0 : Math.max(0, System.currentTimeMillis() - oldest) / 1000.0;
    }

    private void tick() {
        if (closed) {
            return;
        }
        try {
            long now = System.currentTimeMillis();
            if (now >= leaseRenewAt) {
                renewLease(now);
            }
            if (!leader) {
                return;
            }
            if (now - backlogAt >= BACKLOG_REFRESH_MILLIS) {
                backlogAt = now;
                WebhookOutbox.Backlog backlog = outbox.backlog(BACKLOG_COUNT_LIMIT);
                depth = backlog.depth();
                oldestCreatedAt = backlog.oldestCreatedAt();
            }
            dispatch(now);
        } catch (RuntimeException e) {
            // the database is away: try again at the next poll; nothing is lost, it is all in the outbox
            leaseRenewAt = 0;
            logFailure("Webhooks: the outbox could not be read; trying again", e);
        }
    }

    private void renewLease(long now) {
        boolean was = leader;
        try {
            leader = outbox.acquireLease(holder, now, now + settings.lease().toMillis());
        } catch (RuntimeException e) {
            leader = false;
            throw e;
        } finally {
            if (leader != was) {
                log.info("Webhooks: {} sending from this node", leader ? "now" : "no longer");
                if (!leader) {
                    depth = 0;
                    oldestCreatedAt = 0;
                }
            }
        }
        leaseRenewAt = now + settings.lease().toMillis() / 3;
    }

    private void dispatch(long now) {
        int free = settings.maxInFlight() - inFlight.size();
        if (free <= 0) {
            return;
        }
        // in-flight users' heads are still in the outbox: ask for enough to fill every free slot anyway
        List<Change> heads = outbox.readyHeads(now, settings.maxInFlight() + free);
        for (Change change : heads) {
            if (inFlight.size() >= settings.maxInFlight()) {
                break;
            }
            if (inFlight.contains(change.userId())) {
                continue;
            }
            if (change.version() <= change.deliveredVersion()) {
                // a node added it late, after a newer change of the user went out: sending it now would
                // break the order, and the app already has a newer status
                log.debug("Webhook {} superseded by version {}", change.id(), change.deliveredVersion());
                outbox.delivered(change.userId(), change.version());
                continue;
            }
            send(change);
        }
    }

    private void send(Change change) {
        byte[] body = body(change, System.currentTimeMillis());
        HttpRequest request = HttpRequest.newBuilder(settings.url())
                .timeout(settings.requestTimeout())
                .header("Content-Type", "application/json")
                .header(WebhookSigner.HEADER, signer.sign(body))
                .header("X-Presence-Webhook-Id", change.id())
                .POST(HttpRequest.BodyPublishers.ofByteArray(body))
                .build();
        inFlight.add(change.userId());
        try {
            http.sendAsync(request, HttpResponse.BodyHandlers.discarding()).whenComplete((response, error) ->
                    execute(() -> answered(change, response == null ? 0 : response.statusCode(), error)));
        } catch (RuntimeException e) {
            answered(change, 0, e);
        }
    }

    private void answered(Change change, int status, Throwable error) {
        inFlight.remove(change.userId());
        if (closed) {
            return;
        }
        long now = System.currentTimeMillis();
        try {
            if (error == null && status >= 200 && status < 300) {
                outbox.delivered(change.userId(), change.version());
                delivered.incrementAndGet();
            } else {
                failed(change, now, error == null ? "HTTP " + status : String.valueOf(error));
            }
            if (leader) {
                dispatch(now); // the user's next change, at once
            }
        } catch (RuntimeException e) {
            // not recorded: the change stays in the outbox and goes again (the app dedups by id)
            logFailure("Webhooks: could not record the answer to " + change.id(), e);
        }
    }

    private void failed(Change change, long now, String why) {
        failures.incrementAndGet();
        int attempts = change.failures() + 1;
        if (now - change.createdAt() >= settings.maxAge().toMillis()) {
            outbox.delivered(change.userId(), change.version());
            dropped.incrementAndGet();
            log.warn("Webhook {} dropped: failing for longer than {} ({} attempts, last: {})", change.id(),
                    settings.maxAge(), attempts, why);
            return;
        }
        long wait = retryWait(attempts);
        outbox.failed(change.userId(), attempts, now + wait);
        if (now - failureLoggedAt >= FAILURE_LOG_MILLIS) {
            failureLoggedAt = now;
            log.warn("Webhook {} failed ({}); attempt {} of that user, next in {} ms (further failures within {} s"
                    + " logged at debug)", change.id(), why, attempts, wait, FAILURE_LOG_MILLIS / 1000);
        } else {
            log.debug("Webhook {} failed ({}); attempt {}, next in {} ms", change.id(), why, attempts, wait);
        }
    }

    /** First retry, doubling per failure up to the cap; the upper half of it at random, so retries spread out. */
    long retryWait(int attempts) {
        long first = settings.firstRetry().toMillis();
        long cap = settings.maxRetry().toMillis();
        long wait = attempts >= 31 ? cap : Math.min(cap, first << Math.min(attempts - 1, 30));
        return wait / 2 + ThreadLocalRandom.current().nextLong(wait / 2 + 1);
    }

    private void logFailure(String message, RuntimeException e) {
        long now = System.currentTimeMillis();
        if (now - failureLoggedAt >= FAILURE_LOG_MILLIS) {
            failureLoggedAt = now;
            log.warn(message, e);
        } else {
            log.debug(message, e);
        }
    }

    /** The body, built at send time: {@code sent_at} is now, and the signature covers these bytes exactly. */
    static byte[] body(Change change, long sentAt) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(160);
        try (JsonGenerator json = JSON.createGenerator(out)) {
            json.writeStartObject();
            json.writeStringField("id", change.id());
            json.writeStringField("type", "user_status_changed");
            json.writeStringField("user_id", change.userId());
            json.writeBooleanField("is_online", change.online());
            json.writeNumberField("last_seen", change.lastSeen());
            json.writeNumberField("version", change.version());
            json.writeNumberField("sent_at", sentAt);
            json.writeEndObject();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toByteArray();
    }

    /** Stops sending and gives the lease up; what was not delivered stays in the outbox for the next start. */
    @Override
    public void close() {
        closed = true;
        thread.shutdownNow();
        try {
            thread.awaitTermination(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        httpThreads.shutdownNow();
        try {
            outbox.releaseLease(holder);
        } catch (RuntimeException e) {
            log.debug("Webhooks: could not give the lease up; it lapses by itself", e);
        }
    }
}
