package dev.presence.server;

import com.fasterxml.jackson.databind.JsonNode;
import dev.presence.server.config.ServerConfig;
import dev.presence.server.support.Api.Account;
import dev.presence.server.support.TestServer;
import dev.presence.server.support.WsProbe;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** What survives a restart (users, threads, last seen, versions), on H2 and on PostgreSQL. */
class RestartAndDatabaseTest {

    @TempDir
    Path dataDir;

    @Test
    void versionsKeepGrowingAndLastSeenIsKeptAcrossARestart() {
        try (TestServer server = TestServer.create().shortHeartbeat().dataDir(dataDir).start()) {
            restartScenario(server);
        }
    }

    @Test
    void theServerRunsOnPostgresqlWithTheSameMigrations() throws Exception {
        dev.presence.server.store.PostgresTestSupport.requirePostgres();
        String schema = "presence_srv_" + UUID.randomUUID().toString().replace("-", "").substring(0, 12);
        String base = dev.presence.server.store.PostgresTestSupport.URL;
        try (Connection c = DriverManager.getConnection(base)) {
            c.createStatement().execute("CREATE SCHEMA " + schema);
        }
        String url = base + (base.contains("?") ? "&" : "?") + "currentSchema=" + schema;
        try (TestServer server = TestServer.create().shortHeartbeat().dataDir(dataDir).with(b -> b.dbUrl(url))
                .start()) {
            restartScenario(server);
        } finally {
            try (Connection c = DriverManager.getConnection(base)) {
                c.createStatement().execute("DROP SCHEMA " + schema + " CASCADE");
            }
        }
    }

    @Test
    void clusterModeOnTheEmbeddedDatabaseIsRefusedWithAReason() {
        var config = ServerConfig.defaults().with(b -> b.port(0).dataDir(dataDir));
        assertThatThrownBy(() -> config.with(b -> b.redisUrl("redis://127.0.0.1:6379")))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("cluster mode (--redis-url) needs a database all nodes share");
    }

    private void restartScenario(TestServer server) {
        Account ann = server.api().signUp("ann");
        Account bob = server.api().signUp("bob");
        server.api().threadOf("pair", ann, bob);
        WsProbe a = WsProbe.online("ann", server.wsUri(), ann.token());
        WsProbe b = WsProbe.online("bob", server.wsUri(), bob.token());
        a.awaitStatus(bob.id(), true);
        b.closeCleanly();
        JsonNode offline = a.awaitStatus(bob.id(), false);
        long version = offline.path("version").asLong();
        long lastSeen = offline.path("last_seen").asLong();

        server.stop();
        assertThat(a.awaitClose()).isEqualTo(1012);
        server.start();

        // the reconnecting client's snapshot has bob's kept last seen and version
        WsProbe a2 = WsProbe.online("ann again", server.wsUri(), ann.token());
        JsonNode kept = a2.awaitType("welcome").path("presence").get(0);
        assertThat(kept.path("user_id").asText()).isEqualTo(bob.id());
        assertThat(kept.path("is_online").asBoolean()).isFalse();
        assertThat(kept.path("last_seen").asLong()).isEqualTo(lastSeen);
        assertThat(kept.path("version").asLong()).isGreaterThanOrEqualTo(version); // never lower than a client holds

        WsProbe.online("bob again", server.wsUri(), bob.token());
        assertThat(a2.awaitStatus(bob.id(), true).path("version").asLong()).isGreaterThan(version);
        a2.close();
    }
}
