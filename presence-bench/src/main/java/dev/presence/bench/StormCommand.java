package dev.presence.bench;

import picocli.CommandLine.Command;

@Command(name = "storm", mixinStandardHelpOptions = true)
final class StormCommand extends Scenario {
    @Override
    String name() {
        return "storm";
    }

    @Override
    void run() {
        broken.add("not written yet");
    }
}
