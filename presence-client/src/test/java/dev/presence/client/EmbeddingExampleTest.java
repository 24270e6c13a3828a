package dev.presence.client;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.presence.client.api.PresenceApi;
import dev.presence.server.support.TestServer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import javax.tools.DiagnosticCollector;
import javax.tools.JavaCompiler;
import javax.tools.JavaFileObject;
import javax.tools.StandardJavaFileManager;
import javax.tools.ToolProvider;
import java.io.File;
import java.lang.reflect.Method;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;
import static org.awaitility.Awaitility.await;

/**
 * The README's SDK example, taken from {@code README.md} itself (the Java block after the "README example"
 * comment), compiled as it stands and run against a real server: the README cannot drift from the SDK.
 */
class EmbeddingExampleTest {

    static final Path README = Path.of("..", "README.md");
    static final String MARKER = "<!-- README example:";

    @TempDir
    Path dir;

    @Test
    void readmeExampleCompilesAndRuns() throws Exception {
        String source = readmeExample();
        Matcher className = Pattern.compile("public\\s+(?:final\\s+)?class\\s+(\\w+)").matcher(source);
        assertThat(className.find()).as("a public class in the README example").isTrue();
        Class<?> example = compile(className.group(1), source);
        Method follow = example.getMethod("follow", URI.class, String.class, String.class, Consumer.class);
        Method print = example.getMethod("print", ThreadsSnapshot.class);
        example.getMethod("main", String[].class); // compiled; not run, as it waits for Ctrl-C

        try (TestServer server = TestServer.create().with(TestUsers.ROOMY_HEARTBEAT).start()) {
            TestUsers users = new TestUsers(server);
            PresenceApi bob = users.signUp("bob");
            TestUsers.thread("team", bob, users.signUp("alice")); // the README's user and password
            String bobId = bob.me().id();
            List<ThreadsSnapshot> views = new CopyOnWriteArrayList<>();

            PresenceClient client = (PresenceClient) follow.invoke(null, server.httpUri(), "alice",
                    "correct-horse-1", (Consumer<ThreadsSnapshot>) views::add);
            PresenceClient bobClient = PresenceClient.builder(bob).build();
            try {
                bobClient.connect();
                await().atMost(Duration.ofSeconds(20)).until(() -> !views.isEmpty()
                        && views.get(views.size() - 1).isOnline(bobId));
                ThreadsSnapshot last = views.get(views.size() - 1);
                assertThat(last.threads()).extracting(t -> t.title()).containsExactly("team");
                assertThat(client.isConnected()).isTrue();
                print.invoke(null, last);
            } finally {
                client.close();
                bobClient.close();
            }
            assertThat(client.awaitClosed(Duration.ofSeconds(10))).isTrue();
            assertThat(client.state()).isEqualTo(ConnectionState.CLOSED);
        }
    }

    /** The Java block that follows the marker comment in the README. */
    static String readmeExample() throws Exception {
        assertThat(README).as("README.md at the repository root").exists();
        String readme = Files.readString(README, StandardCharsets.UTF_8);
        int marker = readme.indexOf(MARKER);
        assertThat(marker).as("the marker %s in README.md", MARKER).isNotNegative();
        int open = readme.indexOf("```java\n", marker);
        assertThat(open).as("a ```java block after the marker").isNotNegative();
        int close = readme.indexOf("\n```", open + 8);
        assertThat(close).as("the end of the block").isPositive();
        return readme.substring(open + "```java\n".length(), close + 1);
    }

    /** Compiles the example with the SDK and Jackson, and nothing else, on the class path. */
    private Class<?> compile(String name, String source) throws Exception {
        Path src = dir.resolve("src");
        Path classes = dir.resolve("classes");
        Files.createDirectories(src);
        Files.createDirectories(classes);
        Path file = src.resolve(name + ".java");
        Files.writeString(file, source, StandardCharsets.UTF_8);
        String classPath = Stream.of(PresenceApi.class, ObjectMapper.class, JsonParser.class, JsonProperty.class)
                .map(EmbeddingExampleTest::location).distinct().collect(Collectors.joining(File.pathSeparator));

        JavaCompiler javac = ToolProvider.getSystemJavaCompiler();
        assertThat(javac).as("a JDK, not a JRE").isNotNull();
        DiagnosticCollector<JavaFileObject> diagnostics = new DiagnosticCollector<>();
        try (StandardJavaFileManager files = javac.getStandardFileManager(diagnostics, null, StandardCharsets.UTF_8)) {
            boolean ok = javac.getTask(null, files, diagnostics,
                    List.of("--release", "17", "-Xlint:all", "-Werror", "-classpath", classPath,
                            "-d", classes.toString()),
                    null, files.getJavaFileObjects(file)).call();
            if (!ok) {
                fail("the README example does not compile:\n" + diagnostics.getDiagnostics().stream()
                        .map(d -> "line " + d.getLineNumber() + ": " + d.getMessage(null))
                        .collect(Collectors.joining("\n")));
            }
        }
        // the SDK classes come from the test's own loader, so the example and the test share them
        URLClassLoader loader = new URLClassLoader(new URL[] {classes.toUri().toURL()}, getClass().getClassLoader());
        return loader.loadClass(name);
    }

    private static String location(Class<?> type) {
        try {
            return Path.of(type.getProtectionDomain().getCodeSource().getLocation().toURI()).toString();
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }
}
