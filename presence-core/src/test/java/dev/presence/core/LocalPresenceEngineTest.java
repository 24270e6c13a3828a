package dev.presence.core;

/** The contract on the engine of a single node. */
class LocalPresenceEngineTest extends PresenceEngineContract {

    @Override
    protected PresenceEngine newEngine(Clock clock, Scheduler scheduler, long offlineGraceMillis, StatusSink later) {
        return new LocalPresenceEngine(clock, scheduler, offlineGraceMillis, later);
    }
}
