package dev.presence.browser;

import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.WebDriver;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * axe-core, the accessibility engine, run inside the page. The script comes from the Maven artifact
 * {@code com.deque.html.axe-core:selenium} (its jar carries {@code axe.min.js}); it is injected through
 * WebDriver, which the page's Content-Security-Policy does not apply to, so the page needs no change.
 */
final class Axe {

    /** WCAG 2.0, 2.1 and 2.2 at levels A and AA, plus axe's best practices. */
    static final List<String> TAGS = List.of("wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa", "best-practice");

    private static final String SCRIPT = load();

    private Axe() {
    }

    private static String load() {
        try (InputStream in = Axe.class.getResourceAsStream("/axe.min.js")) {
            if (in == null) {
                throw new IllegalStateException("axe.min.js is not on the test classpath (com.deque.html.axe-core:selenium)");
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** A rule that failed, with the elements it failed on. */
    record Violation(String id, String impact, String help, List<String> nodes) {
        @Override
        public String toString() {
            return id + " (" + impact + "): " + help + "\n      " + String.join("\n      ", nodes);
        }
    }

    /** Runs axe on the page as it is now and returns every violation (an empty list: none). */
    @SuppressWarnings("unchecked")
    static List<Violation> violations(WebDriver driver) {
        JavascriptExecutor js = (JavascriptExecutor) driver;
        if (!Boolean.TRUE.equals(js.executeScript("return typeof window.axe === 'object';"))) {
            js.executeScript(SCRIPT);
        }
        Object result = js.executeAsyncScript("""
                const [tags, done] = arguments;
                axe.run(document, { runOnly: { type: 'tag', values: tags }, resultTypes: ['violations'] })
                    .then((r) => done(r.violations.map((v) => ({
                        id: v.id, impact: v.impact, help: v.help,
                        nodes: v.nodes.map((n) => n.target.join(' ') + ' — ' + (n.failureSummary || '').replace(/\\s+/g, ' ')),
                    }))), (e) => done('axe failed: ' + e));
                """, TAGS);
        if (result instanceof String failure) {
            throw new IllegalStateException(failure);
        }
        return ((List<Map<String, Object>>) result).stream()
                .map(v -> new Violation((String) v.get("id"), (String) v.get("impact"), (String) v.get("help"),
                        (List<String>) v.get("nodes")))
                .toList();
    }

    /** The violations as a readable report, for assertion messages. */
    static String report(List<Violation> violations) {
        return violations.stream().map(v -> "  - " + v).collect(Collectors.joining("\n"));
    }
}
