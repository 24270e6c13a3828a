package dev.presence.server.config;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** {@code --webhook-url} and {@code --webhook-secret-file}: the secret is the file's trimmed text; no start without it. */
class WebhookOptionsTest {

    @TempDir
    Path dir;

    private static ServerConfig parse(String... args) {
        ServerCommand command = new ServerCommand();
        new CommandLine(command).parseArgs(args);
        return command.toConfig();
    }

    @Test
    void offByDefault() {
        assertThat(parse().webhooks()).isEmpty();
    }

    @Test
    void theSecretIsTheFilesTrimmedText() throws Exception {
        Path secret = Files.writeString(dir.resolve("secret"), "  s3cret\n");
        ServerConfig config = parse("--webhook-url", "https://app.example/hooks/presence", "--webhook-secret-file",
                secret.toString());
        assertThat(config.webhooks()).hasValueSatisfying(w -> {
            assertThat(w.url()).hasToString("https://app.example/hooks/presence");
            assertThat(w.secret()).isEqualTo("s3cret".getBytes(StandardCharsets.UTF_8));
            assertThat(w.toString()).doesNotContain("s3cret");
        });
    }

    @Test
    void aMissingEmptyOrAbsentSecretFileRefusesToStartInOneLine() throws Exception {
        assertThatThrownBy(() -> parse("--webhook-url", "https://app.example/h"))
                .hasMessage("--webhook-url needs --webhook-secret-file (the key of the signatures)");
        assertThatThrownBy(() -> parse("--webhook-url", "https://app.example/h", "--webhook-secret-file",
                dir.resolve("nope").toString())).hasMessageContaining("cannot be read: no such file")
                .hasMessageNotContaining("\n");
        Path blank = Files.writeString(dir.resolve("blank"), " \n\t");
        assertThatThrownBy(() -> parse("--webhook-url", "https://app.example/h", "--webhook-secret-file",
                blank.toString())).hasMessageContaining("is empty");
        Path secret = Files.writeString(dir.resolve("secret"), "k");
        assertThatThrownBy(() -> parse("--webhook-url", "ftp://app.example/h", "--webhook-secret-file",
                secret.toString())).hasMessageContaining("http:// or https://");
        assertThatThrownBy(() -> parse("--webhook-secret-file", secret.toString()))
                .hasMessageContaining("--webhook-url is not");
    }
}
