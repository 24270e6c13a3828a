package dev.presence.server.store;

import org.h2.engine.SessionLocal;
import org.h2.jdbc.JdbcConnection;
import org.h2.mvstore.MVStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import javax.sql.DataSource;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * Keeps an H2 file opened with {@code WRITE_DELAY=0} from growing without end: every few seconds, rewrites the live
 * pages of chunks that are mostly empty, so those chunks die and their space is reused.
 *
 * <p>H2 does this itself from the background thread that also writes committed data late; {@code WRITE_DELAY=0}
 * (every commit in the file before it returns, see {@link JdbcDatabase#embedded}) stops that thread, and with it
 * the rewriting. Each commit is a small chunk, and chunks that keep one live page (a full leaf, say) are then kept
 * whole: measured at 100 writes/s, the file grew by ~6 KB a write without end; with this task it grew like it does
 * under H2's own housekeeping, ever slower (the bench README has the figures). It reaches the store through H2's
 * engine classes ({@link SessionLocal}), so it is tied to the H2 version the build pins.
 */
final class H2Housekeeping implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(H2Housekeeping.class);
    private static final long PERIOD_SECONDS = 5;
    /** Chunks less full than this are rewritten (H2's own housekeeping aims at 90 when idle). */
    private static final int TARGET_FILL_RATE = 80;
    /** At most this much is rewritten per run, so one run stays short next to the commits it runs beside. */
    private static final int MAX_REWRITE_BYTES = 16 << 20;

    private final MVStore store;
    private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "presence-h2-housekeeping");
        t.setDaemon(true);
        return t;
    });

    private H2Housekeeping(MVStore store) {
        this.store = store;
        timer.scheduleWithFixedDelay(this::run, PERIOD_SECONDS, PERIOD_SECONDS, TimeUnit.SECONDS);
    }

    /** Starts on the database behind {@code dataSource}, which must be an H2 file database. */
    static H2Housekeeping start(DataSource dataSource) throws SQLException {
        try (Connection c = dataSource.getConnection()) {
            SessionLocal session = (SessionLocal) c.unwrap(JdbcConnection.class).getSession();
            return new H2Housekeeping(session.getDatabase().getStore().getMvStore());
        }
    }

    private void run() {
        try {
            if (!store.isClosed() && store.compact(TARGET_FILL_RATE, MAX_REWRITE_BYTES)) {
                store.commit(); // the rewritten pages go into a new chunk; the old ones die
            }
        } catch (RuntimeException e) {
            log.warn("H2 housekeeping failed; trying again in {} s", PERIOD_SECONDS, e);
        }
    }

    @Override
    public void close() {
        timer.shutdownNow();
        try {
            timer.awaitTermination(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
