package dev.presence.browser;

import dev.presence.server.support.TestServer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.WebDriver;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The JS client's logic (backoff, version check, snapshot, status batches, liveness, 4401, online/visibility),
 * the label refresh schedule, the error words and where the login is kept, checked
 * inside Chromium against the very module the server serves, with a fake socket and fake time. The checks
 * live in {@code src/test/js/presence-client-checks.mjs}, which Node can also run on its own.
 */
class PresenceClientLogicTest {

    private static final Path CHECKS = Path.of("src/test/js/presence-client-checks.mjs");

    @RegisterExtension
    static final TestServer server = PageServer.create();
    private static WebDriver driver;

    @BeforeAll
    static void start() throws Exception {
        if (!Browsers.chromiumPresent()) {
            return; // the test reports itself as skipped, with the reason
        }
        driver = Browsers.start("client-logic", Browsers.DESKTOP);
    }

    @AfterAll
    static void stop() {
        Browsers.quit(driver);
    }

    @Test
    void theClientModuleServedByTheServerPassesItsLogicChecks() throws Exception {
        Browsers.requireChromium();
        driver.get(server.httpUri().resolve("/").toString());
        String checks = Files.readString(CHECKS).replace("export async function", "async function");
        Object result = ((JavascriptExecutor) driver).executeAsyncScript(checks + "\n"
                + "const done = arguments[arguments.length - 1];\n"
                + "Promise.all([import('/js/presence-client.js'), import('/js/format.js'), import('/js/errors.js'),"
                + " import('/js/session-store.js')])\n"
                + "  .then(async ([client, format, errors, store]) => [...await runChecks(client), ...await runFormatChecks(format),"
                + " ...await runErrorChecks(errors), ...await runSessionStoreChecks(store)])\n"
                + "  .then((passed) => done(passed), (e) => done('FAILED ' + e.message));");
        assertThat(result).as("checks in the browser").isInstanceOf(List.class);
        @SuppressWarnings("unchecked")
        List<String> passed = (List<String>) result;
        assertThat(passed).hasSizeGreaterThanOrEqualTo(10)
                .contains("backoff without jitter is 1, 2, 4, 8, 16, 30, 30 s forever",
                        "a status is applied only if its version is greater",
                        "never reconnects after 4401",
                        "connection labels: connected, reconnecting in 4 s…, offline",
                        "a status_batch is applied entry by entry by the version rule",
                        "next label change: at the minute, hour and day boundaries, never for online or dated labels",
                        "server answers become friendly words on the right field",
                        "429: \"too many attempts, try again in N s\" from Retry-After (seconds or a date)",
                        "not remembered: kept in the tab, shared with new tabs over a BroadcastChannel, never in localStorage",
                        "remembered: kept in localStorage, survives a restart",
                        "failed attempts go round robin over the addresses, with the backoff between them",
                        "after 1012 it comes back within 100–1000 ms, to the next address",
                        "1012s on connections that do not settle fall back to the backoff",
                        "the page's addresses: a meta tag, else same-host addresses from ?servers=, else its own origin");
        Browsers.screenshot(driver, "client-logic-login-page-desktop");
    }
}
