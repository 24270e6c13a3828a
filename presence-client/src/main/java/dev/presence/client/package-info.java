/**
 * The Java SDK of presence.
 *
 * <ul>
 *   <li>{@link dev.presence.client.PresenceClient}: one WebSocket to the server, or to one of several (the nodes
 *       of a cluster, round robin), that stays up (backoff with jitter, liveness deadline from the
 *       {@code welcome}, never after 4401 or {@code close()}), observed through a
 *       {@link dev.presence.client.ConnectionListener};</li>
 *   <li>{@link dev.presence.client.Backoff}: 1, 2, 4, 8, 16, 30, 30, ... seconds, jittered after the cap;</li>
 *   <li>{@link dev.presence.client.ReconnectPolicy}: which delay after which loss (the backoff, or 100 to 1,000 ms
 *       after 1012 so a client whose cluster node stops is on another one inside the offline grace);</li>
 *   <li>{@link dev.presence.client.ThreadsState}: the live view of my threads and who is online in them, as
 *       immutable {@link dev.presence.client.ThreadsSnapshot}s;</li>
 *   <li>{@link dev.presence.client.ServerMessages}: decodes the server's WebSocket messages into these records;</li>
 *   <li>{@link dev.presence.client.api.PresenceApi}: the HTTP API, with typed errors.</li>
 * </ul>
 */
package dev.presence.client;
