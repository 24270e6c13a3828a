package dev.presence.server;

/**
 * The server cannot start for a reason its operator can fix: the message says, in one line, what is wrong and
 * what to do (it is printed as it is, without a stack trace).
 */
public final class StartupException extends Exception {

    public StartupException(String message, Throwable cause) {
        super(message, cause);
    }
}
