package dev.presence.browser;

import dev.presence.example.AppSettings;
import dev.presence.example.ExistingApp;
import dev.presence.server.support.TestServer;
import dev.presence.server.webhook.WebhookSettings;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.By;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.WebDriver;

import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The README's "try it in five minutes" in a real headless Chromium: presence in integration mode (API key, JWT
 * secret, webhooks, the app's origin allowed), the example app on its own port, and its page opened by two people.
 * They see each other's dot turn green, and gray when one closes the page; the app hears both through webhooks.
 */
class ExistingAppInBrowserTest {

    private static final Duration WAIT = Duration.ofSeconds(20);

    @TempDir
    Path secrets;

    private TestServer presence;
    private ExistingApp app;
    private final List<WebDriver> browsers = new ArrayList<>();

    @AfterEach
    void stop() throws Exception {
        browsers.forEach(Browsers::quit);
        if (app != null) {
            app.close();
        }
        if (presence != null) {
            presence.close();
        }
    }

    @Test
    void twoPeopleOnTheAppsPageSeeEachOtherComeAndGo() throws Exception {
        Browsers.requireChromium();
        Path apiKey = Files.writeString(secrets.resolve("api-key"), "an-api-key-of-the-example-app-0123456789\n");
        Path jwtSecret = Files.writeString(secrets.resolve("jwt-secret"), "a-jwt-secret-that-is-at-least-32-bytes\n");
        Path webhookSecret = Files.writeString(secrets.resolve("webhook-secret"), "a-webhook-secret\n");
        int appPort = freePort();
        String appOrigin = "http://127.0.0.1:" + appPort;
        WebhookSettings webhooks = WebhookSettings.of(URI.create(appOrigin + "/webhooks/presence"),
                "a-webhook-secret".getBytes(StandardCharsets.UTF_8));
        presence = TestServer.create().shortHeartbeat().with(b -> b.apiKeyFile(apiKey).jwtSecretFile(jwtSecret)
                .webhooks(webhooks).allowedOrigins(List.of(appOrigin))).start();
        app = ExistingApp.start(AppSettings.fromEnvironment(Map.of(
                "ACME_PORT", String.valueOf(appPort),
                "PRESENCE_URL", presence.httpUri().toString(),
                "PRESENCE_API_KEY_FILE", apiKey.toString(),
                "PRESENCE_JWT_SECRET_FILE", jwtSecret.toString(),
                "PRESENCE_WEBHOOK_SECRET_FILE", webhookSecret.toString())), Duration.ofMinutes(10), status -> { });

        WebDriver alice = open(appOrigin, "alice");
        WebDriver bob = open(appOrigin, "bob");

        await().atMost(WAIT).until(() -> dotOf(alice, "Bob").contains("online") && dotOf(bob, "Alice").contains("online"));
        await().atMost(WAIT).until(() -> app.statuses().containsKey("acme:bob") && app.statuses().get("acme:bob").online());

        Browsers.quit(bob);
        browsers.remove(bob);
        await().atMost(WAIT).until(() -> !dotOf(alice, "Bob").contains("online"));
        await().atMost(WAIT).until(() -> !app.statuses().get("acme:bob").online());
        assertThat(Browsers.console(alice)).noneMatch(line -> line.contains("Uncaught"));
    }

    private WebDriver open(String appOrigin, String username) {
        WebDriver driver = Browsers.start("existing-app-" + username, Browsers.DESKTOP);
        browsers.add(driver);
        driver.get(appOrigin + "/");
        driver.findElement(By.id("username")).sendKeys(username);
        driver.findElement(By.cssSelector("#login button")).click();
        await().atMost(WAIT).until(() -> driver.findElement(By.id("link")).getText().equals("live"));
        return driver;
    }

    /**
     * The class of the dot next to that person's name on the page, or "" while they are not listed; read in one
     * script, since the page redraws its list on every change.
     */
    private static String dotOf(WebDriver driver, String name) {
        Object found = ((JavascriptExecutor) driver).executeScript(
                "for (const li of document.querySelectorAll('#rooms li')) {"
                        + "  if (li.textContent.startsWith(arguments[0])) return li.querySelector('.dot').className;"
                        + "} return '';", name);
        return String.valueOf(found);
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }
}
