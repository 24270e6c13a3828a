package dev.presence.bench;

import com.fasterxml.jackson.databind.JsonNode;
import org.jfree.chart.ChartFactory;
import org.jfree.chart.ChartUtils;
import org.jfree.chart.JFreeChart;
import org.jfree.chart.axis.LogarithmicAxis;
import org.jfree.chart.axis.NumberAxis;
import org.jfree.chart.plot.ValueMarker;
import org.jfree.chart.plot.XYPlot;
import org.jfree.chart.renderer.xy.XYLineAndShapeRenderer;
import org.jfree.chart.ui.RectangleAnchor;
import org.jfree.chart.ui.TextAnchor;
import org.jfree.data.xy.XYSeries;
import org.jfree.data.xy.XYSeriesCollection;

import java.awt.BasicStroke;
import java.awt.Color;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** The two PNGs of the report, drawn with JFreeChart (headless). */
final class Plots {

    private Plots() {
    }

    /** Heap and RSS per session against N, with the targets and the bare-Netty baseline. */
    static Path densityPlot(JsonNode density, Path dir, String date) throws IOException {
        JsonNode runs = density.path("runs");
        if (runs.size() == 0) {
            return null;
        }
        XYSeries heap = new XYSeries("heap after full GC / session");
        XYSeries rss = new XYSeries("RSS / session");
        for (JsonNode r : runs) {
            if (r.has("heap_bytes_per_session")) {
                heap.add(r.path("sessions").asDouble(), r.path("heap_bytes_per_session").asDouble() / 1024);
                rss.add(r.path("sessions").asDouble(), r.path("rss_bytes_per_session").asDouble() / 1024);
            }
        }
        XYSeriesCollection data = new XYSeriesCollection();
        data.addSeries(heap);
        data.addSeries(rss);
        JFreeChart chart = ChartFactory.createXYLineChart("Server memory per idle session", "sessions (N)",
                "KB per session", data);
        XYPlot plot = chart.getXYPlot();
        style(plot);
        plot.getRenderer().setSeriesPaint(0, new Color(0x1f77b4));
        plot.getRenderer().setSeriesPaint(1, new Color(0xd62728));
        plot.addRangeMarker(marker(3.5, "heap target 3.5 KB", new Color(0x1f77b4)));
        plot.addRangeMarker(marker(7.0, "RSS target 7 KB", new Color(0xd62728)));
        plot.addRangeMarker(marker(2.1, "bare Netty WS heap 2.1 KB", Color.GRAY));
        ((NumberAxis) plot.getRangeAxis()).setAutoRangeIncludesZero(true);
        Path file = dir.resolve("density-memory-" + date + (density.path("quick").asBoolean() ? "-quick" : "") + ".png");
        Files.createDirectories(dir);
        ChartUtils.saveChartAsPNG(file.toFile(), chart, 900, 560);
        return file;
    }

