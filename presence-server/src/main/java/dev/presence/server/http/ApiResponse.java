package dev.presence.server.http;

import java.util.concurrent.CompletableFuture;

/**
 * What an API handler answers: a status and a JSON-encodable body (null for none); or, made by
 * {@link #later}, an answer still being worked out elsewhere.
 *
 * @param pending the answer to come, or null when this one is the answer
 */
public record ApiResponse(int status, Object body, CompletableFuture<ApiResponse> pending) {

    public ApiResponse(int status, Object body) {
        this(status, body, null);
    }

    public static ApiResponse ok(Object body) {
        return new ApiResponse(200, body);
    }

    public static ApiResponse created(Object body) {
        return new ApiResponse(201, body);
    }

    public static ApiResponse noContent() {
        return new ApiResponse(204, null);
    }

    /**
     * An answer that {@code answer} completes, so the worker that made it is free meanwhile (login and signup
     * wait for the password pool, not on a worker). It may fail with the same exceptions a handler throws.
     */
    public static ApiResponse later(CompletableFuture<ApiResponse> answer) {
        return new ApiResponse(0, null, answer);
    }
}
