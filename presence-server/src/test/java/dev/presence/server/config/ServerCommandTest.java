package dev.presence.server.config;

import org.junit.jupiter.api.Test;
import picocli.CommandLine;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class ServerCommandTest {

    private static ServerConfig parse(String... args) {
        ServerCommand command = new ServerCommand();
        new CommandLine(command).parseArgs(args);
        return command.toConfig();
    }

    @Test
    void defaultsAreThoseOfTheProtocol() {
        // (assumes no PRESENCE_* variables are set for the test JVM)
        ServerConfig config = parse();
        assertThat(config.port()).isEqualTo(8080);
        assertThat(config.host()).isEqualTo("127.0.0.1");
        assertThat(config.dataDir()).isEqualTo(Path.of("./data"));
        assertThat(config.dbUrl()).isEmpty();
        assertThat(config.heartbeatInterval()).isEqualTo(Duration.ofSeconds(20));
        assertThat(config.heartbeatTimeout()).isEqualTo(Duration.ofSeconds(10));
        assertThat(config.offlineGrace()).isEqualTo(Duration.ofSeconds(3));
        assertThat(config.allowedOrigins()).isEmpty();
        // contract v2, "Trust and hygiene"
        assertThat(config.tokenTtl()).isEqualTo(Duration.ofDays(30));
        assertThat(config.maxTokensPerUser()).isEqualTo(50);
        assertThat(config.maxPendingPerAddress()).isEqualTo(256);
        assertThat(config.requestTimeout()).isEqualTo(Duration.ofSeconds(10));
        assertThat(config.keepAliveTimeout()).isEqualTo(Duration.ofSeconds(60));
        assertThat(config.metricsPort()).isZero();
        // contract v2, "Cluster mode"
        assertThat(config.redisUrl()).isEmpty();
        assertThat(config.nodeLease()).isEqualTo(Duration.ofSeconds(10));
        assertThat(config.nodeId()).isEmpty();
    }

    @Test
    void clusterOptionsAreReadAndNeedASharedDatabase() {
        ServerConfig config = parse("--redis-url", "redis://127.0.0.1:6380", "--db-url",
                "jdbc:postgresql://db/presence", "--node-lease", "4s", "--node-id", "node-a", "--drain", "500ms");
        assertThat(config.redisUrl()).contains("redis://127.0.0.1:6380");
        assertThat(config.nodeLease()).isEqualTo(Duration.ofSeconds(4));
        assertThat(config.nodeId()).contains("node-a");
        assertThat(config.drain()).isEqualTo(Duration.ofMillis(500));
        assertThatThrownBy(() -> parse("--redis-url", "redis://127.0.0.1:6380"))
                .hasMessageContaining("needs a database all nodes share");
        assertThatThrownBy(() -> parse("--redis-url", "127.0.0.1:6380", "--db-url", "jdbc:postgresql://db/p"))
                .hasMessageContaining("redis://host:port");
        assertThatThrownBy(() -> parse("--node-lease", "0s")).hasMessageContaining("node lease");
        assertThat(parse("--page-servers", "ws://127.0.0.1:8082/ws, wss://n3.example/ws").pageServers())
                .containsExactly("ws://127.0.0.1:8082/ws", "wss://n3.example/ws");
        assertThatThrownBy(() -> parse("--page-servers", "ws://x/ws'; script-src *"))
                .hasMessageContaining("--page-servers takes ws:// or wss:// addresses");
    }

    @Test
    void trustOptionsAreRead() {
        ServerConfig config = parse("--token-ttl", "12h", "--max-tokens-per-user", "3", "--max-pending-per-address",
                "8", "--request-timeout", "2s", "--metrics-port", "9100");
        assertThat(config.tokenTtl()).isEqualTo(Duration.ofHours(12));
        assertThat(config.maxTokensPerUser()).isEqualTo(3);
        assertThat(config.maxPendingPerAddress()).isEqualTo(8);
        assertThat(config.requestTimeout()).isEqualTo(Duration.ofSeconds(2));
        assertThat(config.metricsPort()).isEqualTo(9100);
        assertThatThrownBy(() -> parse("--max-tokens-per-user", "0")).hasMessageContaining("at least 1");
        assertThatThrownBy(() -> parse("--metrics-port", "-1")).hasMessageContaining("metrics port");
    }

    @Test
    void flagsAreRead() {
        ServerConfig config = parse("--port", "9000", "--host", "0.0.0.0", "--heartbeat-interval", "500ms",
                "--heartbeat-timeout", "2s", "--offline-grace", "1m", "--allowed-origins",
                "https://a.example, https://b.example", "--db-url", "jdbc:postgresql://db/presence");
        assertThat(config.port()).isEqualTo(9000);
        assertThat(config.host()).isEqualTo("0.0.0.0");
        assertThat(config.heartbeatInterval()).isEqualTo(Duration.ofMillis(500));
        assertThat(config.heartbeatTimeout()).isEqualTo(Duration.ofSeconds(2));
        assertThat(config.offlineGrace()).isEqualTo(Duration.ofMinutes(1));
        assertThat(config.allowedOrigins()).isEqualTo(List.of("https://a.example", "https://b.example"));
        assertThat(config.dbUrl()).contains("jdbc:postgresql://db/presence");
    }

    @Test
    void badValuesAreRefusedWithAClearMessage() {
        assertThatThrownBy(() -> parse("--heartbeat-timeout", "0s"))
                .hasMessage("heartbeat timeout must be positive, not 0ms");
        assertThatThrownBy(() -> parse("--heartbeat-interval", "-5s"))
                .hasMessageContaining("heartbeat interval must be positive");
        assertThatThrownBy(() -> parse("--heartbeat-interval", "soon"))
                .hasMessageContaining("'soon' is not a duration");
        assertThatThrownBy(() -> parse("--port", "70000")).hasMessageContaining("port must be between 0 and 65535");
        assertThatThrownBy(() -> parse("--db-url", "postgres://x")).hasMessageContaining("must be a JDBC URL");
        assertThatThrownBy(() -> parse("--offline-grace", "-1s")).hasMessageContaining("must not be negative");
    }

    @Test
    void durationsParseAndFormat() {
        assertThat(Durations.parse("250ms")).isEqualTo(Duration.ofMillis(250));
        assertThat(Durations.parse(" 20s ")).isEqualTo(Duration.ofSeconds(20));
        assertThat(Durations.parse("3m")).isEqualTo(Duration.ofMinutes(3));
        assertThat(Durations.format(Duration.ofSeconds(20))).isEqualTo("20s");
        assertThat(Durations.format(Duration.ofMillis(1500))).isEqualTo("1500ms");
        assertThat(Durations.format(Duration.ofMinutes(2))).isEqualTo("2m");
        assertThatThrownBy(() -> Durations.parse("20")).isInstanceOf(IllegalArgumentException.class);
        assertThat(Durations.parse("12h")).isEqualTo(Duration.ofHours(12));
        assertThat(Durations.parse("30d")).isEqualTo(Duration.ofDays(30));
        assertThat(Durations.format(Duration.ofDays(30))).isEqualTo("30d");
        assertThat(Durations.format(Duration.ofHours(36))).isEqualTo("36h");
        assertThatThrownBy(() -> Durations.parse("20w")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> Durations.parse("99999999999999999999s")).isInstanceOf(IllegalArgumentException.class);
    }
}
