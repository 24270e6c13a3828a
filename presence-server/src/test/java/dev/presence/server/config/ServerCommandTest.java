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
        assertThatThrownBy(() -> Durations.parse("20h")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> Durations.parse("99999999999999999999s")).isInstanceOf(IllegalArgumentException.class);
    }
}
