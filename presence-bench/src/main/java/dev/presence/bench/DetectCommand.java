package dev.presence.bench;

import picocli.CommandLine.Command;

@Command(name = "detect", mixinStandardHelpOptions = true)
final class DetectCommand extends Scenario {
    @Override
    String name() {
        return "detect";
    }

    @Override
    void run() {
        broken.add("not written yet");
    }
}
