package dev.presence.browser;

import org.openqa.selenium.By;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.WebElement;

import java.net.URI;
import java.time.Duration;
import java.util.List;

import static org.awaitility.Awaitility.await;

/**
 * The web page as a person uses it, seen through one browser. Reads state through the page's stable ids
 * and data attributes ({@code data-user-id}, {@code data-status}, {@code data-state}).
 */
final class PresencePage {

    private final WebDriver driver;
    private final String who;

    PresencePage(WebDriver driver, String who) {
        this.driver = driver;
        this.who = who;
    }

    WebDriver driver() {
        return driver;
    }

    /** Opens the page at {@code base} and logs in through the form. */
    PresencePage openAndLogIn(URI base, ApiClient.User user) {
        return openAndLogIn(base, user, false);
    }

    /** Opens the page at {@code base} and logs in through the form, ticking "keep me signed in" if asked. */
    PresencePage openAndLogIn(URI base, ApiClient.User user, boolean keepSignedIn) {
        open(base);
        await(who + " sees the login form").atMost(Duration.ofSeconds(10)).until(this::authFormShown);
        logIn(user.username(), user.password(), keepSignedIn);
        await(who + " is connected").atMost(Duration.ofSeconds(10)).until(() -> "connected".equals(connectionState()));
        return this;
    }

    /** Opens the page at exactly {@code url} (with its query) and logs in through the form. */
    PresencePage openExactlyAndLogIn(URI url, ApiClient.User user) {
        driver.get(url.toString());
        await(who + " sees the login form").atMost(Duration.ofSeconds(10)).until(this::authFormShown);
        logIn(user.username(), user.password(), false);
        await(who + " is connected").atMost(Duration.ofSeconds(10)).until(() -> "connected".equals(connectionState()));
        return this;
    }

    /** Opens the page (whatever it then shows). */
    PresencePage open(URI base) {
        driver.get(base.resolve("/").toString());
        return this;
    }

    /** Fills in and submits the login form, without waiting for the outcome. */
    void logIn(String username, String password, boolean keepSignedIn) {
        WebElement name = driver.findElement(By.id("login-username"));
        name.clear();
        name.sendKeys(username);
        WebElement secret = driver.findElement(By.id("login-password"));
        secret.clear();
        secret.sendKeys(password);
        if (driver.findElement(By.id("login-remember")).isSelected() != keepSignedIn) {
            driver.findElement(By.id("login-remember")).click();
        }
        driver.findElement(By.id("login-submit")).click();
    }

    /** Whether the element with that id is displayed (false when there is none). */
    boolean displayed(String id) {
        List<WebElement> found = driver.findElements(By.id(id));
        return !found.isEmpty() && found.get(0).isDisplayed();
    }

    /** The text content of the element with that id (null when there is none). */
    String text(String id) {
        return (String) js("const e = document.getElementById(arguments[0]); return e ? e.textContent : null;", id);
    }

    /** An attribute of the element with that id (null when absent). */
    String attribute(String id, String name) {
        return (String) js("const e = document.getElementById(arguments[0]); return e ? e.getAttribute(arguments[1]) : null;", id, name);
    }

    /** The id of the focused element. */
    String focusedId() {
        return (String) js("return document.activeElement ? document.activeElement.id : null;");
    }

    /** Opens the page at {@code base} and signs up through the form (which also logs in). */
    PresencePage openAndSignUp(URI base, String username, String displayName, String password) {
        driver.get(base.resolve("/").toString());
        await(who + " sees the sign-up form").atMost(Duration.ofSeconds(10))
                .until(() -> driver.findElement(By.id("signup-form")).isDisplayed());
        driver.findElement(By.id("signup-username")).sendKeys(username);
        driver.findElement(By.id("signup-display-name")).sendKeys(displayName);
        driver.findElement(By.id("signup-password")).sendKeys(password);
        driver.findElement(By.id("signup-submit")).click();
        await(who + " is connected").atMost(Duration.ofSeconds(10)).until(() -> "connected".equals(connectionState()));
        return this;
    }

    /** Creates a thread through the form; returns its id once it is open. */
    String createThread(String title) {
        driver.findElement(By.id("new-thread-title")).sendKeys(title);
        driver.findElement(By.id("new-thread-submit")).click();
        await(who + " has the new thread open").atMost(Duration.ofSeconds(5))
                .until(() -> title.equals(driver.findElement(By.id("thread-title")).getText()));
        return (String) js("return document.querySelector('#threads .thread.active').dataset.threadId;");
    }