    /** Latency percentiles (close to receipt) against achieved deliveries per second. */
    static Path fanoutPlot(JsonNode fanout, Path dir, String date) throws IOException {
        JsonNode steps = fanout.path("steps");
        if (steps.size() == 0) {
            return null;
        }
        String[] ps = {"p50", "p90", "p99", "p999", "max"};
        XYSeriesCollection data = new XYSeriesCollection();
        for (String p : ps) {
            XYSeries s = new XYSeries(p);
            for (JsonNode step : steps) {
                JsonNode lat = step.path("offline_latency_ms");
                if (lat.has(p)) {
                    s.add(step.path("offered_deliveries_per_second").asDouble(), Math.max(0.01, lat.path(p).asDouble()));
                }
            }
            data.addSeries(s);
        }
        JFreeChart chart = ChartFactory.createXYLineChart("Close to co-member receipt (user_status_changed)",
                "offered deliveries per second (achieved: see the JSON)", "latency (ms, log)", data);
        XYPlot plot = chart.getXYPlot();
        style(plot);
        LogarithmicAxis log = new LogarithmicAxis("latency (ms, log scale)");
        log.setStrictValuesFlag(false);
        log.setExpTickLabelsFlag(false);
        plot.setRangeAxis(log);
        plot.addRangeMarker(marker(50, "p99 target 50 ms", Color.RED));
        ValueMarker x = new ValueMarker(100_000, Color.GRAY, new BasicStroke(1f));
        x.setLabel("100k/s");
        x.setLabelAnchor(RectangleAnchor.TOP_RIGHT);
        x.setLabelTextAnchor(TextAnchor.TOP_LEFT);
        plot.addDomainMarker(x);
        int k = fanout.path("thread_size").asInt(Ring.THREAD_SIZE);
        if (k != Ring.THREAD_SIZE) {
            chart.setTitle("Close to co-member receipt, threads of " + k + " (" + 4 * (k - 1) + " deliveries per cycle)");
        } else {
            chart.setTitle("Close to co-member receipt, 5 threads of 5 (16 deliveries per cycle)");
        }
        Path file = dir.resolve("fanout-latency-" + date + (k != Ring.THREAD_SIZE ? "-k" + k : "")
                + (fanout.path("quick").asBoolean() ? "-quick" : "") + ".png");
        Files.createDirectories(dir);
        ChartUtils.saveChartAsPNG(file.toFile(), chart, 900, 560);
        return file;
    }

    /** Connect attempts and welcomes per 100 ms after the kill, one line per jitter setting. */
    static Path stormPlot(JsonNode storm, Path dir, String date) throws IOException {
        XYSeriesCollection data = new XYSeriesCollection();
        for (JsonNode phase : storm.path("phases")) {
            XYSeries s = new XYSeries("attempts/s, jitter " + phase.path("jitter").asText());
            JsonNode buckets = phase.path("attempts_per_100ms");
            for (int i = 0; i < buckets.size(); i++) {
                s.add(i / 10.0, buckets.get(i).asDouble() * 10);
            }
            data.addSeries(s);
        }
        if (data.getSeriesCount() == 0) {
            return null;
        }
        JFreeChart chart = ChartFactory.createXYLineChart("Reconnect storm: connect attempts after the server is killed",
                "seconds since kill", "attempts per second (100 ms buckets)", data);
        XYPlot plot = chart.getXYPlot();
        style(plot);
        plot.getRenderer().setDefaultStroke(new BasicStroke(1f));
        ((XYLineAndShapeRenderer) plot.getRenderer()).setDefaultShapesVisible(false);
        Path file = dir.resolve("storm-connects-" + date + (storm.path("quick").asBoolean() ? "-quick" : "") + ".png");
        Files.createDirectories(dir);
        ChartUtils.saveChartAsPNG(file.toFile(), chart, 900, 560);
        return file;
    }

    /**
     * Both servers side by side: server CPU per delivery (left) and p99 send-to-receipt (right) against
     * offered deliveries per second, one colour per audience size, presence solid and baseline dashed.
     */
    static Path deliverPlot(JsonNode deliver, Path dir, String date) throws IOException {
        JFreeChart cpu = deliverChart(deliver, "Server CPU per delivery", "CPU microseconds per delivery (log)",
                step -> step.path("cpu_us_per_delivery").asDouble(Double.NaN));
        JFreeChart p99 = deliverChart(deliver, "Send to receipt, p99", "p99 latency (ms, log)",
                step -> step.path("latency_ms").path("p99").asDouble(Double.NaN));
        if (cpu == null) {
            return null;
        }
        java.awt.image.BufferedImage img = new java.awt.image.BufferedImage(1600, 620,
                java.awt.image.BufferedImage.TYPE_INT_RGB);
        java.awt.Graphics2D g = img.createGraphics();
        cpu.draw(g, new java.awt.geom.Rectangle2D.Double(0, 0, 800, 620));
        p99.draw(g, new java.awt.geom.Rectangle2D.Double(800, 0, 800, 620));
        g.dispose();
        Path file = dir.resolve("deliver-" + date + (deliver.path("quick").asBoolean() ? "-quick" : "") + ".png");
        Files.createDirectories(dir);
        javax.imageio.ImageIO.write(img, "png", file.toFile());
        return file;
    }

