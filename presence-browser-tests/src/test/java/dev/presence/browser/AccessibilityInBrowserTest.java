package dev.presence.browser;

import dev.presence.testkit.FaultProxy;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.openqa.selenium.By;
import org.openqa.selenium.Keys;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.TakesScreenshot;
import org.openqa.selenium.WebElement;

import javax.imageio.ImageIO;
import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * WCAG 2.2 AA as a machine can check it: axe-core run in the page in every state a person meets (signed
 * out, an error shown, signed in, a thread open, reconnecting), on a desktop and on a phone, with zero
 * violations; and the keyboard focus ring, measured on the screen.
 */
class AccessibilityInBrowserTest extends BrowserTest {

    static Stream<Browsers.Size> sizes() {
        return Stream.of(Browsers.DESKTOP, Browsers.PHONE);
    }

    @ParameterizedTest
    @MethodSource("sizes")
    void axeFindsNoViolationInAnyStateOfThePage(Browsers.Size size) throws Exception {
        ApiClient.User a = api.signUpAndLogIn(unique("ada"), "Ada");
        ApiClient.User b = api.signUpAndLogIn(unique("bo"), "Bo");
        ApiClient.User c = api.signUpAndLogIn(unique("cy"), "Cy");
        String threadId = api.createThread(a, "Lunch plans");
        api.accept(b, api.invite(a, threadId, b));
        api.accept(c, api.invite(a, threadId, c));
        api.sendMessage(b, threadId, "Pizza at noon?");
        api.invite(c, api.createThread(c, "Book club"), a); // a pending invitation for Ada
        try (WsUser bo = WsUser.online(server.httpUri(), b); WsUser cy = WsUser.online(server.httpUri(), c)) {
            cy.close(); // Cy: "last seen just now"
            FaultProxy proxy = proxy();
            PresencePage page = browser("A", size).open(via(proxy));
            Map<String, List<Axe.Violation>> found = new LinkedHashMap<>();

            await("the login form").atMost(Duration.ofSeconds(10)).until(page::authFormShown);
            check(page, "signed-out", found);

            page.driver().findElement(By.id("signup-username")).sendKeys("a b");
            page.driver().findElement(By.id("signup-password")).sendKeys("short");
            page.driver().findElement(By.id("signup-submit")).click();
            await("the sign-up error").atMost(Duration.ofSeconds(5)).until(() -> page.displayed("signup-username-error"));
            check(page, "sign-up-error", found);

            page.logIn(a.username(), "not the password", false);
            await("the login error").atMost(Duration.ofSeconds(5)).until(() -> page.displayed("login-password-error"));
            check(page, "login-error", found);

            page.logIn(a.username(), a.password(), false);
            await("connected").atMost(Duration.ofSeconds(10)).until(() -> "connected".equals(page.connectionState()));
            await("Bo online, Cy last seen, the invitation").atMost(Duration.ofSeconds(5))
                    .until(() -> "online".equals(page.statusOf(b.id()))
                            && String.valueOf(page.statusLabelOf(c.id())).startsWith("last seen")
                            && page.displayed("invitations-section"));
            check(page, "signed-in", found);

            page.driver().findElement(By.id("me-button")).click();
            page.driver().findElement(By.id("display-name-input")).clear();
            page.driver().findElement(By.id("profile-save")).click();
            await("the display name error").atMost(Duration.ofSeconds(5)).until(() -> page.displayed("display-name-input-error"));
            check(page, "display-name-error", found);
            page.driver().findElement(By.id("profile-cancel")).click();

            page.openThread(threadId);
            await("the message").atMost(Duration.ofSeconds(5)).until(() -> page.messageTexts().contains("Pizza at noon?"));
            check(page, "thread-open", found);

            proxy.cut(); // the network fails: connection refused, again and again
            await("reconnecting").atMost(Duration.ofSeconds(10))
                    .until(() -> "reconnecting".equals(page.connectionState()) && page.displayed("retry-now"));
            check(page, "reconnecting", found);

            assertThat(found.values().stream().mapToInt(List::size).sum())
                    .as("axe violations (%s), by state:%n%s", String.join(", ", Axe.TAGS), report(found))
                    .isZero();
            assertThat(found).as("states checked").hasSize(7);

            // The checker itself works here: a planted fault (an image without a text alternative) is found.
            page.js("document.getElementById('messages').append(Object.assign(document.createElement('img'), {src: 'data:,'}));");
            assertThat(Axe.violations(page.driver())).extracting(Axe.Violation::id).contains("image-alt");
        }
    }

    private void check(PresencePage page, String state, Map<String, List<Axe.Violation>> found) {
        screenshot(page, state);
        found.put(state, Axe.violations(page.driver()));
    }

    private static String report(Map<String, List<Axe.Violation>> found) {
        return found.entrySet().stream()
                .filter(e -> !e.getValue().isEmpty())
                .map(e -> e.getKey() + ":\n" + Axe.report(e.getValue()))
                .collect(Collectors.joining("\n"));
    }

