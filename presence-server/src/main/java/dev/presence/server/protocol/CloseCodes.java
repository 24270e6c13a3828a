package dev.presence.server.protocol;

/** WebSocket close codes of PROTOCOL.md. */
public final class CloseCodes {
    public static final int NORMAL = 1000;
    public static final int GOING_AWAY = 1001;
    public static final int INVALID_PAYLOAD = 1007;
    public static final int POLICY = 1008;
    public static final int TOO_BIG = 1009;
    public static final int RESTARTING = 1012;
    public static final int UNAUTHORIZED = 4401;
    public static final int HELLO_TIMEOUT = 4408;
    public static final int RATE_LIMITED = 4429;

    private CloseCodes() {
    }
}
