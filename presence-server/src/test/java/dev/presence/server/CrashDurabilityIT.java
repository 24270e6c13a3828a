package dev.presence.server;

import com.fasterxml.jackson.databind.JsonNode;
import dev.presence.server.store.PostgresTestSupport;
import dev.presence.server.support.Api;
import dev.presence.server.support.Api.Reply;
import dev.presence.server.support.ServerJarProcess;
import dev.presence.server.support.WsProbe;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.function.Consumer;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A 2xx means the write survives a crash: the packaged server runs as a process, each kind of write is made,
 * the process is killed with SIGKILL as soon as the answer arrives (well inside the second an embedded database
 * may keep committed data in memory), started again over the same data, and the write must be there. Likewise
 * a {@code last_seen} that a watcher received is never contradicted by an older one after the restart.
 *
 * <p>On H2 (the embedded default) and on PostgreSQL ({@code --db-url}, a throwaway schema; skipped with a
 * message where PostgreSQL does not answer, except under {@code CI=true}).
 */
class CrashDurabilityIT {

    /** Each kind of write is the last one before a kill this many times (one restart each). */
    private static final int ROUNDS = Integer.getInteger("crash.rounds", 2);

    @TempDir
    Path dataDir;

    @Test
    void everyAcknowledgedWriteSurvivesSigkillOnH2() {
        try (ServerJarProcess server = server()) {
            everyWriteSurvives(server);
        }
    }

    @Test
    void everyAcknowledgedWriteSurvivesSigkillOnPostgresql() throws Exception {
        withPostgresSchema(url -> {
            try (ServerJarProcess server = server("--db-url", url)) {
                everyWriteSurvives(server);
            }
        });
    }

    @Test
    void lastSeenAWatcherReceivedNeverGoesBackAfterSigkillOnH2() {
        try (ServerJarProcess server = server()) {
            lastSeenNeverGoesBack(server);
        }
    }

    @Test
    void lastSeenAWatcherReceivedNeverGoesBackAfterSigkillOnPostgresql() throws Exception {
        withPostgresSchema(url -> {
            try (ServerJarProcess server = server("--db-url", url)) {
                lastSeenNeverGoesBack(server);
            }
        });
    }

    // --- writes ----------------------------------------------------------------------------------------

    /** One kind of write: made just before the kill, checked after the restart. */
    private record Step(String name, Consumer<Api> write, Consumer<Api> check) {
    }

    /** What the steps made so far. */
    private static final class World {
        final String suffix = UUID.randomUUID().toString().substring(0, 6);
        String annToken;
        String bobToken;
        String threadId;
        String invitationId;
        String revokedToken;
        int messages;
        int names;
    }

    private static List<Step> steps(World w) {
        List<Step> steps = new ArrayList<>();
        steps.add(new Step("signup",
                api -> {
                    expect(api.post("/api/users", null, credentials("ann" + w.suffix)), 201);
                    expect(api.post("/api/users", null, credentials("bob" + w.suffix)), 201);
                },
                api -> {
                    expect(api.post("/api/sessions", null, credentials("ann" + w.suffix)), 201);
                    expect(api.post("/api/sessions", null, credentials("bob" + w.suffix)), 201);
                }));
        steps.add(new Step("login token",
                api -> {
                    w.bobToken = expect(api.post("/api/sessions", null, credentials("bob" + w.suffix)), 201)
                            .text("token");
                    w.annToken = expect(api.post("/api/sessions", null, credentials("ann" + w.suffix)), 201)
                            .text("token");
                },
                api -> {
                    expect(api.get("/api/me", w.bobToken), 200);
                    expect(api.get("/api/me", w.annToken), 200);
                }));
        steps.add(new Step("thread creation",
                api -> w.threadId = expect(api.post("/api/threads", w.annToken, "{\"title\":\"crash\"}"), 201)
                        .text("id"),
                api -> expect(api.get("/api/threads/" + w.threadId, w.annToken), 200)));
        steps.add(new Step("message",
                api -> expect(api.post("/api/threads/" + w.threadId + "/messages", w.annToken,
                        "{\"text\":\"message " + ++w.messages + "\"}"), 201),
                api -> {
                    JsonNode newest = expect(api.get("/api/threads/" + w.threadId + "/messages?limit=1", w.annToken),
                            200).body().get(0);
                    assertThat(newest.path("text").asText()).isEqualTo("message " + w.messages);
                }));
        steps.add(new Step("invitation",
                api -> w.invitationId = expect(api.post("/api/threads/" + w.threadId + "/invitations", w.annToken,
                        "{\"username\":\"bob" + w.suffix + "\"}"), 201).text("id"),
                api -> assertThat(expect(api.get("/api/invitations", w.bobToken), 200).body())
                        .anyMatch(i -> i.path("id").asText().equals(w.invitationId))));
        steps.add(new Step("accept",
                api -> expect(api.post("/api/invitations/" + w.invitationId + "/accept", w.bobToken, null), 200),
                api -> {
                    expect(api.get("/api/threads/" + w.threadId, w.bobToken), 200);
                    assertThat(expect(api.get("/api/invitations", w.bobToken), 200).body()).isEmpty();
                }));
        steps.add(new Step("display name",
                api -> expect(api.call("PATCH", "/api/me", w.annToken,
                        "{\"display_name\":\"Ann " + ++w.names + "\"}"), 200),
                api -> assertThat(expect(api.get("/api/me", w.annToken), 200).text("display_name"))
                        .isEqualTo("Ann " + w.names)));
        steps.add(new Step("leave",
                api -> expect(api.call("DELETE", "/api/threads/" + w.threadId + "/members/me", w.bobToken, null),
                        204),
                api -> {
                    expect(api.get("/api/threads/" + w.threadId, w.bobToken), 404);
                    assertThat(expect(api.get("/api/threads/" + w.threadId, w.annToken), 200).body().path("users"))
                            .hasSize(1);
                }));
        steps.add(new Step("logout",
                api -> {
                    w.revokedToken = expect(api.post("/api/sessions", null, credentials("ann" + w.suffix)), 201)
                            .text("token");
                    expect(api.call("DELETE", "/api/sessions/current", w.revokedToken, null), 204);
                },
                api -> {
                    expect(api.get("/api/me", w.revokedToken), 401);
                    expect(api.get("/api/me", w.annToken), 200); // only that token was revoked
                }));
        return steps;
    }