    /**
     * The ring drawn on keyboard focus is 3:1 or more against what surrounds it, and on a thread card it
     * goes all the way round the card (before, a pale ring was clipped to a thin line by the card).
     */
    @Test
    void theFocusRingContrastsAndGoesAllRoundAThreadCard() {
        Pair p = twoUsersInOneThread("Weekend hike");
        PresencePage page = browser("A", Browsers.DESKTOP).openAndLogIn(server.httpUri(), p.a());
        await("the thread card").atMost(Duration.ofSeconds(5))
                .until(() -> !page.driver().findElements(By.cssSelector("#threads .thread-button")).isEmpty());
        page.js("document.getElementById('logout').focus();");
        page.driver().switchTo().activeElement().sendKeys(Keys.TAB); // a keyboard move: :focus-visible applies
        assertThat((String) page.js("return document.activeElement.className;")).isEqualTo("thread-button");
        screenshot(page, "thread-card-focused");

        WebElement card = page.driver().findElement(By.cssSelector("#threads .thread"));
        @SuppressWarnings("unchecked")
        Map<String, Object> ring = (Map<String, Object>) page.js(CONTRAST + """
                const card = arguments[0];
                const style = getComputedStyle(card);
                const r = card.getBoundingClientRect();
                return { style: style.outlineStyle, width: parseFloat(style.outlineWidth), offset: parseFloat(style.outlineOffset),
                         color: style.outlineColor, contrast: contrast(style.outlineColor, backgroundOf(card.parentElement)),
                         left: r.left, top: r.top, right: r.right, bottom: r.bottom, dpr: window.devicePixelRatio };
                """, card);
        assertThat(ring.get("style")).as("outline style").isEqualTo("solid");
        assertThat(((Number) ring.get("width")).doubleValue()).as("outline width (px)").isGreaterThanOrEqualTo(2.0);
        assertThat(((Number) ring.get("contrast")).doubleValue()).as("ring against the sidebar").isGreaterThanOrEqualTo(3.0);

        // On the screen: the ring's colour on all four sides, just outside the card.
        BufferedImage shot = screen(page);
        double dpr = ((Number) ring.get("dpr")).doubleValue();
        double out = ((Number) ring.get("offset")).doubleValue() + ((Number) ring.get("width")).doubleValue() / 2;
        double left = ((Number) ring.get("left")).doubleValue();
        double right = ((Number) ring.get("right")).doubleValue();
        double top = ((Number) ring.get("top")).doubleValue();
        double bottom = ((Number) ring.get("bottom")).doubleValue();
        int[] expected = rgb((String) ring.get("color"));
        Map<String, double[]> sides = new LinkedHashMap<>();
        sides.put("top", new double[] {(left + right) / 2, top - out});
        sides.put("bottom", new double[] {(left + right) / 2, bottom + out});
        sides.put("left", new double[] {left - out, (top + bottom) / 2});
        sides.put("right", new double[] {right + out, (top + bottom) / 2});
        sides.forEach((side, at) -> {
            int pixel = shot.getRGB((int) Math.floor(at[0] * dpr), (int) Math.floor(at[1] * dpr));
            int[] seen = {(pixel >> 16) & 0xff, (pixel >> 8) & 0xff, pixel & 0xff};
            assertThat(distance(seen, expected)).as("the ring's colour on the %s side of the card (seen rgb%s, ring rgb%s)",
                    side, java.util.Arrays.toString(seen), java.util.Arrays.toString(expected)).isLessThan(60);
        });

        // Other controls: a text input and a filled button, against the page behind them.
        for (String id : List.of("new-thread-title", "new-thread-submit")) {
            page.js("document.getElementById(arguments[0]).focus();", id);
            @SuppressWarnings("unchecked")
            Map<String, Object> other = (Map<String, Object>) page.js(CONTRAST + """
                    const e = arguments[0];
                    const style = getComputedStyle(e);
                    return { width: parseFloat(style.outlineWidth), style: style.outlineStyle,
                             contrast: contrast(style.outlineColor, backgroundOf(e.parentElement)) };
                    """, page.driver().findElement(By.id(id)));
            assertThat(other.get("style")).as(id + " outline").isEqualTo("solid");
            assertThat(((Number) other.get("contrast")).doubleValue()).as(id + " ring contrast").isGreaterThanOrEqualTo(3.0);
        }
    }

    /** JS: WCAG contrast of two CSS colours, and the first opaque background colour up the tree. */
    private static final String CONTRAST = """
            const parse = (c) => c.match(/[\\d.]+/g).map(Number);
            const lum = (c) => { const [r, g, b] = parse(c).slice(0, 3).map((v) => { v /= 255;
                return v <= 0.03928 ? v / 12.92 : Math.pow((v + 0.055) / 1.055, 2.4); });
                return 0.2126 * r + 0.7152 * g + 0.0722 * b; };
            const contrast = (x, y) => { const [l1, l2] = [lum(x), lum(y)].sort((m, n) => n - m); return (l1 + 0.05) / (l2 + 0.05); };
            const backgroundOf = (e) => { for (; e; e = e.parentElement) { const bg = getComputedStyle(e).backgroundColor;
                const v = parse(bg); if (v.length < 4 || v[3] > 0) return bg; } return 'rgb(255, 255, 255)'; };
            """;

    private static BufferedImage screen(PresencePage page) {
        try {
            return ImageIO.read(new ByteArrayInputStream(((TakesScreenshot) page.driver()).getScreenshotAs(OutputType.BYTES)));
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    private static int[] rgb(String css) {
        String[] parts = css.replaceAll("[^\\d.,]", "").split(",");
        return new int[] {Integer.parseInt(parts[0]), Integer.parseInt(parts[1]), Integer.parseInt(parts[2])};
    }

    private static double distance(int[] a, int[] b) {
        return Math.sqrt(Math.pow(a[0] - b[0], 2) + Math.pow(a[1] - b[1], 2) + Math.pow(a[2] - b[2], 2));
    }
}