    void invite(String username) {
        driver.findElement(By.id("invite-username")).sendKeys(username);
        driver.findElement(By.id("invite-submit")).click();
        await(who + " is told the invitation went out").atMost(Duration.ofSeconds(5))
                .until(() -> driver.findElement(By.id("invite-result")).getText().contains(username));
    }

    /** Waits for a pending invitation to that thread and accepts it. */
    void acceptInvitationTo(String threadId) {
        By accept = By.cssSelector("#invitations .invitation[data-thread-id='" + threadId + "'] button.accept");
        await(who + " sees the invitation").atMost(Duration.ofSeconds(5))
                .until(() -> !driver.findElements(accept).isEmpty() && driver.findElement(accept).isDisplayed());
        driver.findElement(accept).click();
        await(who + " has the thread open").atMost(Duration.ofSeconds(5))
                .until(() -> threadId.equals(js("const t = document.querySelector('#threads .thread.active');"
                        + " return t ? t.dataset.threadId : null;")));
    }

    void changeDisplayName(String name) {
        driver.findElement(By.id("me-button")).click();
        WebElement input = driver.findElement(By.id("display-name-input"));
        input.clear();
        input.sendKeys(name);
        driver.findElement(By.id("profile-save")).click();
        await(who + " shows the new name").atMost(Duration.ofSeconds(5))
                .until(() -> name.equals(driver.findElement(By.id("me-name")).getText()));
    }

    /** The name shown for a member in the thread list. */
    String memberName(String userId) {
        return (String) js("const e = document.querySelector('#threads .member[data-user-id=\"' + CSS.escape(arguments[0]) + '\"] .member-name');"
                + " return e ? e.textContent : null;", userId);
    }

    String myUserId() {
        return (String) js("const e = document.getElementById('me-button'); return e ? e.dataset.userId : null;");
    }

    /** {@code connected}, {@code reconnecting} or {@code offline}: the connection indicator ({@code none}, hidden, without a session). */
    String connectionState() {
        return (String) js("const e = document.getElementById('connection'); return e ? e.dataset.state : null;");
    }

    String connectionLabel() {
        return (String) js("const e = document.getElementById('connection-label'); return e ? e.textContent : null;");
    }

    /** {@code online}/{@code offline} as the dot in the thread list shows it for that user, or null if not listed. */
    String statusOf(String userId) {
        return (String) js("const e = document.querySelector('#threads .member[data-user-id=\"' + CSS.escape(arguments[0]) + '\"]');"
                + " return e ? e.dataset.status : null;", userId);
    }

    /** The text label next to that user's dot ("online", "last seen just now", ...). */
    String statusLabelOf(String userId) {
        return (String) js("const e = document.querySelector('#threads .member[data-user-id=\"' + CSS.escape(arguments[0]) + '\"] .status-label');"
                + " return e ? e.textContent : null;", userId);
    }

    PresencePage openThread(String threadId) {
        await(who + " lists thread " + threadId).atMost(Duration.ofSeconds(10))
                .until(() -> !driver.findElements(threadButton(threadId)).isEmpty());
        driver.findElement(threadButton(threadId)).click();
        await(who + " has thread " + threadId + " open").atMost(Duration.ofSeconds(5))
                .until(() -> driver.findElement(By.id("thread-open")).isDisplayed());
        return this;
    }

    void send(String text) {
        WebElement input = driver.findElement(By.id("message-input"));
        input.sendKeys(text);
        driver.findElement(By.id("send")).click();
    }

    /** The texts of the open thread's messages, oldest first, as the page renders them (textContent). */
    @SuppressWarnings("unchecked")
    List<String> messageTexts() {
        return (List<String>) js("return Array.from(document.querySelectorAll('#messages .message .message-text'))"
                + ".map(e => e.textContent);");
    }

    long countInMessages(String cssSelector) {
        return (Long) js("return document.querySelectorAll('#messages ' + arguments[0]).length;", cssSelector);
    }

    boolean authFormShown() {
        return driver.findElement(By.id("auth-view")).isDisplayed();
    }

    boolean signedIn() {
        return driver.findElement(By.id("app-view")).isDisplayed();
    }

    Object js(String script, Object... args) {
        return ((JavascriptExecutor) driver).executeScript(script, args);
    }

    private static By threadButton(String threadId) {
        return By.cssSelector("#threads .thread-button[data-thread-id='" + threadId + "']");
    }
}
