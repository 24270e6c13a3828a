package dev.presence.server;

import dev.presence.server.store.PostgresTestSupport;
import dev.presence.server.support.Api.Account;
import dev.presence.server.support.TestJwts;
import dev.presence.server.support.TestServer;
import dev.presence.server.support.WsProbe;
import dev.presence.testkit.RedisServerExtension;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.util.ArrayList;
import java.util.Date;
import java.util.List;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Logouts and revocations in cluster mode reach every node: two nodes in this JVM share a throwaway PostgreSQL
 * schema and the test's own {@code redis-server}; a socket on node b is closed when the logout or revocation is
 * done through node a, and b refuses afterwards what was revoked (also while it still remembers the user's
 * account from before). Skipped with a message without PostgreSQL or {@code redis-server} (unless
 * {@code CI=true}).
 */
class ClusterRevocationTest {

    @RegisterExtension
    static final RedisServerExtension redis = new RedisServerExtension();

    @TempDir
    Path dir;
    private String schema;
    private TestServer a;
    private TestServer b;
    private final List<WsProbe> probes = new ArrayList<>();

    @BeforeEach
    void startTwoNodes() throws Exception {
        PostgresTestSupport.requirePostgres();
        schema = "presence_jwt_" + UUID.randomUUID().toString().replace("-", "").substring(0, 12);
        try (Connection c = DriverManager.getConnection(PostgresTestSupport.URL)) {
            c.createStatement().execute("CREATE SCHEMA " + schema);
        }
        String url = PostgresTestSupport.URL + (PostgresTestSupport.URL.contains("?") ? "&" : "?")
                + "currentSchema=" + schema;
        Path secret = TestJwts.secretFile(dir);
        a = node("a", url, secret);
        b = node("b", url, secret);
    }

    private TestServer node(String id, String dbUrl, Path secret) {
        return TestServer.create().shortHeartbeat().with(c -> c.dbUrl(dbUrl).redisUrl(redis.url()).nodeId(id)
                .jwtSecretFile(secret)).start();
    }

    @AfterEach
    void stop() throws Exception {
        probes.forEach(WsProbe::close);
        for (TestServer node : new TestServer[] {a, b}) {
            if (node != null) {
                node.close();
            }
        }
        if (schema != null) {
            try (Connection c = DriverManager.getConnection(PostgresTestSupport.URL)) {
                c.createStatement().execute("DROP SCHEMA " + schema + " CASCADE");
            }
        }
    }

    private WsProbe online(TestServer node, String name, String token) {
        WsProbe probe = WsProbe.online(name, node.wsUri(), token);
        probes.add(probe);
        return probe;
    }

    private WsProbe connect(TestServer node, String name, String token) {
        WsProbe probe = WsProbe.connect(name, node.wsUri(), token);
        probes.add(probe);
        return probe;
    }

    @Test
    void aLogoutThroughOneNodeClosesThatTokensSocketOnTheOther() {
        Account ann = a.api().signUp("ann");
        WsProbe onB = online(b, "ann on b", ann.token());
        WsProbe otherTokenOnB = online(b, "ann's laptop on b", b.api().post("/api/sessions", null,
                "{\"username\":\"ann\",\"password\":\"secret-pass\"}").text("token"));

        assertThat(a.api().call("DELETE", "/api/sessions/current", ann.token(), null).status()).isEqualTo(204);

        assertThat(onB.awaitClose()).isEqualTo(4401);
        assertThat(otherTokenOnB.isClosed()).as("a logout ends that token's sockets only").isFalse();
    }

    @Test
    void logOutEverywhereThroughOneNodeClosesTheUsersSocketsOnTheOther() {
        Account bob = a.api().signUp("bob");
        WsProbe onB = online(b, "bob on b", bob.token());

        assertThat(a.api().call("DELETE", "/api/sessions", bob.token(), null).status()).isEqualTo(204);

        assertThat(onB.awaitClose()).isEqualTo(4401);
    }

    @Test
    void aJwtRevocationThroughOneNodeClosesOlderJwtSocketsOnTheOtherWhichThenRefusesThem() {
        String old = TestJwts.hs256(TestJwts.claims("app:cat", c -> c.issueTime(in(-5_000))));
        String older = TestJwts.hs256(TestJwts.claims("app:cat", c -> c.issueTime(in(-8_000))));
        WsProbe onB = online(b, "cat on b", old);
        // b now remembers cat's account (not yet revoked) for a few seconds
        assertThat(b.api().get("/api/me", older).status()).isEqualTo(200);

        assertThat(a.api().call("DELETE", "/api/sessions", old, null).status()).isEqualTo(204);

        assertThat(onB.awaitClose()).isEqualTo(4401);
        assertThat(b.api().get("/api/me", older).status()).as("b forgot what it remembered of cat").isEqualTo(401);
        assertThat(connect(b, "cat again on b", older).awaitClose()).as("b's hub refuses a token issued before")
                .isEqualTo(4401);
        String fresh = TestJwts.hs256(TestJwts.claims("app:cat", c -> c.issueTime(in(2_000))));
        online(b, "cat with a new token on b", fresh);
        online(a, "cat with a new token on a", fresh);
    }

    private static Date in(long millis) {
        return new Date(System.currentTimeMillis() + millis);
    }
}
