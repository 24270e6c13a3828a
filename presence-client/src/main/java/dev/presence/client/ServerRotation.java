package dev.presence.client;

import java.net.URI;
import java.util.List;
import java.util.random.RandomGenerator;

/**
 * The server addresses a client takes turns on: it starts at a random one, so that a fleet of clients started
 * together spreads over the servers, and moves to the next (round robin) after every failed attempt or lost
 * link. Confined to the client's event loop.
 */
final class ServerRotation {

    private final List<URI> addresses;
    private int index;

    ServerRotation(List<URI> addresses, RandomGenerator random) {
        if (addresses.isEmpty()) {
            throw new IllegalArgumentException("need at least one server address");
        }
        this.addresses = List.copyOf(addresses);
        // one address: no draw, so a seeded random gives the same delays as before there were several
        this.index = this.addresses.size() == 1 ? 0 : random.nextInt(this.addresses.size());
    }

    /** The address of the next attempt. */
    URI current() {
        return addresses.get(index);
    }

    /** Moves on to the next address. */
    void advance() {
        index = (index + 1) % addresses.size();
    }

    /** Every address, in the order they are taken. */
    List<URI> all() {
        return addresses;
    }
}
