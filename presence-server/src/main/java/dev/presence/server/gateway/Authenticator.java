package dev.presence.server.gateway;

import dev.presence.server.domain.Identity;

import java.util.Optional;
import java.util.concurrent.CompletableFuture;

/** Checks a login token, off the event loop. */
@FunctionalInterface
public interface Authenticator {

    /** Who a token belongs to; empty if it is unknown or revoked. Completes on a worker thread. */
    CompletableFuture<Optional<Identity>> authenticate(String token);
}
