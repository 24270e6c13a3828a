package dev.presence.server.support;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;

/**
 * A plain TCP client of the server from a chosen loopback source address (127.0.0.2, ...: Linux routes all of
 * 127/8 to loopback), for what the JDK's clients cannot do: bind the source address, send half a request,
 * or read exactly what the server wrote before it closed.
 */
public final class RawClient implements AutoCloseable {

    private static final ObjectMapper JSON = new ObjectMapper();

    private final Socket socket;
    private final InputStream in;
    /** Everything read that was not consumed by a response or a frame yet. */
    private final ByteArrayOutputStream received = new ByteArrayOutputStream();
    private boolean closedByServer;

    private RawClient(Socket socket) throws IOException {
        this.socket = socket;
        this.in = socket.getInputStream();
    }

    /** Connects to the server on 127.0.0.1 from {@code source} (e.g. "127.0.0.2"). */
    public static RawClient connect(String source, int port) throws IOException {
        Socket socket = new Socket();
        socket.setSoLinger(true, 0); // no TIME_WAIT left behind by tests
        socket.bind(new InetSocketAddress(address(source), 0));
        socket.connect(new InetSocketAddress(address("127.0.0.1"), port), 5_000);
        return new RawClient(socket);
    }

    private static InetAddress address(String literal) throws UnknownHostException {
        return InetAddress.getByName(literal);
    }

    public void send(String ascii) throws IOException {
        send(ascii.getBytes(StandardCharsets.ISO_8859_1));
    }

    public void send(byte[] bytes) throws IOException {
        socket.getOutputStream().write(bytes);
        socket.getOutputStream().flush();
    }

    /** A one-shot HTTP request: sends it, reads the whole response (it asks the server to close). */
    public static String request(String source, int port, String method, String path, String headers, byte[] body)
            throws IOException {
        try (RawClient client = connect(source, port)) {
            client.socket.setSoTimeout(10_000);
            byte[] head = (method + " " + path + " HTTP/1.1\r\nHost: 127.0.0.1:" + port + "\r\nConnection: close\r\n"
                    + headers + (body == null ? "" : "Content-Length: " + body.length + "\r\n") + "\r\n")
                    .getBytes(StandardCharsets.ISO_8859_1);
            client.send(head);
            if (body != null) {
                client.send(body);
            }
            return new String(client.in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }

    /**
     * Reads until the server closes the connection (or resets it), for at most {@code atMost}; returns what it
     * wrote before, or null if it was still open then.
     */
    public String readUntilClosed(Duration atMost) throws IOException {
        long deadline = System.nanoTime() + atMost.toNanos();
        byte[] buffer = new byte[4096];
        while (true) {
            long left = deadline - System.nanoTime();
            if (left <= 0) {
                return null;
            }
            socket.setSoTimeout((int) Math.max(1, left / 1_000_000));
            try {
                int n = in.read(buffer);
                if (n < 0) {
                    return received.toString(StandardCharsets.UTF_8);
                }
                received.write(buffer, 0, n);
            } catch (SocketTimeoutException e) {
                return null;
            } catch (SocketException e) {
                return received.toString(StandardCharsets.UTF_8); // reset: closed as well
            }
        }
    }

    /** Upgrades to a WebSocket with the token in the header; returns the response head (101 on success). */
    public String upgrade(String token) throws IOException {
        socket.setSoTimeout(10_000);
        send("GET /ws HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                + "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n"
                + (token == null ? "" : "Authorization: Bearer " + token + "\r\n") + "\r\n");
        ByteArrayOutputStream head = new ByteArrayOutputStream();
        while (!head.toString(StandardCharsets.ISO_8859_1).endsWith("\r\n\r\n")) {
            int b = in.read();
            if (b < 0) {
                throw new IOException("closed during the upgrade: " + head.toString(StandardCharsets.ISO_8859_1));
            }
            head.write(b);
        }
        return head.toString(StandardCharsets.ISO_8859_1);
    }

    /** The next text frame from the server, as JSON (server frames are not masked). */
    public JsonNode readFrame() throws IOException {
        DataInputStream data = new DataInputStream(in);
        int first = data.readUnsignedByte();
        int second = data.readUnsignedByte();
        long length = second & 0x7F;
        if (length == 126) {
            length = data.readUnsignedShort();
        } else if (length == 127) {
            length = data.readLong();
        }
        byte[] payload = new byte[(int) length];
        data.readFully(payload);
        if ((first & 0x0F) != 1) {
            throw new IOException("not a text frame: opcode " + (first & 0x0F));
        }
        return JSON.readTree(payload);
    }

    /** Whether the server has closed (or reset) the connection by now; waits at most a millisecond. */
    public boolean closedByServer() {
        if (closedByServer) {
            return true;
        }
        try {
            closedByServer = readUntilClosed(Duration.ofMillis(1)) != null;
        } catch (IOException e) {
            closedByServer = true;
        }
        return closedByServer;
    }

    @Override
    public void close() throws IOException {
        socket.close();
    }
}
