package dev.presence.server.chat;

import dev.presence.server.store.StoreException;

import java.util.function.Supplier;

/**
 * A store's failures as the API answers them, so no layer above the services ever sees a store's exception:
 * a value the database refused (say, text it cannot keep) is the client's 400; any other failure is a 503,
 * with the store's exception kept as the cause for the log.
 */
final class StoreFailures {

    private StoreFailures() {
    }

    /** Runs a call of a service that asks the store. */
    static <T> T translated(Supplier<T> call) {
        try {
            return call.get();
        } catch (StoreException e) {
            throw translate(e);
        }
    }

    /** Runs a call of a service that asks the store. */
    static void translated(Runnable call) {
        try {
            call.run();
        } catch (StoreException e) {
            throw translate(e);
        }
    }

    static ChatException translate(StoreException e) {
        if (e.isBadData()) {
            return ChatException.invalid("the database refused a value of this request");
        }
        return ChatException.unavailable("the database is unavailable; try again shortly", e);
    }
}
