package dev.presence.server;

import dev.presence.server.store.PostgresTestSupport;
import dev.presence.server.support.Api;
import dev.presence.server.support.Api.Account;
import dev.presence.server.support.ServerJarProcess;
import dev.presence.server.support.TestJwts;
import dev.presence.server.support.WebhookReceiver;
import dev.presence.server.support.WebhookReceiver.Received;
import dev.presence.server.support.WsProbe;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Webhooks over a crash: the packaged server as a process, the endpoint answering 500 while users flip; the
 * process is killed with SIGKILL and started again on the same data with the endpoint up. Every change that was
 * in the outbox arrives, and each user's last webhook is their true state after the restart (offline: nobody is
 * connected), never a stale online. On H2 (the embedded default) and on PostgreSQL, where the test also reads the
 * outbox just before the kill (skipped with a message without PostgreSQL, except under {@code CI=true}).
 */
class WebhookCrashIT {

    private static final String SECRET = "crash-webhook-secret";
    private static final Duration DEADLINE = Duration.ofSeconds(30);

    @TempDir
    Path dataDir;

    @Test
    void everyQueuedChangeArrivesAndNoUserIsLeftOnlineAfterSigkillOnH2() throws Exception {
        crashAndRestart(null);
    }

    @Test
    void everyQueuedChangeArrivesAndNoUserIsLeftOnlineAfterSigkillOnPostgresql() throws Exception {
        PostgresTestSupport.requirePostgres();
        String schema = "presence_hookcrash_" + UUID.randomUUID().toString().replace("-", "").substring(0, 12);
        String base = PostgresTestSupport.URL;
        try (Connection c = DriverManager.getConnection(base)) {
            c.createStatement().execute("CREATE SCHEMA " + schema);
        }
        try {
            crashAndRestart(base + (base.contains("?") ? "&" : "?") + "currentSchema=" + schema);
        } finally {
            try (Connection c = DriverManager.getConnection(base)) {
                c.createStatement().execute("DROP SCHEMA " + schema + " CASCADE");
            }
        }
    }

    @Test
    void anAppUserWithA128CharacterIdOnlineAtTheKillIsSentOfflineAfterTheRestart() throws Exception {
        // integration mode's longest id: it is journaled in the status journal's second file, of long ids
        String longId = "app:" + UUID.randomUUID() + ".users-" + "x".repeat(81);
        assertThat(longId).hasSize(128);
        Path secretFile = Files.writeString(dataDir.resolveSibling(dataDir.getFileName() + "-secret"), SECRET);
        Path keys = Files.createDirectories(dataDir.resolveSibling(dataDir.getFileName() + "-keys"));
        try (WebhookReceiver receiver = new WebhookReceiver(SECRET)) {
            receiver.fail();
            try (ServerJarProcess server = new ServerJarProcess(ServerJarProcess.QUICK_START, dataDir,
                    "--jwt-secret-file", TestJwts.secretFile(keys).toString(), "--webhook-url",
                    receiver.url().toString(), "--webhook-secret-file", secretFile.toString(),
                    "--webhook-max-retry", "1s", "--heartbeat-interval", "1s", "--heartbeat-timeout", "1s").start()) {
                WsProbe online = WsProbe.online("long id", server.ws(), TestJwts.hs256(longId));
                // its online flip was tried, so it is in the outbox: without the journal it would be the last word
                Received tried = await("the online webhook tried").atMost(DEADLINE)
                        .until(() -> receiver.answered().stream().filter(r -> r.id().startsWith(longId + ":"))
                                .findFirst().orElse(null), r -> r != null);
                assertThat(tried.body().path("is_online").asBoolean()).isTrue();

                server.kill9();
                online.close();

                receiver.answer();
                server.start();
                await("the long id's last webhook is offline, and stays so").atMost(DEADLINE)
                        .during(Duration.ofSeconds(3)).until(() -> lastIsOffline(receiver, longId));
                List<Received> got = receiver.acceptedFor(longId);
                assertThat(got.get(got.size() - 1).body().path("version").asLong())
                        .isGreaterThan(tried.body().path("version").asLong());
                assertThat(receiver.accepted()).allMatch(Received::signatureValid);
            }
        }
    }

