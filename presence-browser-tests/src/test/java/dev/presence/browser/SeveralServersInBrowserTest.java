package dev.presence.browser;

import dev.presence.server.support.TestServer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.chrome.ChromeDriver;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ThreadLocalRandom;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The page given several WebSocket addresses ({@code ?servers=}), as a cluster's nodes would be: it moves on from
 * one that is down, and after a node stops (1012) it is on another one well within the 3 s offline grace.
 *
 * <p>Three servers in this JVM share one in-memory database, so a login is valid on each: one serves the page and
 * the API, two serve only WebSockets (they allow the page's origin). They do not share presence (each runs
 * single-node), which this test does not need: it checks where and when the page reconnects.
 *
 * <p>The server's Content-Security-Policy allows connections to the page's own origin only ({@code connect-src
 * 'self'}), which also stops WebSockets to other nodes; the test lifts it through the DevTools protocol. Until the
 * server names the other nodes in that header, a page served by a node cannot reach the others in a real browser:
 * see the README's "Web page" section.
 */
class SeveralServersInBrowserTest {

    private static final Duration DEFAULT_GRACE = Duration.ofSeconds(3);
    private static final Pattern ADDRESS = Pattern.compile("(ws://[^\\\\\"]+)");
    /** How the page logs an attempt: {@code connection {\"state\":\"connecting\",...,\"url\":\"ws://...\"}}. */
    private static final String ATTEMPT = "\\\"state\\\":\\\"connecting\\\"";

    private final String database = "jdbc:h2:mem:browser-nodes-" + UUID.randomUUID() + ";DB_CLOSE_DELAY=-1";
    private TestServer page;
    private TestServer nodeB;
    private TestServer nodeC;
    private WebDriver driver;
    private final List<String> console = new ArrayList<>();

    @BeforeEach
    void start() {
        Browsers.requireChromium();
        page = TestServer.create().with(b -> b.heartbeat(PageServer.INTERVAL, PageServer.TIMEOUT)
                .offlineGrace(PageServer.OFFLINE_GRACE).dbUrl(database)).start();
        String origin = "http://" + page.httpUri().getAuthority();
        nodeB = node(origin);
        nodeC = node(origin);
        driver = Browsers.start("several-servers", Browsers.DESKTOP);
        // the nodes' random ports are known only after the page's server started, too late for its
        // --page-servers (which puts them into its policy; HealthAndReadyTest checks that): lift the policy instead
        ((ChromeDriver) driver).executeCdpCommand("Page.setBypassCSP", Map.of("enabled", true));
    }

    private TestServer node(String pageOrigin) {
        return TestServer.create().with(b -> b.heartbeat(PageServer.INTERVAL, PageServer.TIMEOUT)
                .offlineGrace(PageServer.OFFLINE_GRACE).dbUrl(database).allowedOrigins(List.of(pageOrigin))).start();
    }

    @AfterEach
    void stop() {
        Browsers.quit(driver);
        for (TestServer server : new TestServer[] {nodeC, nodeB, page}) {
            if (server != null) {
                server.close();
            }
        }
    }

    private ApiClient.User someone() {
        String suffix = Long.toString(ThreadLocalRandom.current().nextLong(1L << 40), 36);
        return new ApiClient(page.httpUri()).signUpAndLogIn("ada" + suffix, "Ada");
    }

    private URI pageWith(URI... servers) {
        List<String> list = java.util.Arrays.stream(servers).map(URI::toString).toList();
        return page.httpUri().resolve("/?servers=" + URLEncoder.encode(String.join(",", list), StandardCharsets.UTF_8));
    }

    /** The WebSocket addresses the page tried, in order, from its console. */
    private List<String> tried() {
        console.addAll(Browsers.console(driver));
        List<String> urls = new ArrayList<>();
        for (String line : console) {
            Matcher m = ADDRESS.matcher(line);
            if (line.contains(ATTEMPT) && m.find()) {
                urls.add(m.group(1));
            }
        }
        return urls;
    }

    private static URI nobodyThere() throws IOException {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return TestServer.wsAt(socket.getLocalPort());
        }
    }

    @Test
    void withTheFirstAddressDownThePageConnectsToTheSecond() throws IOException {
        URI down = nobodyThere();
        ApiClient.User ada = someone();
        // the page starts at a random address: make it the one that is down, so that it has to move on
        ((ChromeDriver) driver).executeCdpCommand("Page.addScriptToEvaluateOnNewDocument",
                Map.of("source", "Math.random = () => 0.01;"));

        PresencePage tab = new PresencePage(driver, "ada").openExactlyAndLogIn(pageWith(down, nodeB.wsUri()), ada);

        List<String> tried = tried();
        System.out.println("addresses the page tried: " + tried);
        assertThat(tried).as("addresses tried").isNotEmpty().allMatch(u -> u.equals(down.toString())
                || u.equals(nodeB.wsUri().toString()));
        assertThat(tried).containsExactly(down.toString(), nodeB.wsUri().toString());
        assertThat(tab.connectionState()).isEqualTo("connected");
    }

    @Test
    void whenItsNodeStopsThePageIsOnTheOtherWellWithinTheGrace() {
        ApiClient.User ada = someone();
        PresencePage tab = new PresencePage(driver, "ada")
                .openExactlyAndLogIn(pageWith(nodeB.wsUri(), nodeC.wsUri()), ada);
        List<String> before = tried();
        String on = before.get(before.size() - 1);
        TestServer stopping = on.equals(nodeB.wsUri().toString()) ? nodeB : nodeC;
        TestServer other = stopping == nodeB ? nodeC : nodeB;

        long stoppedAt = System.nanoTime();
        stopping.stop(); // every socket gets 1012, as on SIGTERM
        await("the page reconnects").atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(20))
                .until(() -> "connected".equals(tab.connectionState())
                        && tried().size() > before.size());
        Duration away = Duration.ofNanos(System.nanoTime() - stoppedAt);

        List<String> after = tried();
        System.out.println("page on " + on + " was on " + after.get(after.size() - 1) + " " + away.toMillis()
                + " ms after the stop began");
        assertThat(after.get(after.size() - 1)).isEqualTo(other.wsUri().toString());
        assertThat(console).as("the page saw the restart as such")
                .anyMatch(line -> line.contains("reconnecting") && line.contains("\\\"code\\\":1012"));
        // from the stop to connected elsewhere: the server's drain, a 100-1000 ms delay and one handshake; the
        // slack is for a busy machine, the bound is that a node's users come back inside the offline grace
        assertThat(away).as("%s", console).isLessThan(DEFAULT_GRACE);
        Browsers.screenshot(driver, "several-servers-after-a-node-stopped");
    }
}
