package dev.presence.browser;

import org.junit.jupiter.api.Test;
import org.openqa.selenium.By;

import java.time.Duration;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The page with the server side of contract v2 (docs/PROTOCOL.md, "Trust and hygiene"): who invited you,
 * declining, a member leaving the open thread, the login rate limit, logging out everywhere. These need a
 * server that has them; they were written while that server was built in parallel, so this class is the
 * one to run after the branches are merged.
 */
class ContractV2InBrowserTest extends BrowserTest {

    @Test
    void anInvitationSaysWhoInvitedYouAndCanBeDeclined() {
        ApiClient.User a = api.signUpAndLogIn(unique("ada"), "Ada Lovelace");
        ApiClient.User b = api.signUpAndLogIn(unique("bo"), "Bo");
        String threadId = api.createThread(a, "Lunch plans");
        PresencePage ada = browser("A", Browsers.DESKTOP).openAndLogIn(server.httpUri(), a).openThread(threadId);
        PresencePage bo = browser("B", Browsers.PHONE).openAndLogIn(server.httpUri(), b);

        String invitationId = api.invite(a, threadId, b); // arrives live at Bo's page (invitation_created)
        By item = By.cssSelector("#invitations .invitation[data-invitation-id='" + invitationId + "']");
        await("Bo sees the invitation").atMost(Duration.ofSeconds(5)).until(() -> !bo.driver().findElements(item).isEmpty());
        assertThat(bo.driver().findElement(item).getText()).contains("Ada Lovelace invited you to “Lunch plans”");
        assertThat(bo.driver().findElement(item).getAttribute("data-from-user-id")).isEqualTo(a.id());
        screenshot(bo, "invitation-from-ada");

        bo.driver().findElement(item).findElement(By.cssSelector("button.decline")).click();
        await("the invitation is gone").atMost(Duration.ofSeconds(5)).until(() -> bo.driver().findElements(item).isEmpty());
        assertThat(bo.displayed("invitations-section")).isFalse();
        assertThat(api.invitations(b)).as("no longer pending on the server").isEmpty();
        await("Ada is told (invitation_declined)").atMost(Duration.ofSeconds(5))
                .until(() -> String.valueOf(ada.text("invite-result")).contains("declined"));

        // A reload shows the same: declined is declined.
        bo.driver().navigate().refresh();
        await("Bo is back").atMost(Duration.ofSeconds(10)).until(() -> "connected".equals(bo.connectionState()));
        assertThat(bo.driver().findElements(item)).isEmpty();
    }

    @Test
    void aMemberWhoLeavesDisappearsFromTheOpenThread() throws Exception {
        Pair p = twoUsersInOneThread("Lunch plans");
        PresencePage ada = browser("A", Browsers.DESKTOP).openAndLogIn(server.httpUri(), p.a()).openThread(p.threadId());
        By bobInStrip = By.cssSelector("#thread-members .member[data-user-id='" + p.b().id() + "']");
        await("Bob is listed").atMost(Duration.ofSeconds(5)).until(() -> !ada.driver().findElements(bobInStrip).isEmpty());

        api.leave(p.b(), p.threadId()); // thread_member_left to Alice
        await("Bob is gone from the open thread").atMost(Duration.ofSeconds(5))
                .until(() -> ada.driver().findElements(bobInStrip).isEmpty());
        assertThat(ada.statusOf(p.b().id())).as("and from the thread list").isNull();
        assertThat(ada.text("invite-result")).isEqualTo("Bob left.");
        screenshot(ada, "bob-left");
    }

    @Test
    void tooManyLoginAttemptsAreExplainedWithTheWaitFromRetryAfter() {
        ApiClient.User a = api.signUpAndLogIn(unique("ada"), "Ada");
        int status = 0;
        for (int i = 0; i < 300 && status != 429; i++) {
            status = api.loginStatus(a.username(), "wrong password " + i);
        }
        assertThat(status).as("the server limits login attempts (429)").isEqualTo(429);
        PresencePage page = browser("A", Browsers.DESKTOP).open(server.httpUri());
        await("the login form").atMost(Duration.ofSeconds(10)).until(page::authFormShown);
        page.logIn(a.username(), a.password(), false);
        await("the limit is explained").atMost(Duration.ofSeconds(5)).until(() -> page.displayed("login-error"));
        assertThat(page.text("login-error")).matches(Pattern.compile("Too many attempts\\. Try again in \\d+ s\\."));
        screenshot(page, "too-many-attempts");
    }

    @Test
    void logOutOnAllDevicesEndsTheSessionInEveryBrowser() {
        ApiClient.User a = api.signUpAndLogIn(unique("ada"), "Ada");
        PresencePage desk = browser("desk", Browsers.DESKTOP).openAndLogIn(server.httpUri(), a);
        PresencePage phone = browser("phone", Browsers.PHONE).openAndLogIn(server.httpUri(), a, true);

        desk.driver().findElement(By.id("me-button")).click();
        desk.driver().findElement(By.id("logout-everywhere")).click();
        await("this browser is logged out").atMost(Duration.ofSeconds(5)).until(desk::authFormShown);
        assertThat(desk.text("notice")).contains("logged out on all your devices");
        await("the other device too (4401)").atMost(Duration.ofSeconds(5)).until(phone::authFormShown);
        assertThat(phone.js("return localStorage.getItem('presence.token');")).as("its kept login is forgotten").isNull();
    }
}
