package dev.presence.server.chat;

/**
 * A request the chat domain refuses, with the HTTP status and the error code the client is shown, and for
 * 429 and 503 how many seconds to wait before trying again ({@code Retry-After}). The message is for people
 * and never carries internals; a cause, if any, is for the log.
 */
public final class ChatException extends RuntimeException {

    private final int status;
    private final String code;
    private final long retryAfterSeconds;

    public ChatException(int status, String code, String message) {
        this(status, code, message, 0);
    }

    private ChatException(int status, String code, String message, long retryAfterSeconds) {
        this(status, code, message, retryAfterSeconds, null);
    }

    private ChatException(int status, String code, String message, long retryAfterSeconds, Throwable cause) {
        super(message, cause, false, false);
        this.status = status;
        this.code = code;
        this.retryAfterSeconds = retryAfterSeconds;
    }

    public static ChatException invalid(String message) {
        return new ChatException(400, "invalid_request", message);
    }

    public static ChatException notFound(String what) {
        return new ChatException(404, "not_found", what + " not found");
    }

    public static ChatException unauthorized(String message) {
        return new ChatException(401, "unauthorized", message);
    }

    public static ChatException conflict(String code, String message) {
        return new ChatException(409, code, message);
    }

    /** 429: a rate limit; the client may try again after {@code retryAfterSeconds} (at least 1). */
    public static ChatException rateLimited(String message, long retryAfterSeconds) {
        return new ChatException(429, "rate_limited", message, Math.max(1, retryAfterSeconds));
    }

    /** 503: the server sheds load instead of queueing without bound; try again after that many seconds. */
    public static ChatException busy(long retryAfterSeconds) {
        return new ChatException(503, "busy", "the server is busy; try again shortly", Math.max(1, retryAfterSeconds));
    }

    /**
     * 503: something the service needs has failed (the database); the client may try again. The failure is
     * kept as the cause, for the log only.
     */
    public static ChatException unavailable(String message, Throwable cause) {
        return new ChatException(503, "unavailable", message, 0, cause);
    }

    public int status() {
        return status;
    }

    public String code() {
        return code;
    }

    /** Seconds for {@code Retry-After}; 0 for none. */
    public long retryAfterSeconds() {
        return retryAfterSeconds;
    }
}
