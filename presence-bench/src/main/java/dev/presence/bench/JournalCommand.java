package dev.presence.bench;

import org.openjdk.jmh.results.RunResult;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.options.Options;
import org.openjdk.jmh.runner.options.OptionsBuilder;
import org.openjdk.jmh.runner.options.TimeValue;
import picocli.CommandLine.Command;

import java.util.Collection;

/** The status journal's cost per status change, by JMH ({@link StatusJournalBenchmark}). */
@Command(name = "journal", mixinStandardHelpOptions = true,
        description = "What the status journal adds to each status change on the presence thread (JMH).")
final class JournalCommand extends Scenario {

    @Override
    String name() {
        return "journal";
    }

    @Override
    void run() throws Exception {
        OptionsBuilder options = new OptionsBuilder();
        options.include(StatusJournalBenchmark.class.getName() + "\\.");
        if (common.quick) {
            // in this JVM, briefly: checks the benchmark runs, not its speed
            options.forks(0).warmupIterations(1).warmupTime(TimeValue.milliseconds(200))
                    .measurementIterations(1).measurementTime(TimeValue.milliseconds(200));
        } else {
            options.forks(2).warmupIterations(5).warmupTime(TimeValue.seconds(1))
                    .measurementIterations(5).measurementTime(TimeValue.seconds(1));
        }
        Options built = options.shouldFailOnError(true).build();
        Collection<RunResult> results = new Runner(built).run();
        report.header("benchmark", "ns per operation", "± (99.9 %)");
        var out = report.root.putObject("ns_per_operation");
        for (RunResult r : results) {
            String label = r.getParams().getBenchmark();
            label = label.substring(label.lastIndexOf('.') + 1);
            double score = r.getPrimaryResult().getScore();
            double error = r.getPrimaryResult().getScoreError();
            out.putObject(label).put("score", score).put("error", Double.isNaN(error) ? 0 : error);
            report.row(label, score, error);
        }
        report.note("on the presence thread, per status change; JMH AverageTime");
    }
}
