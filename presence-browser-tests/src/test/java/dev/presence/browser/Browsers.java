package dev.presence.browser;

import org.junit.jupiter.api.Assumptions;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.TakesScreenshot;
import org.openqa.selenium.UnexpectedAlertBehaviour;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.logging.LogEntry;
import org.openqa.selenium.logging.LogType;
import org.openqa.selenium.logging.LoggingPreferences;

import javax.imageio.ImageIO;
import java.awt.Color;
import java.awt.Graphics2D;
import java.awt.image.BufferedImage;
import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.logging.Level;

/**
 * Starts Debian's headless Chromium ({@code /usr/bin/chromium}) through Debian's ChromeDriver
 * ({@code /usr/bin/chromedriver}), each browser with its own fresh profile directory. Nothing is ever
 * downloaded: both paths are given explicitly, so Selenium Manager has nothing to look for.
 */
final class Browsers {

    static final Path CHROMIUM = Path.of(System.getProperty("presence.chromium", "/usr/bin/chromium"));
    static final Path CHROMEDRIVER = Path.of(System.getProperty("webdriver.chrome.driver", "/usr/bin/chromedriver"));
    static final Path TARGET = Path.of(System.getProperty("presence.target", "target"));
    static final Path SCREENSHOTS = TARGET.resolve("screenshots");

    /** A desktop window. */
    static final Size DESKTOP = new Size(1280, 800);
    /** A phone-sized window (CSS pixels of a common phone). */
    static final Size PHONE = new Size(390, 844);

    record Size(int width, int height) {
        /** Headless Chromium will not make a window narrower than 500 px, so phones are emulated. */
        boolean phone() {
            return width < 500;
        }
    }

    private Browsers() {
    }

    /**
     * Whether Chromium and ChromeDriver are installed. On CI ({@code CI=true}) a missing browser is a broken
     * build, not a reason to skip, so this throws there instead of answering false.
     */
    static boolean chromiumPresent() {
        boolean present = Files.isExecutable(CHROMIUM) && Files.isExecutable(CHROMEDRIVER);
        if (!present && "true".equalsIgnoreCase(System.getenv("CI"))) {
            throw new IllegalStateException(MISSING + " (CI=true, so this fails instead of skipping)");
        }
        return present;
    }

    /**
     * Skips the calling test with a clear message when Chromium or ChromeDriver is missing — except on CI
     * ({@code CI=true}), where it fails. Call it per test ({@code @BeforeEach}) so each skip is reported.
     */
    static void requireChromium() {
        Assumptions.assumeTrue(chromiumPresent(), MISSING);
    }

    private static final String MISSING = "Browser tests need Debian's chromium and chromium-driver (" + CHROMIUM
            + ", " + CHROMEDRIVER + "): apt-get install -y chromium chromium-driver";

    /** A new headless browser with an empty profile of its own. */
    static WebDriver start(String name, Size size) {
        return start(name, size, newProfile(name));
    }

