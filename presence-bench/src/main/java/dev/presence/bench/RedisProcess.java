package dev.presence.bench;

import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * A private {@code redis-server} for one cluster run, on a free port, without persistence (never the shared
 * 6379), measured from outside: {@code INFO} sections over a plain RESP socket and its CPU ticks from /proc.
 */
final class RedisProcess implements AutoCloseable {

    static final String BINARY = "/usr/bin/redis-server";

    final int port;
    private final Process process;

    private RedisProcess(int port, Process process) {
        this.port = port;
        this.process = process;
    }

    /** Whether this machine can run the cluster scenarios' Redis. */
    static boolean available() {
        return Files.isExecutable(Path.of(BINARY));
    }

    /** Starts redis-server on a free loopback port and returns once it answers PING. */
    static RedisProcess start(Path log) throws IOException, InterruptedException {
        if (!available()) {
            throw new IllegalStateException(BINARY + " is missing: install Debian's redis-server for --cluster");
        }
        int port;
        try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            port = s.getLocalPort();
        }
        Process p = new ProcessBuilder(BINARY, "--port", Integer.toString(port), "--bind", "127.0.0.1",
                "--save", "", "--appendonly", "no", "--daemonize", "no")
                .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile())).start();
        RedisProcess redis = new RedisProcess(port, p);
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (System.nanoTime() < deadline) {
            if (!p.isAlive()) {
                throw new IllegalStateException("redis-server exited at start; see " + log);
            }
            try {
                if ("PONG".equals(redis.command("PING"))) {
                    return redis;
                }
            } catch (IOException e) {
                // not listening yet
            }
            Thread.sleep(20);
        }
        redis.close();
        throw new IllegalStateException("redis-server not answering within 20 s; see " + log);
    }

    String url() {
        return "redis://127.0.0.1:" + port;
    }

    long pid() {
        return process.pid();
    }

    /** User + system CPU ticks (1/100 s) Redis used so far: it runs commands on one thread. */
    long cpuTicks() throws IOException {
        return ServerProcess.cpuTicks(pid());
    }

    /** {@code INFO <section>} as field to value (commandstats keep their {@code calls=..,usec=..} strings). */
    Map<String, String> info(String section) throws IOException {
        Map<String, String> out = new LinkedHashMap<>();
        for (String line : command("INFO", section).split("\r?\n")) {
            int colon = line.indexOf(':');
            if (line.isBlank() || line.startsWith("#") || colon < 0) {
                continue;
            }
            out.put(line.substring(0, colon), line.substring(colon + 1).trim());
        }
        return out;
    }

    /** Calls per command name ({@code cmdstat_<name>: calls=...}), scripts' inner commands included. */
    Map<String, Long> commandCalls() throws IOException {
        Map<String, Long> out = new LinkedHashMap<>();
        for (Map.Entry<String, String> e : info("commandstats").entrySet()) {
            if (!e.getKey().startsWith("cmdstat_")) {
                continue;
            }
            for (String part : e.getValue().split(",")) {
                if (part.startsWith("calls=")) {
                    out.put(e.getKey().substring("cmdstat_".length()), Long.parseLong(part.substring(6)));
                }
            }
        }
        return out;
    }

    /** A numeric INFO field, e.g. {@code total_net_input_bytes} of {@code stats}. */
    long infoLong(String section, String field) throws IOException {
        String v = info(section).get(field);
        return v == null ? -1 : Long.parseLong(v);
    }

    /** One command over a fresh connection; the reply as text (bulk, simple or integer). */
    String command(String... args) throws IOException {
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress("127.0.0.1", port), 1_000);
            socket.setSoTimeout(10_000);
            OutputStream out = socket.getOutputStream();
            StringBuilder b = new StringBuilder().append('*').append(args.length).append("\r\n");
            for (String a : args) {
                byte[] bytes = a.getBytes(StandardCharsets.UTF_8);
                b.append('$').append(bytes.length).append("\r\n").append(a).append("\r\n");
            }
            out.write(b.toString().getBytes(StandardCharsets.UTF_8));
            out.flush();
            InputStream in = new BufferedInputStream(socket.getInputStream());
            String head = line(in);
            switch (head.charAt(0)) {
                case '+', ':' -> {
                    return head.substring(1);
                }
                case '-' -> throw new IOException("redis: " + head.substring(1));
                case '$' -> {
                    int len = Integer.parseInt(head.substring(1));
                    if (len < 0) {
                        return null;
                    }
                    byte[] body = in.readNBytes(len);
                    return new String(body, StandardCharsets.UTF_8);
                }
                default -> throw new IOException("unexpected reply: " + head);
            }
        }
    }

    private static String line(InputStream in) throws IOException {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        int c;
        while ((c = in.read()) != -1) {
            if (c == '\r') {
                in.read(); // '\n'
                break;
            }
            b.write(c);
        }
        return b.toString(StandardCharsets.UTF_8);
    }

    @Override
    public void close() {
        process.destroy();
        try {
            if (!process.waitFor(10, TimeUnit.SECONDS)) {
                process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            process.destroyForcibly();
        }
    }
}
