package dev.presence.browser;

import dev.presence.testkit.FaultProxy;
import dev.presence.server.support.TestServer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.TestInfo;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.openqa.selenium.WebDriver;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * What the page tests share: one server per test class, browsers and proxies closed after each test, and
 * any CSP violation or uncaught script error in a browser console fails the test.
 */
abstract class BrowserTest {

    @RegisterExtension
    static final TestServer server = PageServer.create();
    static ApiClient api;

    private final List<WebDriver> drivers = new ArrayList<>();
    private final List<FaultProxy> proxies = new ArrayList<>();
    String testName;

    @BeforeAll
    static void connectApi() {
        api = new ApiClient(server.httpUri());
    }

    @BeforeEach
    void name(TestInfo info) {
        Browsers.requireChromium();
        String display = info.getDisplayName();
        // a parameterized test's display name starts with "[n]": keep each run's screenshots apart
        testName = info.getTestMethod().orElseThrow().getName()
                + (display.startsWith("[") ? "-" + display.substring(1, display.indexOf(']')) : "");
    }

    @AfterEach
    void quitBrowsers() {
        List<String> problems = new ArrayList<>();
        for (WebDriver driver : drivers) {
            List<String> console;
            try {
                console = Browsers.console(driver);
            } catch (RuntimeException closedByTheTest) {
                continue;
            }
            console.forEach(line -> System.out.println(testName + " console: " + line));
            console.stream()
                    .filter(line -> line.contains("Content Security Policy") || line.contains("Uncaught"))
                    .forEach(problems::add);
        }
        drivers.forEach(Browsers::quit);
        drivers.clear();
        proxies.forEach(FaultProxy::close);
        proxies.clear();
        assertThat(problems).as("CSP violations or uncaught script errors in the page").isEmpty();
    }

    /** A browser with a fresh profile of its own. */
    PresencePage browser(String who, Browsers.Size size) {
        return browser(who, size, Browsers.newProfile(testName + "-" + who));
    }

    /** A browser on that profile (a "restarted" browser when a previous one used it). */
    PresencePage browser(String who, Browsers.Size size, Path profile) {
        WebDriver driver = Browsers.start(testName + "-" + who, size, profile);
        drivers.add(driver);
        return new PresencePage(driver, who);
    }

    /** Quits one browser now (as a person closing it), keeping its profile on disk. */
    void quit(PresencePage page) {
        drivers.remove(page.driver());
        page.driver().quit();
    }

    /** A proxy in front of the server whose network the test can cut; the page is opened through it. */
    FaultProxy proxy() {
        try {
            FaultProxy proxy = new FaultProxy(server.port());
            proxies.add(proxy);
            return proxy;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static URI via(FaultProxy proxy) {
        return URI.create("http://127.0.0.1:" + proxy.port());
    }

    void screenshot(PresencePage page, String what) {
        Browsers.screenshot(page.driver(), testName + "-" + what);
    }

    static String unique(String name) {
        return name + Long.toString(ThreadLocalRandom.current().nextLong(1L << 40), 36);
    }

    record Pair(ApiClient.User a, ApiClient.User b, String threadId) {
    }

    static Pair twoUsersInOneThread(String title) {
        ApiClient.User a = api.signUpAndLogIn(unique("alice"), "Alice");
        ApiClient.User b = api.signUpAndLogIn(unique("bob"), "Bob");
        return new Pair(a, b, api.threadOf(a, b, title));
    }
}