    /** A fresh, empty profile directory; give it to {@link #start(String, Size, Path)} again to "restart the browser". */
    static Path newProfile(String name) {
        try {
            return Files.createTempDirectory(Files.createDirectories(TARGET.resolve("profiles")), name + "-");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** A new headless browser on that profile directory (what a previous browser on it stored is still there). */
    static WebDriver start(String name, Size size, Path profile) {
        ChromeOptions options = new ChromeOptions();
        options.setBinary(CHROMIUM.toFile());
        options.addArguments(
                "--headless=new",
                "--no-sandbox",
                "--disable-gpu",
                "--disable-quic",
                "--no-first-run",
                "--no-default-browser-check",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                "--disable-extensions",
                "--disable-dev-shm-usage",
                "--user-data-dir=" + profile.toAbsolutePath(),
                "--window-size=" + Math.max(size.width(), 500) + "," + size.height());
        if (size.phone()) {
            options.setExperimentalOption("mobileEmulation", Map.of("deviceMetrics",
                    Map.of("width", size.width(), "height", size.height(), "pixelRatio", 1.0, "touch", true)));
        }
        // Keep the browser console, so tests can see CSP violations and script errors.
        LoggingPreferences logs = new LoggingPreferences();
        logs.enable(LogType.BROWSER, Level.ALL);
        options.setCapability("goog:loggingPrefs", logs);
        // Leave any alert open so a test can see it (an XSS that fired), instead of Selenium dismissing it.
        options.setUnhandledPromptBehaviour(UnexpectedAlertBehaviour.IGNORE);
        ChromeDriverService service = new ChromeDriverService.Builder()
                .usingDriverExecutable(CHROMEDRIVER.toFile())
                .usingAnyFreePort()
                .withLogFile(TARGET.resolve("chromedriver-" + name + ".log").toFile())
                .build();
        ChromeDriver driver = new ChromeDriver(service, options);
        driver.manage().timeouts().implicitlyWait(Duration.ZERO);
        driver.manage().timeouts().scriptTimeout(Duration.ofSeconds(20));
        return driver;
    }

    /** Saves what the browser shows now as {@code target/screenshots/<name>.png}. */
    static Path screenshot(WebDriver driver, String name) {
        try {
            Files.createDirectories(SCREENSHOTS);
            File shot = ((TakesScreenshot) driver).getScreenshotAs(OutputType.FILE);
            Path to = SCREENSHOTS.resolve(name + ".png");
            Files.move(shot.toPath(), to, StandardCopyOption.REPLACE_EXISTING);
            return to;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Switches DevTools' network emulation: offline makes {@code navigator.onLine} false and fires {@code offline}. */
    static void setOffline(WebDriver driver, boolean offline) {
        ((ChromeDriver) driver).executeCdpCommand("Network.enable", Map.of());
        ((ChromeDriver) driver).executeCdpCommand("Network.emulateNetworkConditions", Map.of(
                "offline", offline, "latency", 0, "downloadThroughput", -1, "uploadThroughput", -1));
    }

    /** Screenshots of several browsers next to each other in one picture (for the README). */
    static Path sideBySide(String name, WebDriver... drivers) {
        try {
            List<BufferedImage> shots = new java.util.ArrayList<>();
            for (WebDriver driver : drivers) {
                shots.add(ImageIO.read(new java.io.ByteArrayInputStream(
                        ((TakesScreenshot) driver).getScreenshotAs(OutputType.BYTES))));
            }
            int gap = 24;
            int width = shots.stream().mapToInt(BufferedImage::getWidth).sum() + gap * (shots.size() + 1);
            int height = shots.stream().mapToInt(BufferedImage::getHeight).max().orElse(0) + 2 * gap;
            BufferedImage out = new BufferedImage(width, height, BufferedImage.TYPE_INT_RGB);
            Graphics2D g = out.createGraphics();
            g.setColor(new Color(0x2b, 0x30, 0x3b));
            g.fillRect(0, 0, width, height);
            int x = gap;
            for (BufferedImage shot : shots) {
                g.drawImage(shot, x, gap, null);
                x += shot.getWidth() + gap;
            }
            g.dispose();
            Files.createDirectories(SCREENSHOTS);
            Path to = SCREENSHOTS.resolve(name + ".png");
            ImageIO.write(out, "png", to.toFile());
            return to;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** What the page wrote to the browser console since the last call (errors, CSP violations, logs). */
    static List<String> console(WebDriver driver) {
        return driver.manage().logs().get(LogType.BROWSER).getAll().stream()
                .map(LogEntry::toString)
                .toList();
    }

    /** Quits a browser, ignoring one that is already gone. */
    static void quit(WebDriver driver) {
        if (driver != null) {
            try {
                driver.quit();
            } catch (RuntimeException ignored) {
                // already closed by the test
            }
        }
    }
}