    private static JFreeChart deliverChart(JsonNode deliver, String title, String yLabel,
                                           java.util.function.ToDoubleFunction<JsonNode> y) {
        Color[] colours = {new Color(0x1f77b4), new Color(0xff7f0e), new Color(0x2ca02c), new Color(0xd62728),
            new Color(0x9467bd), new Color(0x8c564b)};
        XYSeriesCollection data = new XYSeriesCollection();
        java.util.List<Color> paints = new java.util.ArrayList<>();
        java.util.List<Boolean> dashed = new java.util.ArrayList<>();
        int a = 0;
        for (JsonNode size : deliver.path("audiences")) {
            for (String server : new String[] {"presence", "baseline"}) {
                for (JsonNode series : deliver.path("servers").path(server).path("audiences")) {
                    if (series.path("audience").asInt() != size.asInt()) {
                        continue;
                    }
                    XYSeries s = new XYSeries(server + ", " + size.asInt() + " recipients");
                    for (JsonNode step : series.path("steps")) {
                        double v = y.applyAsDouble(step);
                        if (!Double.isNaN(v) && v > 0) {
                            s.add(step.path("offered_deliveries_per_second").asDouble(), v);
                        }
                    }
                    if (s.getItemCount() > 0) {
                        data.addSeries(s);
                        paints.add(colours[a % colours.length]);
                        dashed.add(server.equals("baseline"));
                    }
                }
            }
            a++;
        }
        if (data.getSeriesCount() == 0) {
            return null;
        }
        JFreeChart chart = ChartFactory.createXYLineChart(title, "offered deliveries per second (log)", yLabel, data);
        XYPlot plot = chart.getXYPlot();
        style(plot);
        for (int i = 0; i < paints.size(); i++) {
            plot.getRenderer().setSeriesPaint(i, paints.get(i));
            plot.getRenderer().setSeriesStroke(i, dashed.get(i) ? new BasicStroke(1.5f, BasicStroke.CAP_BUTT,
                    BasicStroke.JOIN_MITER, 10f, new float[] {6f, 4f}, 0f) : new BasicStroke(2f));
        }
        LogarithmicAxis x = new LogarithmicAxis("offered deliveries per second (log)");
        x.setStrictValuesFlag(false);
        x.setExpTickLabelsFlag(false);
        plot.setDomainAxis(x);
        LogarithmicAxis log = new LogarithmicAxis(yLabel);
        log.setStrictValuesFlag(false);
        log.setExpTickLabelsFlag(false);
        plot.setRangeAxis(log);
        return chart;
    }

    private static void style(XYPlot plot) {
        plot.setBackgroundPaint(Color.WHITE);
        plot.setDomainGridlinePaint(Color.LIGHT_GRAY);
        plot.setRangeGridlinePaint(Color.LIGHT_GRAY);
        XYLineAndShapeRenderer r = new XYLineAndShapeRenderer(true, true);
        plot.setRenderer(r);
    }

    private static ValueMarker marker(double value, String label, Color color) {
        ValueMarker m = new ValueMarker(value, color, new BasicStroke(1.2f, BasicStroke.CAP_BUTT, BasicStroke.JOIN_MITER,
                10f, new float[] {6f, 4f}, 0f));
        m.setLabel(label);
        m.setLabelAnchor(RectangleAnchor.TOP_RIGHT);
        m.setLabelTextAnchor(TextAnchor.BOTTOM_RIGHT);
        return m;
    }
}
