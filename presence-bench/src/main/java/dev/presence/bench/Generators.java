package dev.presence.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Holds N idle sessions, in this process when they fit under its open-files limit, else spread over child
 * generator processes ({@link GeneratorCommand}) of at most {@code perProcess} sockets each.
 */
abstract class Generators implements AutoCloseable {

    /** Summed counters: open, pings, pongs, offline, online, server_closes, failures, limit. */
    abstract ObjectNode stats() throws IOException;

    abstract int processes();

    @Override
    public abstract void close();

    static Generators start(int port, List<String> tokens, Path tokenFile, int users, int perProcess, int threads)
            throws Exception {
        if (users <= perProcess) {
            return new Local(port, tokens, users, threads);
        }
        return new Children(port, tokenFile, users, perProcess, threads);
    }

    static final class Local extends Generators {
        final Fleet fleet;
        final String limit;

        Local(int port, List<String> tokens, int users, int threads) throws InterruptedException {
            fleet = new Fleet("127.0.0.1", port, threads, Fleet.sourcesFor(users), new Fleet.Listener() { });
            List<Session> sessions = new ArrayList<>(users);
            for (int u = 0; u < users; u++) {
                sessions.add(fleet.newSession(u, tokens.get(u), users));
            }
            int sockets = Limits.socketsPerProcess();
            String l = null;
            if (users > sockets) {
                l = "open files limit " + Limits.openFilesLimit() + " reached: one process opens at most " + sockets;
                sessions = sessions.subList(0, sockets);
            }
            fleet.connectAll(sessions, 500, 180_000);
            limit = l != null ? l : fleet.limitHit;
        }

        @Override
        ObjectNode stats() {
            return (ObjectNode) parse(GeneratorCommand.stats(fleet, limit != null ? limit : fleet.limitHit));
        }

        @Override
        int processes() {
            return 1;
        }

        @Override
        public void close() {
            fleet.close();
        }
    }

    static final class Children extends Generators {
        final List<Process> children = new ArrayList<>();
        final List<BufferedReader> outs = new ArrayList<>();
        final List<Writer> ins = new ArrayList<>();

        Children(int port, Path tokenFile, int users, int perProcess, int threads) throws IOException {
            int count = (users + perProcess - 1) / perProcess;
            int per = (users + count - 1) / count;
            String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
            int sourceOffset = 0;
            for (int from = 0; from < users; from += per) {
                int to = Math.min(users, from + per);
                Process p = new ProcessBuilder(java, "-Xmx1g", "-Djava.awt.headless=true",
                        "-cp", System.getProperty("java.class.path"), BenchMain.class.getName(), "gen",
                        "--port", Integer.toString(port), "--tokens", tokenFile.toString(),
                        "--from", Integer.toString(from), "--to", Integer.toString(to),
                        "--users", Integer.toString(users), "--threads", Integer.toString(Math.max(1, threads / count)),
                        "--source-offset", Integer.toString(sourceOffset))
                        .redirectError(ProcessBuilder.Redirect.INHERIT).start();
                sourceOffset += Fleet.sourcesFor(to - from);
                children.add(p);
                outs.add(new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8)));
                ins.add(new java.io.OutputStreamWriter(p.getOutputStream(), StandardCharsets.UTF_8));
            }
            for (BufferedReader out : outs) {
                readJson(out); // each prints its stats once all its sessions connected or failed
            }
        }

        private static JsonNode readJson(BufferedReader out) throws IOException {
            for (String line; (line = out.readLine()) != null; ) {
                if (line.startsWith("{")) {
                    return parse(line);
                }
            }
            throw new IOException("generator process ended without stats");
        }

        @Override
        ObjectNode stats() throws IOException {
            ObjectNode sum = Report.JSON.createObjectNode();
            for (int i = 0; i < children.size(); i++) {
                ins.get(i).write("stats\n");
                ins.get(i).flush();
                JsonNode s = readJson(outs.get(i));
                for (String f : List.of("open", "pings", "pongs", "offline", "online", "server_closes", "failures")) {
                    sum.put(f, sum.path(f).asLong() + s.path(f).asLong());
                }
                if (s.has("limit") && !sum.has("limit")) {
                    sum.put("limit", s.get("limit").asText());
                }
                if (s.has("last_failure")) {
                    sum.put("last_failure", s.get("last_failure").asText());
                }
            }
            return sum;
        }

        @Override
        int processes() {
            return children.size();
        }

        @Override
        public void close() {
            for (int i = 0; i < children.size(); i++) {
                try {
                    ins.get(i).write("quit\n");
                    ins.get(i).flush();
                } catch (IOException e) {
                    // already gone
                }
            }
            for (Process p : children) {
                try {
                    if (!p.waitFor(15, TimeUnit.SECONDS)) {
                        p.destroyForcibly();
                    }
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    p.destroyForcibly();
                }
            }
        }
    }

    static JsonNode parse(String json) {
        try {
            return Report.JSON.readTree(json);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }
}
