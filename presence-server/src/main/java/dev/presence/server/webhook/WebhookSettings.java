package dev.presence.server.webhook;

import java.net.URI;
import java.time.Duration;
import java.util.Arrays;

/**
 * Where and how status changes are POSTed ({@code --webhook-url}, {@code --webhook-secret-file}); the timings are
 * not flags, they have defaults fit for production and tests shorten them.
 *
 * @param url            the app's endpoint ({@code http://} or {@code https://})
 * @param secret         the HMAC key: the secret file's text, trimmed, as UTF-8 bytes
 * @param requestTimeout a POST without a complete answer by then failed (a stalled receiver)
 * @param poll           how often the sender looks for work when nothing told it of new changes
 * @param firstRetry     the wait after a user's first failure; it doubles with each further failure (with jitter)
 * @param maxRetry       the longest wait between two attempts
 * @param maxAge         a change older than this that fails again is dropped
 * @param lease          how long the one sending node's lease lasts without renewal (renewed every third)
 * @param maxInFlight    POSTs at once (each to a different user)
 */
public record WebhookSettings(URI url, byte[] secret, Duration requestTimeout, Duration poll, Duration firstRetry,
                              Duration maxRetry, Duration maxAge, Duration lease, int maxInFlight) {

    public WebhookSettings {
        String scheme = url.getScheme();
        if (!("http".equals(scheme) || "https".equals(scheme)) || url.getHost() == null) {
            throw new IllegalArgumentException("--webhook-url must be an http:// or https:// URL, not '" + url + "'");
        }
        if (secret == null || secret.length == 0) {
            throw new IllegalArgumentException("--webhook-url needs --webhook-secret-file with a non-empty secret");
        }
        secret = secret.clone();
        if (maxInFlight < 1) {
            throw new IllegalArgumentException("webhook in-flight limit must be at least 1");
        }
    }

    /** The production timings: 10 s per POST, 1 s poll, retries from 1 s doubling to 5 min, for 24 h. */
    public static WebhookSettings of(URI url, byte[] secret) {
        return new WebhookSettings(url, secret, Duration.ofSeconds(10), Duration.ofSeconds(1), Duration.ofSeconds(1),
                Duration.ofMinutes(5), Duration.ofHours(24), Duration.ofSeconds(15), 32);
    }

    /** A copy with other timings (tests). */
    public WebhookSettings withTimings(Duration requestTimeout, Duration poll, Duration firstRetry, Duration maxRetry,
                                       Duration maxAge, Duration lease) {
        return new WebhookSettings(url, secret, requestTimeout, poll, firstRetry, maxRetry, maxAge, lease, maxInFlight);
    }

    @Override
    public byte[] secret() {
        return secret.clone();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof WebhookSettings w && url.equals(w.url) && Arrays.equals(secret, w.secret)
                && requestTimeout.equals(w.requestTimeout) && poll.equals(w.poll) && firstRetry.equals(w.firstRetry)
                && maxRetry.equals(w.maxRetry) && maxAge.equals(w.maxAge) && lease.equals(w.lease)
                && maxInFlight == w.maxInFlight;
    }

    @Override
    public int hashCode() {
        return url.hashCode();
    }

    /** Never the secret: settings end up in logs. */
    @Override
    public String toString() {
        return "WebhookSettings[url=" + url + ", requestTimeout=" + requestTimeout + ", poll=" + poll
                + ", firstRetry=" + firstRetry + ", maxRetry=" + maxRetry + ", maxAge=" + maxAge + ", lease=" + lease
                + ", maxInFlight=" + maxInFlight + "]";
    }
}
