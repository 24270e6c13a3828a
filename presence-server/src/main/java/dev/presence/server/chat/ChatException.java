package dev.presence.server.chat;

/**
 * A request the chat domain refuses, with the HTTP status and the error code the client is shown.
 * The message is for people and never carries internals.
 */
public final class ChatException extends RuntimeException {

    private final int status;
    private final String code;

    public ChatException(int status, String code, String message) {
        super(message, null, false, false);
        this.status = status;
        this.code = code;
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

    public int status() {
        return status;
    }

    public String code() {
        return code;
    }
}
