package dev.presence.testkit;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketException;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * A TCP proxy on loopback that can simulate a dead network: {@link #blackhole()} stops forwarding in both
 * directions without closing anything (like a cable pulled, a NAT mapping dropped, a phone gone out of
 * range), {@link #restore()} forwards again, and {@link #cut()} resets every connection and refuses new
 * ones until restored. While blackholed, new connections are still accepted but carry nothing.
 */
public final class FaultProxy implements AutoCloseable {

    private final ServerSocket listener;
    private final InetSocketAddress upstream;
    private final ExecutorService threads = Executors.newCachedThreadPool(r -> {
        Thread t = new Thread(r, "fault-proxy");
        t.setDaemon(true);
        return t;
    });
    private final List<Socket> sockets = new CopyOnWriteArrayList<>();
    private final Object gate = new Object();
    private volatile boolean forwarding = true;
    private volatile boolean refusing;
    private volatile boolean closed;

    public FaultProxy(int upstreamPort) throws IOException {
        this(new InetSocketAddress(InetAddress.getLoopbackAddress(), upstreamPort));
    }

    public FaultProxy(InetSocketAddress upstream) throws IOException {
        this.upstream = upstream;
        this.listener = new ServerSocket(0, 200, InetAddress.getLoopbackAddress());
        threads.execute(this::acceptLoop);
    }

    /** The port clients connect to instead of the upstream's. */
    public int port() {
        return listener.getLocalPort();
    }

    /** Stops forwarding bytes in both directions; connections stay open and silent. */
    public void blackhole() {
        forwarding = false;
    }

    /** Resets every connection and refuses new ones until {@link #restore()}. */
    public void cut() {
        refusing = true;
        closeAll();
    }

    /** Forwards again (bytes held while blackholed are delivered) and accepts new connections. */
    public void restore() {
        refusing = false;
        synchronized (gate) {
            forwarding = true;
            gate.notifyAll();
        }
    }

    /** Resets every connection now (an abrupt loss, no close frame), and keeps accepting new ones. */
    public void resetAll() {
        closeAll();
    }

    /** Connections currently open through the proxy (client side and upstream side are counted once). */
    public int openConnections() {
        return sockets.size() / 2;
    }

    private void acceptLoop() {
        while (!closed) {
            try {
                Socket client = listener.accept();
                if (refusing) {
                    client.setSoLinger(true, 0);
                    client.close();
                    continue;
                }
                threads.execute(() -> bridge(client));
            } catch (IOException e) {
                if (closed) {
                    return;
                }
            }
        }
    }

    private void bridge(Socket client) {
        Socket server = new Socket();
        try {
            client.setTcpNoDelay(true);
            server.setTcpNoDelay(true);
            server.connect(upstream, 5_000);
        } catch (IOException e) {
            closeQuietly(client);
            closeQuietly(server);
            return;
        }
        sockets.add(client);
        sockets.add(server);
        threads.execute(() -> pump(client, server));
        threads.execute(() -> pump(server, client));
    }

    private void pump(Socket from, Socket to) {
        byte[] buffer = new byte[16 * 1024];
        try (InputStream in = from.getInputStream(); OutputStream out = to.getOutputStream()) {
            int n;
            while ((n = in.read(buffer)) >= 0) {
                awaitForwarding();
                out.write(buffer, 0, n);
                out.flush();
            }
        } catch (IOException | InterruptedException e) {
            // the other pump or a reset closed the pair
        } finally {
            sockets.remove(from);
            sockets.remove(to);
            closeQuietly(from);
            closeQuietly(to);
        }
    }

    private void awaitForwarding() throws InterruptedException {
        synchronized (gate) {
            while (!forwarding && !closed) {
                gate.wait();
            }
        }
    }

    private void closeAll() {
        for (Socket socket : sockets) {
            try {
                socket.setSoLinger(true, 0); // RST, not FIN: an abrupt loss
            } catch (SocketException ignored) {
                // already closed
            }
            closeQuietly(socket);
        }
        sockets.clear();
    }

    private static void closeQuietly(java.io.Closeable socket) {
        try {
            socket.close();
        } catch (IOException ignored) {
            // nothing to do
        }
    }

    @Override
    public void close() {
        closed = true;
        synchronized (gate) {
            gate.notifyAll();
        }
        closeQuietly(listener);
        closeAll();
        threads.shutdownNow();
    }
}
