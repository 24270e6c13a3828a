package dev.presence.bench;

import picocli.CommandLine.Command;

@Command(name = "fanout", mixinStandardHelpOptions = true)
final class FanoutCommand extends Scenario {
    @Override
    String name() {
        return "fanout";
    }

    @Override
    void run() {
        broken.add("not written yet");
    }
}