    /** @param dbUrl PostgreSQL, whose outbox the test reads before the kill; null: the embedded database */
    private void crashAndRestart(String dbUrl) throws Exception {
        Path secretFile = Files.writeString(dataDir.resolveSibling(dataDir.getFileName() + "-secret"), SECRET);
        try (WebhookReceiver receiver = new WebhookReceiver(SECRET)) {
            List<String> options = new ArrayList<>(List.of("--webhook-url", receiver.url().toString(),
                    "--webhook-secret-file", secretFile.toString(), "--webhook-max-retry", "1s",
                    "--offline-grace", "1500ms", "--heartbeat-interval", "1s", "--heartbeat-timeout", "1s"));
            if (dbUrl != null) {
                options.addAll(List.of("--db-url", dbUrl));
            }
            receiver.fail();
            try (ServerJarProcess server = new ServerJarProcess(ServerJarProcess.QUICK_START, dataDir,
                    options.toArray(String[]::new)).start()) {
                Api api = server.api();
                String suffix = UUID.randomUUID().toString().substring(0, 6);
                Account watcher = api.signUp("watcher" + suffix);
                List<Account> users = new ArrayList<>();
                for (int i = 0; i < 4; i++) {
                    users.add(api.signUp("u" + i + suffix));
                }
                List<Account> members = new ArrayList<>(users);
                members.add(0, watcher);
                api.threadOf("crash", members.toArray(Account[]::new));
                WsProbe watching = WsProbe.online("watcher", server.ws(), watcher.token());
                Account u0 = users.get(0);
                Account u1 = users.get(1);
                Account u2 = users.get(2);
                Account u3 = users.get(3);
                // u0 online then offline; u1 online at the kill; u2 online, offline, online again; u3 offline by grace
                WsProbe s0 = WsProbe.online("u0", server.ws(), u0.token());
                awaitFlips(watching, u0, 1);
                s0.closeCleanly();
                WsProbe s1 = WsProbe.online("u1", server.ws(), u1.token());
                WsProbe s2 = WsProbe.online("u2", server.ws(), u2.token());
                awaitFlips(watching, u2, 1);
                s2.closeCleanly();
                awaitFlips(watching, u2, 2);
                WsProbe s2again = WsProbe.online("u2 again", server.ws(), u2.token());
                WsProbe s3 = WsProbe.online("u3", server.ws(), u3.token());
                awaitFlips(watching, u3, 1);
                s3.abort();
                awaitFlips(watching, u0, 2);
                awaitFlips(watching, u1, 1);
                awaitFlips(watching, u2, 3);
                awaitFlips(watching, u3, 2);

                // the endpoint fails: each user's oldest change has been tried, so it is in the outbox
                List<Account> all = new ArrayList<>(users);
                all.add(watcher);
                await("every user's first change was tried").atMost(DEADLINE).until(() -> all.stream()
                        .allMatch(u -> receiver.answered().stream().anyMatch(r -> r.id().startsWith(u.id() + ":"))));
                Set<String> queued = new HashSet<>();
                receiver.answered().forEach(r -> queued.add(r.id()));
                if (dbUrl != null) {
                    // every flip a watcher was shown is saved within about a second: read the outbox then
                    int shown = all.stream().mapToInt(u -> u == watcher ? 1 : watching.statusesOf(u.id()).size())
                            .sum();
                    await("every flip in the outbox").atMost(DEADLINE).until(() -> outbox(dbUrl).size() >= shown);
                    queued.addAll(outbox(dbUrl));
                }
                assertThat(receiver.accepted()).isEmpty();

                server.kill9();
                watching.close();
                s1.close();
                s2again.close();

                receiver.answer();
                server.start();
                for (String id : queued) {
                    await("webhook " + id + " after the restart").atMost(DEADLINE)
                            .until(() -> receiver.accepted().stream().anyMatch(r -> r.id().equals(id)));
                }
                // then for good: each user's last webhook says offline, newer than anything shown before the kill
                await("every user's last webhook is offline, and stays so").atMost(DEADLINE)
                        .during(Duration.ofSeconds(3)).until(() -> all.stream().allMatch(u -> lastIsOffline(receiver, u)));
                for (Account user : all) {
                    List<Received> got = receiver.acceptedFor(user.id());
                    long lastVersion = got.get(got.size() - 1).body().path("version").asLong();
                    long shownVersion = user == watcher ? 0 : watching.statusesOf(user.id()).stream()
                            .mapToLong(s -> s.path("version").asLong()).max().orElse(0);
                    assertThat(lastVersion).as("%s's last webhook version", user.username())
                            .isGreaterThanOrEqualTo(shownVersion);
                    assertIncreasingFirstArrivals(got, user);
                }
                assertThat(receiver.accepted()).allMatch(Received::signatureValid);
            }
        }
    }

    private static boolean lastIsOffline(WebhookReceiver receiver, Account user) {
        return lastIsOffline(receiver, user.id());
    }

    private static boolean lastIsOffline(WebhookReceiver receiver, String userId) {
        List<Received> got = receiver.acceptedFor(userId);
        return !got.isEmpty() && !got.get(got.size() - 1).body().path("is_online").asBoolean();
    }

    /** Each id's first arrival comes in version order: per user, never an older change after a newer one. */
    private static void assertIncreasingFirstArrivals(List<Received> got, Account user) {
        Set<String> seen = new HashSet<>();
        long last = 0;
        for (Received r : got) {
            if (seen.add(r.id())) {
                long version = r.body().path("version").asLong();
                assertThat(version).as("%s: %s after version %d", user.username(), r.id(), last).isGreaterThan(last);
                last = version;
            }
        }
    }

    private static List<String> outbox(String dbUrl) throws Exception {
        List<String> ids = new ArrayList<>();
        try (Connection c = DriverManager.getConnection(dbUrl);
             ResultSet rs = c.createStatement().executeQuery("SELECT user_id, version FROM webhook_outbox")) {
            while (rs.next()) {
                ids.add(rs.getString(1) + ":" + rs.getLong(2));
            }
        }
        return ids;
    }

    private static void awaitFlips(WsProbe watcher, Account user, int count) {
        await(watcher + " sees " + count + " flips of " + user.username()).atMost(DEADLINE)
                .until(() -> watcher.statusesOf(user.id()).size() >= count);
    }
}
