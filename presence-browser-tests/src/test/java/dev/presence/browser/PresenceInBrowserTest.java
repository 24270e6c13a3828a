package dev.presence.browser;

import dev.presence.testkit.FaultProxy;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.NoAlertPresentException;

import java.net.URI;
import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

/**
 * Two people, A and B, in two separate browser profiles, sharing one thread: what A sees of B while B
 * comes, goes, loses the network and gets it back; and messages between them. Every test leaves
 * screenshots under {@code target/screenshots/}.
 */
class PresenceInBrowserTest extends BrowserTest {

    @Test
    void aSeesBGoOnlineWhenBOpensThePageAndOfflineWithinTwoSecondsWhenBClosesTheTab() {
        Pair p = twoUsersInOneThread("Lunch plans");
        PresencePage a = browser("A", Browsers.DESKTOP).openAndLogIn(server.httpUri(), p.a());
        await("A lists B").atMost(Duration.ofSeconds(5)).until(() -> p.b().id().equals(bRowId(a, p)));
        assertThat(a.statusOf(p.b().id())).isEqualTo("offline");
        screenshot(a, "A-sees-B-offline");

        PresencePage b = browser("B", Browsers.PHONE).openAndLogIn(server.httpUri(), p.b());
        await("A's dot for B turns green").atMost(Duration.ofSeconds(5))
                .until(() -> "online".equals(a.statusOf(p.b().id())));
        assertThat(a.statusLabelOf(p.b().id())).isEqualTo("online");
        await("B sees A online").atMost(Duration.ofSeconds(5)).until(() -> "online".equals(b.statusOf(p.a().id())));
        screenshot(b, "B-phone-thread-list");
        a.openThread(p.threadId());
        b.openThread(p.threadId());
        screenshot(a, "A-sees-B-online-desktop");
        screenshot(b, "B-sees-A-online-phone");

        long closedAt = System.nanoTime();
        b.driver().close(); // B closes its (only) tab: the browser ends the WebSocket
        await("A's dot for B turns gray within 2 s").atMost(Duration.ofSeconds(2)).pollInterval(Duration.ofMillis(50))
                .until(() -> "offline".equals(a.statusOf(p.b().id())));
        System.out.println("A saw B offline " + Duration.ofNanos(System.nanoTime() - closedAt).toMillis()
                + " ms after B closed the tab");
        assertThat(a.statusLabelOf(p.b().id())).startsWith("last seen");
        screenshot(a, "A-sees-B-offline-after-tab-closed");
    }

    @Test
    void whenBsNetworkIsCutASeesBOfflineAndWhenItReturnsBReconnectsByItself() throws Exception {
        Pair p = twoUsersInOneThread("Lunch plans");
        FaultProxy proxy = proxy();
        URI viaProxy = URI.create("http://127.0.0.1:" + proxy.port());

        PresencePage a = browser("A", Browsers.DESKTOP).openAndLogIn(server.httpUri(), p.a());
        PresencePage b = browser("B", Browsers.DESKTOP).openAndLogIn(viaProxy, p.b());
        await("A sees B online").atMost(Duration.ofSeconds(5)).until(() -> "online".equals(a.statusOf(p.b().id())));

        proxy.blackhole(); // B's cable is pulled: no close frame, no FIN, just silence
        long cutAt = System.nanoTime();
        // The server notices within interval + timeout; its sweep and the fan-out add a little.
        Duration deadline = PageServer.INTERVAL.plus(PageServer.TIMEOUT).plus(Duration.ofMillis(1500));
        await("A sees B offline within interval + timeout").atMost(deadline).pollInterval(Duration.ofMillis(50))
                .until(() -> "offline".equals(a.statusOf(p.b().id())));
        Duration noticedAfter = Duration.ofNanos(System.nanoTime() - cutAt);
        screenshot(a, "A-sees-B-offline-after-network-cut");

        // B's own client notices the silence too (liveness) and says so instead of pretending to be connected.
        await("B shows it is reconnecting").atMost(Duration.ofSeconds(5))
                .until(() -> "reconnecting".equals(b.connectionState()) && b.connectionLabel().startsWith("reconnecting"));
        screenshot(b, "B-reconnecting-while-network-cut");

        proxy.restore(); // bytes flow again; nothing is reset: B's own client must find its way back
        long restoredAt = System.nanoTime();
        await("B reconnects by itself").atMost(Duration.ofSeconds(20)).until(() -> "connected".equals(b.connectionState()));
        await("A sees B online again").atMost(Duration.ofSeconds(5)).until(() -> "online".equals(a.statusOf(p.b().id())));
        System.out.println("A saw B online again " + Duration.ofNanos(System.nanoTime() - restoredAt).toMillis()
                + " ms after the network returned");
        screenshot(a, "A-sees-B-online-after-network-returned");
        screenshot(b, "B-reconnected");
        System.out.println("A saw B offline " + noticedAfter.toMillis() + " ms after the cut");
    }

