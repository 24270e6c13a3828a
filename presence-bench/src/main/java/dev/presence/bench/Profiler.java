package dev.presence.bench;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Where the server's CPU goes: a JFR recording (jcmd JFR.start/JFR.stop) read back with {@code jfr print},
 * counting execution samples by top frame and by the first project frame ({@code dev.presence}) on the stack.
 */
final class Profiler {

    private Profiler() {
    }

    static void start(ServerProcess server, Path file) throws IOException, InterruptedException {
        jdkTool("jcmd", Long.toString(server.pid()), "JFR.start", "name=bench", "settings=profile",
                "filename=" + file);
    }

    static ObjectNode stop(ServerProcess server, Path file, int top) throws IOException, InterruptedException {
        jdkTool("jcmd", Long.toString(server.pid()), "JFR.stop", "name=bench");
        String text = jdkTool("jfr", "print", "--events", "jdk.ExecutionSample", file.toString());
        Map<String, Integer> topFrames = new HashMap<>();
        Map<String, Integer> projectFrames = new HashMap<>();
        int samples = 0;
        String[] lines = text.split("\n");
        for (int i = 0; i < lines.length; i++) {
            if (!lines[i].trim().startsWith("stackTrace = [")) {
                continue;
            }
            samples++;
            String first = i + 1 < lines.length ? frame(lines[i + 1]) : "?";
            topFrames.merge(first, 1, Integer::sum);
            for (int j = i + 1; j < lines.length && !lines[j].trim().startsWith("]"); j++) {
                String f = frame(lines[j]);
                if (f.startsWith("dev.presence.")) {
                    projectFrames.merge(f, 1, Integer::sum);
                    break;
                }
            }
        }
        ObjectNode out = Report.JSON.createObjectNode();
        out.put("samples", samples);
        out.set("top_frames", ranked(topFrames, samples, top));
        out.set("first_project_frames", ranked(projectFrames, samples, top));
        return out;
    }

    private static ArrayNode ranked(Map<String, Integer> counts, int samples, int top) {
        ArrayNode a = Report.JSON.createArrayNode();
        counts.entrySet().stream().sorted(Map.Entry.<String, Integer>comparingByValue().reversed()).limit(top)
                .forEach(e -> a.addObject().put("frame", e.getKey()).put("samples", e.getValue())
                        .put("share", samples == 0 ? 0 : e.getValue() / (double) samples));
        return a;
    }

    private static String frame(String line) {
        String t = line.trim();
        int paren = t.indexOf('(');
        return paren > 0 ? t.substring(0, paren) : t;
    }

    private static String jdkTool(String tool, String... args) throws IOException, InterruptedException {
        Path exe = Path.of(System.getProperty("java.home"), "bin", tool);
        String[] cmd = new String[args.length + 1];
        cmd[0] = Files.isExecutable(exe) ? exe.toString() : tool;
        System.arraycopy(args, 0, cmd, 1, args.length);
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        byte[] out = p.getInputStream().readAllBytes();
        if (!p.waitFor(120, TimeUnit.SECONDS)) {
            p.destroyForcibly();
        }
        return new String(out, StandardCharsets.UTF_8);
    }
}
