package dev.presence.client.api;

import java.time.Duration;
import java.util.Optional;

/**
 * The server answered an API call with an error ({@code {"error":{"code","message"}}} and a 4xx status).
 * Subclasses name the common cases; {@link #code()} is the server's machine-readable code, and
 * {@link #retryAfter()} how long the server asked to wait (429, 503).
 */
public class PresenceApiException extends RuntimeException {

    private final int status;
    private final String code;
    private final Duration retryAfter;

    public PresenceApiException(int status, String code, String message) {
        this(status, code, message, null);
    }

    /** @param retryAfter the server's {@code Retry-After}, or null */
    public PresenceApiException(int status, String code, String message, Duration retryAfter) {
        super((message == null || message.isBlank() ? code + " (HTTP " + status
                : message + " (" + code + ", HTTP " + status)
                + (retryAfter == null ? "" : ", retry after " + seconds(retryAfter)) + ")");
        this.status = status;
        this.code = code;
        this.retryAfter = retryAfter;
    }

    /** The HTTP status. */
    public int status() {
        return status;
    }

    /** The server's error code, for example {@code username_taken}; {@code http_<status>} if the body had none. */
    public String code() {
        return code;
    }

    /**
     * How long the server asked us to wait before trying again ({@code Retry-After} of a 429 or 503), if it said.
     */
    public Optional<Duration> retryAfter() {
        return Optional.ofNullable(retryAfter);
    }

    /** The exception that fits {@code status}. */
    public static PresenceApiException of(int status, String code, String message) {
        return of(status, code, message, null);
    }

    /** The exception that fits {@code status}, with the server's {@code Retry-After} (or null). */
    public static PresenceApiException of(int status, String code, String message, Duration retryAfter) {
        return switch (status) {
            case 400, 422 -> new InvalidRequestException(status, code, message);
            case 401, 403 -> new AuthenticationException(status, code, message);
            case 404 -> new NotFoundException(status, code, message);
            case 409 -> new ConflictException(status, code, message);
            case 429 -> new RateLimitedException(status, code, message, retryAfter);
            default -> new PresenceApiException(status, code, message, retryAfter);
        };
    }

    private static String seconds(Duration wait) {
        long s = Math.max(0, (wait.toMillis() + 999) / 1000);
        return s + (s == 1 ? " second" : " seconds");
    }

    /** 400: the request was invalid. */
    public static final class InvalidRequestException extends PresenceApiException {
        public InvalidRequestException(int status, String code, String message) {
            super(status, code, message);
        }
    }

    /** 401/403: wrong credentials, or the token is missing, wrong or revoked. */
    public static final class AuthenticationException extends PresenceApiException {
        public AuthenticationException(int status, String code, String message) {
            super(status, code, message);
        }
    }

    /** 404: no such thing, or not visible to us (a thread we are not a member of). */
    public static final class NotFoundException extends PresenceApiException {
        public NotFoundException(int status, String code, String message) {
            super(status, code, message);
        }
    }

    /** 409: a conflict, for example a username already taken. */
    public static final class ConflictException extends PresenceApiException {
        public ConflictException(int status, String code, String message) {
            super(status, code, message);
        }
    }

    /** 429: too many requests; {@link #retryAfter()} says when to try again, if the server said. */
    public static final class RateLimitedException extends PresenceApiException {
        public RateLimitedException(int status, String code, String message) {
            super(status, code, message);
        }

        public RateLimitedException(int status, String code, String message, Duration retryAfter) {
            super(status, code, message, retryAfter);
        }
    }
}
