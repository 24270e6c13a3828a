package dev.presence.bench;

import com.fasterxml.jackson.databind.JsonNode;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.nio.file.Path;
import java.util.concurrent.Callable;

/** Redraws the PNGs from result files, e.g. after merging density runs. */
@Command(name = "plot", mixinStandardHelpOptions = true, description = "Draw the PNGs from result JSON files.")
final class PlotCommand implements Callable<Integer> {

    @Option(names = "--density", paramLabel = "JSON", description = "A density result.")
    Path density;

    @Option(names = "--fanout", paramLabel = "JSON", description = "A fanout result.")
    Path fanout;

    @Option(names = "--storm", paramLabel = "JSON", description = "A storm result.")
    Path storm;

    @Option(names = "--deliver", paramLabel = "JSON", description = "A deliver result (both servers side by side).")
    Path deliver;

    @Option(names = "--results-dir", defaultValue = "bench/results", paramLabel = "DIR")
    Path resultsDir;

    @Override
    public Integer call() throws Exception {
        if (density != null) {
            JsonNode d = Report.JSON.readTree(density.toFile());
            System.out.println("wrote " + Plots.densityPlot(d, resultsDir, d.path("started_at").asText().substring(0, 10)));
        }
        if (fanout != null) {
            JsonNode f = Report.JSON.readTree(fanout.toFile());
            System.out.println("wrote " + Plots.fanoutPlot(f, resultsDir, f.path("started_at").asText().substring(0, 10)));
        }
        if (storm != null) {
            JsonNode s = Report.JSON.readTree(storm.toFile());
            System.out.println("wrote " + Plots.stormPlot(s, resultsDir, s.path("started_at").asText().substring(0, 10)));
        }
        if (deliver != null) {
            JsonNode d = Report.JSON.readTree(deliver.toFile());
            System.out.println("wrote " + Plots.deliverPlot(d, resultsDir, d.path("started_at").asText().substring(0, 10)));
        }
        return 0;
    }
}
