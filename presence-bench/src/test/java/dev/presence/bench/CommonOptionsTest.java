package dev.presence.bench;

import org.junit.jupiter.api.Test;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;

class CommonOptionsTest {

    @Command(name = "probe")
    static final class Probe {
        @Mixin
        CommonOptions common;
    }

    private static CommonOptions parse(String... args) {
        Probe probe = new Probe();
        new CommandLine(probe).parseArgs(args);
        return probe.common;
    }

    @Test
    void quickRunsWriteUnderTargetNotIntoTheTrackedResults() {
        assertThat(parse("--quick").resultsDir()).isEqualTo(Path.of("target", "bench-results"));
    }

    @Test
    void realRunsWriteIntoTheTrackedResults() {
        assertThat(parse().resultsDir()).isEqualTo(Path.of("bench", "results"));
    }

    @Test
    void anExplicitFolderWins() {
        assertThat(parse("--quick", "--results-dir", "/tmp/x").resultsDir()).isEqualTo(Path.of("/tmp/x"));
    }
}
