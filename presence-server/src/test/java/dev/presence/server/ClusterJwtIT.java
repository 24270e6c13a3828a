package dev.presence.server;

import dev.presence.server.support.ClusterNodes;
import dev.presence.server.support.ServerJarProcess;
import dev.presence.server.support.TestJwts;
import dev.presence.server.support.WsProbe;
import dev.presence.testkit.RedisServerExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Date;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The app's JWTs with the packaged jar: in cluster mode (separate JVM nodes, PostgreSQL, the test's own
 * {@code redis-server}) a revocation done through node a closes the JWT's socket on node b, which then refuses the
 * revoked token and accepts a newer one; and a bad key file stops the jar with one line. The cluster test is
 * skipped with a message without PostgreSQL or {@code redis-server} (unless {@code CI=true}).
 */
class ClusterJwtIT {

    @RegisterExtension
    static final RedisServerExtension redis = new RedisServerExtension();

    @TempDir
    Path dataRoot;

    @Test
    void aRevocationThroughNodeAClosesTheJwtSocketOnNodeB() {
        Path secret = TestJwts.secretFile(dataRoot);
        List<WsProbe> probes = new ArrayList<>();
        try (ClusterNodes cluster = new ClusterNodes(dataRoot, redis.url(), "--jwt-secret-file", secret.toString(),
                "--heartbeat-interval", "2s", "--heartbeat-timeout", "2s", "--drain", "500ms")
                .add("a", "b").startAll()) {
            ServerJarProcess a = cluster.node("a");
            ServerJarProcess b = cluster.node("b");
            String old = TestJwts.hs256(TestJwts.claims("app:kim", c -> c.issueTime(in(-5_000))));
            WsProbe onB = WsProbe.online("kim on b", b.ws(), old);
            probes.add(onB);

            assertThat(a.api().call("DELETE", "/api/sessions", old, null).status()).isEqualTo(204);

            assertThat(onB.awaitClose()).isEqualTo(4401);
            assertThat(b.api().get("/api/me", old).status()).isEqualTo(401);
            WsProbe again = WsProbe.connect("kim again on b", b.ws(), old);
            probes.add(again);
            assertThat(again.awaitClose()).isEqualTo(4401);
            String fresh = TestJwts.hs256(TestJwts.claims("app:kim", c -> c.issueTime(in(2_000))));
            probes.add(WsProbe.online("kim with a new token on b", b.ws(), fresh));
        } finally {
            probes.forEach(WsProbe::close);
        }
    }

    @Test
    void aBadKeyFileStopsTheJarWithOneLine() throws Exception {
        Path key = Files.writeString(dataRoot.resolve("key.pem"), "not a key\n");
        Path jar = Path.of("target", "presence-server.jar").toAbsolutePath();
        Process process = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-jar", jar.toString(), "--port", "0", "--data-dir", dataRoot.resolve("data").toString(),
                "--jwt-public-key-file", key.toString()).start();
        assertThat(process.waitFor(60, TimeUnit.SECONDS)).as("the process ends").isTrue();
        List<String> stderr = new String(process.getErrorStream().readAllBytes()).lines().toList();
        String stdout = new String(process.getInputStream().readAllBytes());
        assertThat(process.exitValue()).isEqualTo(2);
        assertThat(stderr).hasSize(1);
        assertThat(stderr.get(0)).startsWith("presence-server: --jwt-public-key-file " + key)
                .contains("PEM public key");
        assertThat(stdout).doesNotContain("Exception");
        await().atMost(Duration.ofSeconds(1)).until(() -> !process.isAlive());
    }

    private static Date in(long millis) {
        return new Date(System.currentTimeMillis() + millis);
    }
}