    @Test
    void whenTheBrowserGoesOfflineThePageSaysSoAndReconnectsAtOnceWhenItIsOnlineAgain() {
        Pair p = twoUsersInOneThread("Lunch plans");
        PresencePage a = browser("A", Browsers.DESKTOP).openAndLogIn(server.httpUri(), p.a());
        PresencePage b = browser("B", Browsers.PHONE).openAndLogIn(server.httpUri(), p.b());
        await("A sees B online").atMost(Duration.ofSeconds(5)).until(() -> "online".equals(a.statusOf(p.b().id())));

        // DevTools network emulation: navigator.onLine turns false and 'offline' fires. (It leaves an open
        // WebSocket working, so the page itself must act on the event: it closes the socket and says so.)
        Browsers.setOffline(b.driver(), true);
        await("A sees B offline").atMost(Duration.ofSeconds(2)).pollInterval(Duration.ofMillis(50))
                .until(() -> "offline".equals(a.statusOf(p.b().id())));
        await("B says it is offline").atMost(Duration.ofSeconds(5))
                .until(() -> "offline".equals(b.connectionState()) && "offline".equals(b.connectionLabel()));
        screenshot(b, "B-phone-browser-offline");

        Browsers.setOffline(b.driver(), false); // 'online' fires: B reconnects now, not after a backoff delay
        long onlineAt = System.nanoTime();
        await("B reconnects at once").atMost(Duration.ofSeconds(3)).until(() -> "connected".equals(b.connectionState()));
        await("A sees B online again").atMost(Duration.ofSeconds(3)).until(() -> "online".equals(a.statusOf(p.b().id())));
        System.out.println("B was back " + Duration.ofNanos(System.nanoTime() - onlineAt).toMillis()
                + " ms after the browser went online");
    }

    @Test
    void aMessageFromAAppearsAtBWithoutAReloadAndHtmlInItIsShownAsText() {
        Pair p = twoUsersInOneThread("Lunch plans");
        PresencePage a = browser("A", Browsers.DESKTOP).openAndLogIn(server.httpUri(), p.a()).openThread(p.threadId());
        PresencePage b = browser("B", Browsers.PHONE).openAndLogIn(server.httpUri(), p.b()).openThread(p.threadId());
        Object bPageInstance = b.js("return window.performance.timeOrigin;");

        a.send("Pizza at noon?");
        await("B sees A's message").atMost(Duration.ofSeconds(5)).until(() -> b.messageTexts().contains("Pizza at noon?"));

        String xss = "<img src=x onerror=alert(1)>";
        a.send(xss);
        await("B sees the HTML as text").atMost(Duration.ofSeconds(5)).until(() -> b.messageTexts().contains(xss));
        await("A sees its own message as text").atMost(Duration.ofSeconds(5)).until(() -> a.messageTexts().contains(xss));
        assertThat(b.countInMessages("img")).as("no element was made from the message").isZero();
        assertThat(a.countInMessages("img")).isZero();
        assertThatThrownBy(() -> b.driver().switchTo().alert()).isInstanceOf(NoAlertPresentException.class);
        assertThatThrownBy(() -> a.driver().switchTo().alert()).isInstanceOf(NoAlertPresentException.class);
        assertThat(b.js("return window.performance.timeOrigin;")).as("B never reloaded").isEqualTo(bPageInstance);
        screenshot(a, "A-desktop-after-sending");
        screenshot(b, "B-phone-received-messages");
    }

    @Test
    void aRevokedTokenEndsTheSessionAndThePageStopsReconnecting() {
        Pair p = twoUsersInOneThread("Lunch plans");
        PresencePage b = browser("B", Browsers.PHONE).openAndLogIn(server.httpUri(), p.b());
        String pageToken = (String) b.js("return sessionStorage.getItem('presence.token');");
        assertThat(pageToken).as("the page keeps its token in sessionStorage").isNotBlank();
        assertThat(b.driver().getCurrentUrl()).as("the token is never in the URL").doesNotContain(pageToken);
        api.logOut(pageToken); // as if B logged out elsewhere: the server closes B's socket with 4401
        await("B is shown the login form").atMost(Duration.ofSeconds(5)).until(b::authFormShown);
        assertThat(b.displayed("connection")).as("no connection indicator without a session").isFalse();
        assertThat(b.js("return sessionStorage.getItem('presence.token');")).as("the token is forgotten").isNull();
        screenshot(b, "B-logged-out-after-token-revoked");
    }

    @Test
    void everythingCanBeDoneThroughThePageSignUpThreadInviteAcceptRename() {
        PresencePage a = browser("A", Browsers.DESKTOP);
        PresencePage b = browser("B", Browsers.PHONE);
        String aName = unique("ana");
        String bName = unique("ben");
        a.openAndSignUp(server.httpUri(), aName, "Ana", "correct horse battery");
        b.openAndSignUp(server.httpUri(), bName, "Ben", "correct horse staple");
        String threadId = a.createThread("Weekend hike");
        a.invite(bName);

        b.acceptInvitationTo(threadId); // arrives live (invitation_created), no reload
        String aId = a.myUserId();
        String bId = b.myUserId();
        await("A sees Ben join, online").atMost(Duration.ofSeconds(5)).until(() -> "online".equals(a.statusOf(bId)));
        await("B sees Ana online").atMost(Duration.ofSeconds(5)).until(() -> "online".equals(b.statusOf(aId)));
        assertThat(a.memberName(bId)).isEqualTo("Ben");

        b.changeDisplayName("Benjamin");
        await("A sees the new name live").atMost(Duration.ofSeconds(5)).until(() -> "Benjamin".equals(a.memberName(bId)));

        a.send("Meet at the station at 8?");
        await("B sees it").atMost(Duration.ofSeconds(5)).until(() -> b.messageTexts().contains("Meet at the station at 8?"));
        b.send("Yes! I'll bring snacks.");
        await("A sees the answer").atMost(Duration.ofSeconds(5)).until(() -> a.messageTexts().contains("Yes! I'll bring snacks."));
        screenshot(a, "A-desktop-conversation");
        screenshot(b, "B-phone-conversation");
        Browsers.sideBySide(testName + "-two-users-online", a.driver(), b.driver());
    }

    private static String bRowId(PresencePage a, Pair p) {
        return a.statusOf(p.b().id()) == null ? null : p.b().id();
    }
}
