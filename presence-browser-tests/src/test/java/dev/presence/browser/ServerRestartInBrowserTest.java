package dev.presence.browser;

import dev.presence.server.support.TestServer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.openqa.selenium.WebDriver;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * A server restart as the people on the page live it: both pages get 1012, go to reconnecting, and
 * come back by themselves (backoff with jitter); the welcome snapshot puts the right dots back.
 */
class ServerRestartInBrowserTest {

    @RegisterExtension
    final TestServer server = PageServer.create();
    private WebDriver driverA;
    private WebDriver driverB;

    @BeforeEach
    void requireChromiumAndAServerOfOurOwn() {
        Browsers.requireChromium();
        Assumptions.assumeFalse(server.isExternal(),
                "an external server (presence.baseUri) cannot be restarted by the test");
    }

    @AfterEach
    void stop() {
        Browsers.quit(driverA);
        Browsers.quit(driverB);
    }

    @Test
    void afterAServerRestartBothPagesReconnectByThemselvesAndSeeEachOtherOnline() throws Exception {
        ApiClient api = new ApiClient(server.httpUri());
        String suffix = Long.toString(ThreadLocalRandom.current().nextLong(1L << 40), 36);
        ApiClient.User a = api.signUpAndLogIn("ada" + suffix, "Ada");
        ApiClient.User b = api.signUpAndLogIn("bo" + suffix, "Bo");
        api.threadOf(a, b, "Release day");
        driverA = Browsers.start("restart-A", Browsers.DESKTOP);
        driverB = Browsers.start("restart-B", Browsers.PHONE);
        PresencePage pageA = new PresencePage(driverA, "A").openAndLogIn(server.httpUri(), a);
        PresencePage pageB = new PresencePage(driverB, "B").openAndLogIn(server.httpUri(), b);
        await("A sees B online").atMost(Duration.ofSeconds(5)).until(() -> "online".equals(pageA.statusOf(b.id())));

        server.restart();

        await("both pages reconnect by themselves").atMost(Duration.ofSeconds(15))
                .until(() -> "connected".equals(pageA.connectionState()) && "connected".equals(pageB.connectionState()));
        await("A sees B online after the restart").atMost(Duration.ofSeconds(5))
                .until(() -> "online".equals(pageA.statusOf(b.id())));
        await("B sees A online after the restart").atMost(Duration.ofSeconds(5))
                .until(() -> "online".equals(pageB.statusOf(a.id())));
        // How the pages saw the restart: the page logs each connection state with its close code, and a
        // restart must say 1012 ("server restarting: reconnect"), not look like a dropped network (1006).
        for (WebDriver driver : new WebDriver[] {driverA, driverB}) {
            List<String> codes = Browsers.console(driver).stream()
                    .filter(line -> line.contains("\\\"code\\\""))
                    .peek(line -> System.out.println("restart seen by the page: " + line))
                    .toList();
            assertThat(codes).as("close codes the page saw").anyMatch(line -> line.contains("\\\"code\\\":1012"));
        }
        Browsers.screenshot(driverA, "server-restart-A-after");
        Browsers.screenshot(driverB, "server-restart-B-after");
    }
}
