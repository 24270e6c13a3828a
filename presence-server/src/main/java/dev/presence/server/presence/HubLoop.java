package dev.presence.server.presence;

import dev.presence.core.Clock;
import dev.presence.core.Scheduler;

import java.util.concurrent.Executor;

/**
 * Where the hub's state lives: one thread that runs its tasks and its timers, and the clock they read. In the
 * server a {@link HubThread}; in tests virtual time, so timers and the write-behind run without waiting.
 *
 * @param clock     the wall clock of the presence state (last seen, versions)
 * @param scheduler runs timers on the hub's thread
 * @param executor  runs tasks on the hub's thread, in the order they were handed over
 */
public record HubLoop(Clock clock, Scheduler scheduler, Executor executor) {
}
