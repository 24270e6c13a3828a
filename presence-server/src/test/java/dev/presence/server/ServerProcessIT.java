package dev.presence.server;

import dev.presence.server.support.Api;
import dev.presence.server.support.Api.Account;
import dev.presence.server.support.WsProbe;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** The packaged jar as the README runs it: starts, serves, and on SIGTERM closes sockets with 1012. */
class ServerProcessIT {

    private static final Pattern LISTENING = Pattern.compile("Listening on (http://[0-9.]+:\\d+)");

    @TempDir
    Path dataDir;

    @Test
    void theJarRunsAndStopsCleanlyOnSigterm() throws Exception {
        Path jar = Path.of("target", "presence-server.jar").toAbsolutePath();
        Process process = new ProcessBuilder(javaBinary(), "-jar", jar.toString(), "--port", "0",
                "--data-dir", dataDir.toString()).redirectErrorStream(true).start();
        List<String> output = new CopyOnWriteArrayList<>();
        Thread reader = new Thread(() -> {
            try (BufferedReader in = new BufferedReader(new InputStreamReader(process.getInputStream(),
                    StandardCharsets.UTF_8))) {
                in.lines().forEach(output::add);
            } catch (Exception ignored) {
                // the process ended
            }
        });
        reader.start();
        try {
            await().atMost(Duration.ofSeconds(60)).until(() -> output.stream().anyMatch(l -> LISTENING.matcher(l).find()));
            Matcher m = output.stream().map(LISTENING::matcher).filter(Matcher::find).findFirst().orElseThrow();
            URI base = URI.create(m.group(1));
            Api api = new Api(base);
            assertThat(api.get("/health", null).raw()).isEqualTo("{\"status\":\"ok\"}");
            Account ann = api.signUp("ann");
            WsProbe probe = WsProbe.online("ann", URI.create("ws://" + base.getAuthority() + "/ws"), ann.token());

            // SIGTERM through kill(1): Process.destroy() would also close our end of its output
            new ProcessBuilder("kill", "-TERM", Long.toString(process.pid())).start().waitFor();

            assertThat(probe.awaitClose()).isEqualTo(1012);
            assertThat(process.waitFor(30, TimeUnit.SECONDS)).isTrue();
            reader.join(5_000);
            assertThat(output).anyMatch(l -> l.contains("Stopped"));
        } finally {
            process.destroyForcibly();
        }
    }

    @Test
    void aBadOptionStopsTheJarWithAClearMessage() throws Exception {
        Path jar = Path.of("target", "presence-server.jar").toAbsolutePath();
        Process process = new ProcessBuilder(javaBinary(), "-jar", jar.toString(), "--heartbeat-timeout", "0s",
                "--data-dir", dataDir.toString()).redirectErrorStream(true).start();
        String out = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(process.waitFor(30, TimeUnit.SECONDS)).isTrue();
        assertThat(process.exitValue()).isEqualTo(2);
        assertThat(out).contains("heartbeat timeout must be positive, not 0ms").doesNotContain("Exception");
    }

    private static String javaBinary() {
        return Path.of(System.getProperty("java.home"), "bin", "java").toString();
    }
}
