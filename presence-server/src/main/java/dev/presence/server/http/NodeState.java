package dev.presence.server.http;

import java.util.Optional;

/**
 * What {@code /health} and {@code /ready} tell a load balancer about this node: its name in a cluster, and
 * whether it takes new connections now.
 */
public interface NodeState {

    /** This node's name in cluster mode; empty for a single node (the answers then carry no {@code node_id}). */
    Optional<String> nodeId();

    /** Why this node does not take new connections now (draining, Redis lost); empty when it does. */
    Optional<String> notReadyBecause();

    /** A single node that is always ready while it serves. */
    NodeState SINGLE = new NodeState() {
        @Override
        public Optional<String> nodeId() {
            return Optional.empty();
        }

        @Override
        public Optional<String> notReadyBecause() {
            return Optional.empty();
        }
    };
}
