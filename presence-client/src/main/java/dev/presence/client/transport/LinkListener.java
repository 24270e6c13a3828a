package dev.presence.client.transport;

/** What a {@link Link} reports. Calls for one link come one at a time, in order. */
public interface LinkListener {
    /** The upgrade succeeded; comes before any other call for this link. */
    void onOpen(Link link);

    /** A whole text message arrived. */
    void onText(String text);

    /** Anything else arrived (a ping, a pong, a binary frame): the link is alive. */
    void onActivity();

    /** The server closed the link with {@code code}. */
    void onClosed(int code, String reason);

    /** The link failed without a close frame. */
    void onFailure(Throwable error);
}
