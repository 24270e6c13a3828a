package dev.presence.browser;

import com.sun.net.httpserver.HttpServer;
import dev.presence.server.support.TestServer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.WebDriver;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * What a browser enforces for the page: the server's Content-Security-Policy, and the Origin check on the
 * WebSocket upgrade (a page from another origin must not get a socket, even with a stolen token).
 */
class PageSecurityTest {

    @RegisterExtension
    static final TestServer server = PageServer.create();
    private static ApiClient api;
    private WebDriver driver;
    private HttpServer otherSite;

    @BeforeAll
    static void connectApi() {
        api = new ApiClient(server.httpUri());
    }

    @BeforeEach
    void requireChromium() {
        Browsers.requireChromium();
    }

    @AfterEach
    void stop() {
        Browsers.quit(driver);
        if (otherSite != null) {
            otherSite.stop(0);
        }
    }

    @Test
    void thePageIsServedWithAStrictContentSecurityPolicy() throws Exception {
        HttpResponse<String> page = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build().send(
                HttpRequest.newBuilder(server.httpUri().resolve("/")).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(page.statusCode()).isEqualTo(200);
        assertThat(page.headers().firstValue("content-type")).hasValueSatisfying(v -> assertThat(v).startsWith("text/html"));
        String csp = page.headers().firstValue("content-security-policy").orElse("");
        assertThat(csp).contains("script-src 'self'", "style-src 'self'", "object-src 'none'", "frame-ancestors 'none'")
                .doesNotContain("unsafe-inline", "unsafe-eval");
        assertThat(page.body()).as("no inline script, handler or style in the page itself")
                .doesNotContainPattern("(?i)<script(?![^>]*\\bsrc=)[^>]*>")
                .doesNotContainPattern("(?i)\\son[a-z]+\\s*=")
                .doesNotContainPattern("(?i)\\sstyle\\s*=")
                .doesNotContainPattern("(?i)<style");
    }

    @Test
    void aPageFromAnotherOriginCannotOpenTheWebSocketEvenWithAValidToken() throws Exception {
        ApiClient.User victim = api.signUpAndLogIn("victim" + Long.toString(ThreadLocalRandom.current().nextLong(1L << 40), 36), "Victim");
        otherSite = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        otherSite.createContext("/", exchange -> {
            byte[] body = "<!DOCTYPE html><title>another site</title><p>another site</p>".getBytes(StandardCharsets.UTF_8);
            exchange.getResponseHeaders().set("Content-Type", "text/html; charset=utf-8");
            exchange.sendResponseHeaders(200, body.length);
            exchange.getResponseBody().write(body);
            exchange.close();
        });
        otherSite.start();
        driver = Browsers.start("other-origin", Browsers.DESKTOP);
        driver.get("http://127.0.0.1:" + otherSite.getAddress().getPort() + "/");

        URI ws = URI.create("ws://127.0.0.1:" + server.port() + "/ws");
        @SuppressWarnings("unchecked")
        Map<String, Object> outcome = (Map<String, Object>) ((JavascriptExecutor) driver).executeAsyncScript("""
                const [url, token, done] = arguments;
                const result = { opened: false, welcomed: false, closeCode: null };
                const finish = () => {
                    document.body.textContent = 'another site tried to open the presence WebSocket: ' + JSON.stringify(result);
                    done(result);
                };
                const ws = new WebSocket(url);
                ws.onopen = () => { result.opened = true; ws.send(JSON.stringify({ type: 'hello', token })); };
                ws.onmessage = (e) => { if (JSON.parse(e.data).type === 'welcome') result.welcomed = true; };
                ws.onclose = (e) => { result.closeCode = e.code; finish(); };
                setTimeout(finish, 5000);
                """, ws.toString(), victim.token());
        Browsers.screenshot(driver, "other-origin-page");
        assertThat(outcome.get("welcomed")).as("a cross-origin page got a welcome").isEqualTo(false);
        assertThat(outcome.get("opened")).as("the upgrade from another origin is refused").isEqualTo(false);
    }
}
