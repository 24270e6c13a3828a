package dev.presence.bench;

import com.fasterxml.jackson.databind.node.ObjectNode;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;

/**
 * One generator process of a scenario that needs more sockets than one process may open (20,000 files here).
 * It connects users {@code [from, to)} of a token file, then answers its parent on stdin/stdout: {@code stats}
 * prints one JSON line of counters, {@code quit} closes everything and exits.
 */
@Command(name = "gen", hidden = true, description = "Internal: one generator process of a multi-process run.")
final class GeneratorCommand implements Callable<Integer> {

    @Option(names = "--port", required = true)
    int port;
    @Option(names = "--tokens", required = true)
    Path tokens;
    @Option(names = "--from", required = true)
    int from;
    @Option(names = "--to", required = true)
    int to;
    @Option(names = "--users", required = true)
    int users;
    @Option(names = "--source-offset", defaultValue = "0")
    int sourceOffset;
    @Option(names = "--threads", defaultValue = "2")
    int threads;

    @Override
    public Integer call() throws Exception {
        List<String> all = Files.readAllLines(tokens);
        int count = to - from;
        try (Fleet fleet = new Fleet("127.0.0.1", port, threads, sourceOffset, Fleet.sourcesFor(count),
                new Fleet.Listener() { })) {
            List<Session> sessions = new ArrayList<>(count);
            for (int u = from; u < to; u++) {
                sessions.add(fleet.newSession(u, all.get(u), users));
            }
            int sockets = Limits.socketsPerProcess();
            List<Session> toOpen = sessions;
            String limit = null;
            if (count > sockets) {
                limit = "open files limit " + Limits.openFilesLimit() + " reached: this generator process opens at most "
                        + sockets + " of its " + count + " sessions";
                toOpen = sessions.subList(0, sockets);
            }
            fleet.connectAll(toOpen, 500, 120_000);
            if (limit == null) {
                limit = fleet.limitHit;
            }
            System.out.println(stats(fleet, limit));
            System.out.flush();
            BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
            for (String line; (line = in.readLine()) != null; ) {
                if (line.equals("stats")) {
                    System.out.println(stats(fleet, limit != null ? limit : fleet.limitHit));
                    System.out.flush();
                } else if (line.equals("quit")) {
                    break;
                }
            }
        }
        return 0;
    }

    static String stats(Fleet fleet, String limit) {
        ObjectNode o = Report.JSON.createObjectNode();
        o.put("open", fleet.openSessions.get());
        o.put("pings", fleet.pings.sum());
        o.put("pongs", fleet.pongs.sum());
        o.put("offline", fleet.offlineEvents.sum());
        o.put("online", fleet.onlineEvents.sum());
        o.put("server_closes", fleet.serverCloses.sum());
        o.put("failures", fleet.connectFailures.sum() + fleet.handshakeFailures.sum());
        if (limit != null) {
            o.put("limit", limit);
        }
        if (fleet.lastFailure != null) {
            o.put("last_failure", fleet.lastFailure);
        }
        return o.toString();
    }
}
