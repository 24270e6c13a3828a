package dev.presence.browser;

import org.junit.jupiter.api.Test;
import org.openqa.selenium.By;
import org.openqa.selenium.WindowType;

import java.nio.file.Path;
import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * What the page keeps of a login, and where (see session-store.js and the README's "Web page"): without
 * "keep me signed in" the login lasts while the browser is open, in every tab; with it, across browser
 * restarts, until "Log out".
 */
class StayingSignedInBrowserTest extends BrowserTest {

    private static final String TOKEN_IN_LOCAL = "return localStorage.getItem('presence.token');";
    private static final String TOKEN_IN_SESSION = "return sessionStorage.getItem('presence.token');";

    @Test
    void withoutKeepMeSignedInANewTabIsSignedInButABrowserRestartAsksAgain() {
        ApiClient.User a = api.signUpAndLogIn(unique("ada"), "Ada");
        Path profile = Browsers.newProfile(testName);
        PresencePage page = browser("A", Browsers.DESKTOP, profile).openAndLogIn(server.httpUri(), a, false);
        assertThat(page.js(TOKEN_IN_SESSION)).as("kept in the tab's sessionStorage").isNotNull();
        assertThat(page.js(TOKEN_IN_LOCAL)).as("never in localStorage").isNull();

        page.driver().switchTo().newWindow(WindowType.TAB);
        page.open(server.httpUri());
        await("the second tab is signed in without the form").atMost(Duration.ofSeconds(10))
                .until(() -> "connected".equals(page.connectionState()));
        assertThat(page.authFormShown()).isFalse();
        assertThat(page.js(TOKEN_IN_LOCAL)).as("still never in localStorage").isNull();
        screenshot(page, "second-tab");

        quit(page); // the browser is closed …
        PresencePage again = browser("A-restarted", Browsers.DESKTOP, profile).open(server.httpUri());
        await("… and after a restart the login form").atMost(Duration.ofSeconds(10)).until(again::authFormShown);
        assertThat(again.signedIn()).isFalse();
    }

    @Test
    void keepMeSignedInSurvivesABrowserRestartUntilLogOut() {
        ApiClient.User a = api.signUpAndLogIn(unique("ada"), "Ada");
        Path profile = Browsers.newProfile(testName);
        PresencePage page = browser("A", Browsers.DESKTOP, profile).openAndLogIn(server.httpUri(), a, true);
        assertThat(page.js(TOKEN_IN_LOCAL)).as("kept in localStorage").isNotNull();
        assertThat(page.js(TOKEN_IN_SESSION)).as("and only there").isNull();

        quit(page);
        PresencePage again = browser("A-restarted", Browsers.DESKTOP, profile).open(server.httpUri());
        await("signed in after a browser restart").atMost(Duration.ofSeconds(10))
                .until(() -> "connected".equals(again.connectionState()));
        assertThat(again.authFormShown()).isFalse();
        assertThat(again.myUserId()).isEqualTo(a.id());
        screenshot(again, "after-restart");

        again.driver().findElement(By.id("logout")).click();
        await("logged out").atMost(Duration.ofSeconds(5)).until(again::authFormShown);
        assertThat(again.js(TOKEN_IN_LOCAL)).as("forgotten on log out").isNull();
        again.driver().navigate().refresh();
        await("a reload asks to log in").atMost(Duration.ofSeconds(10)).until(again::authFormShown);
    }

    @Test
    void loggingOutInOneTabLogsOutTheOtherTabsAtOnce() {
        ApiClient.User a = api.signUpAndLogIn(unique("ada"), "Ada");
        PresencePage page = browser("A", Browsers.DESKTOP).openAndLogIn(server.httpUri(), a, false);
        String firstTab = page.driver().getWindowHandle();
        page.driver().switchTo().newWindow(WindowType.TAB);
        page.open(server.httpUri());
        await("the second tab is signed in").atMost(Duration.ofSeconds(10)).until(() -> "connected".equals(page.connectionState()));

        page.driver().findElement(By.id("logout")).click();
        await("the second tab is logged out").atMost(Duration.ofSeconds(5)).until(page::authFormShown);
        page.driver().switchTo().window(firstTab);
        await("the first tab too").atMost(Duration.ofSeconds(3)).until(page::authFormShown);
        assertThat(page.js(TOKEN_IN_SESSION)).isNull();
        assertThat(page.displayed("connection")).isFalse();
    }
}
