package dev.presence.bench;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The poster keeps posting when the server closes its keep-alive connections (as the presence server does
 * after its keep-alive timeout): a closed connection is replaced, nothing waits forever.
 */
@Timeout(30)
class EventPosterTest {

    @Test
    void aConnectionTheServerClosesIsReplacedAndPostingGoesOn() throws Exception {
        AtomicInteger served = new AtomicInteger();
        try (ServerSocket server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
            Thread acceptor = new Thread(() -> {
                while (!server.isClosed()) {
                    try (Socket s = server.accept()) {
                        answerOneThenClose(s);
                        served.incrementAndGet();
                    } catch (Exception e) {
                        // closed at the end of the test
                    }
                }
            });
            acceptor.setDaemon(true);
            acceptor.start();
            try (EventPoster poster = new EventPoster("127.0.0.1", server.getLocalPort(), 1, null)) {
                for (int i = 0; i < 5; i++) {
                    poster.post("/deliver", t -> "{\"sent_at_nanos\":" + t + "}");
                }
                await().atMost(Duration.ofSeconds(20)).until(() -> poster.accepted.sum() == 5);
                assertThat(poster.drain(10_000)).isTrue();
                assertThat(poster.reconnects.sum()).isGreaterThanOrEqualTo(4);
                assertThat(poster.lost.sum()).isZero();
            }
        }
        assertThat(served.get()).isGreaterThanOrEqualTo(5);
    }

    /** Reads one request (headers and a Content-Length body), answers 202 and closes: no keep-alive. */
    private static void answerOneThenClose(Socket s) throws Exception {
        BufferedReader in = new BufferedReader(new InputStreamReader(s.getInputStream(), StandardCharsets.US_ASCII));
        int length = 0;
        for (String line = in.readLine(); line != null && !line.isEmpty(); line = in.readLine()) {
            if (line.toLowerCase().startsWith("content-length:")) {
                length = Integer.parseInt(line.substring(15).trim());
            }
        }
        for (int i = 0; i < length; i++) {
            in.read();
        }
        OutputStream out = s.getOutputStream();
        out.write(("HTTP/1.1 202 Accepted\r\nContent-Type: application/json\r\nContent-Length: 15\r\n"
                + "Connection: close\r\n\r\n{\"delivered\":1}").getBytes(StandardCharsets.US_ASCII));
        out.flush();
    }
}