    private void everyWriteSurvives(ServerJarProcess server) {
        server.start();
        for (int round = 1; round <= ROUNDS; round++) {
            World world = new World();
            for (Step step : steps(world)) {
                step.write().accept(server.api());
                server.kill9(); // at once after the 2xx
                server.start();
                try {
                    step.check().accept(server.api());
                } catch (AssertionError e) {
                    throw new AssertionError("lost after SIGKILL (round " + round + "): " + step.name() + ": "
                            + e.getMessage(), e);
                }
            }
        }
    }

    // --- last seen -------------------------------------------------------------------------------------

    private void lastSeenNeverGoesBack(ServerJarProcess server) {
        server.start();
        Api api = server.api();
        String suffix = UUID.randomUUID().toString().substring(0, 6);
        Api.Account watcher = api.signUp("watcher" + suffix);
        Api.Account user = api.signUp("user" + suffix);
        api.threadOf("seen", watcher, user);

        // a kill right after an offline status, right after an online status, and after a second offline
        boolean[] killAfter = {false, true, false};
        for (boolean online : killAfter) {
            WsProbe watching = WsProbe.online("watcher", server.ws(), watcher.token());
            WsProbe session = WsProbe.online("user", server.ws(), user.token());
            JsonNode received = watching.awaitStatus(user.id(), true);
            if (!online) {
                session.closeCleanly();
                received = watching.awaitStatus(user.id(), false);
            }
            server.kill9(); // at once after the delivery
            watching.close();
            session.close();
            server.start();

            WsProbe again = WsProbe.online("watcher again", server.ws(), watcher.token());
            JsonNode snapshot = again.awaitType("welcome").path("presence").get(0);
            again.close();
            assertThat(snapshot.path("user_id").asText()).isEqualTo(user.id());
            assertThat(snapshot.path("last_seen").asLong())
                    .as("last_seen after a kill right after a status with last_seen %s (%s)",
                            received.path("last_seen").asLong(), online ? "online" : "offline")
                    .isGreaterThanOrEqualTo(received.path("last_seen").asLong());
            assertThat(snapshot.path("version").asLong()).isGreaterThanOrEqualTo(received.path("version").asLong());
        }
    }

    // --- plumbing --------------------------------------------------------------------------------------

    private ServerJarProcess server(String... options) {
        return new ServerJarProcess(ServerJarProcess.QUICK_START, dataDir, options);
    }

    private static String credentials(String username) {
        return "{\"username\":\"" + username + "\",\"password\":\"secret-pass\"}";
    }

    private static Reply expect(Reply reply, int status) {
        assertThat(reply.status()).as("%s", reply.raw()).isEqualTo(status);
        return reply;
    }

    @FunctionalInterface
    private interface WithUrl {
        void run(String url) throws Exception;
    }

    private static void withPostgresSchema(WithUrl test) throws Exception {
        PostgresTestSupport.requirePostgres();
        String schema = "presence_crash_" + UUID.randomUUID().toString().replace("-", "").substring(0, 12);
        String base = PostgresTestSupport.URL;
        try (Connection c = DriverManager.getConnection(base)) {
            c.createStatement().execute("CREATE SCHEMA " + schema);
        }
        try {
            test.run(base + (base.contains("?") ? "&" : "?") + "currentSchema=" + schema);
        } finally {
            try (Connection c = DriverManager.getConnection(base)) {
                c.createStatement().execute("DROP SCHEMA " + schema + " CASCADE");
            }
        }
    }
}
