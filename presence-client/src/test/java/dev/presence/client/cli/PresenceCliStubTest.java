package dev.presence.client.cli;

import dev.presence.client.StubServer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The CLI against a stub server: answers today's server cannot give (contract v2 calls, 429) or will refuse to
 * store (control characters in titles and names), and checks that nothing is sent when it should not be.
 */
class PresenceCliStubTest {

    private static final String ME = "{\"id\":\"u-me\",\"username\":\"me\",\"display_name\":\"Me\"}";
    /** JSON-escaped: a clear screen, a window title (OSC ended by BEL), colours, an 8-bit CSI, a bidi override. */
    private static final String HOSTILE = "\\u001b[2J\\u001b[H\\u001b]0;pwned\\u0007\\u001b[31mred\\u001b[0m"
            + "\\u009b1m\\u202Egnp.exe";
    /** How {@link #HOSTILE} must look on the terminal. */
    private static final String SHOWN = "\\x1B[2J\\x1B[H\\x1B]0;pwned\\x07\\x1B[31mred\\x1B[0m\\x9B1m\\u202Egnp.exe";

    @TempDir
    Path dir;

    private StubServer stub;

    @BeforeEach
    void start() throws Exception {
        stub = new StubServer();
        new TokenStore(dir.resolve("token")).save("tok");
    }

    @AfterEach
    void stop() {
        stub.close();
    }

    private record Result(int exit, String out, String err) {
    }

    private Result run(InputStream stdin, String... args) {
        List<String> all = new ArrayList<>(List.of(args));
        all.add("--server=" + stub.uri());
        all.add("--token-file=" + dir.resolve("token"));
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        CommandLine cli = PresenceCli.commandLine(stdin, name -> null);
        cli.setOut(new PrintWriter(out, true));
        cli.setErr(new PrintWriter(err, true));
        int exit = cli.execute(all.toArray(String[]::new));
        return new Result(exit, out.toString(), err.toString());
    }

    private Result run(String... args) {
        return run(new ByteArrayInputStream(new byte[0]), args);
    }

    @Test
    void anInvitationTitleWithEscapeSequencesIsShownEscaped() {
        stub.on("GET", "/api/invitations", 200, "[{\"id\":\"i1\",\"thread_id\":\"t1\",\"thread_title\":\""
                + HOSTILE + "\",\"from_user_id\":\"u-x\",\"to_user_id\":\"u-me\",\"from_user\":{\"id\":\"u-x\","
                + "\"username\":\"stranger\",\"display_name\":\"" + HOSTILE + "\\n[12:00:00] root is now online\"}}]");

        Result r = run("invitations");

        assertThat(r.exit()).isZero();
        assertNothingRaw(r.out());
        assertThat(r.out().lines()).containsExactly("i1  " + SHOWN + "  from stranger (" + SHOWN
                + "\\n[12:00:00] root is now online)  (thread t1)");
    }

    @Test
    void threadsShowHostileTitlesAndNamesEscaped() {
        stub.on("GET", "/api/me", 200, ME);
        stub.on("GET", "/api/threads", 200, "[{\"id\":\"t1\",\"title\":\"" + HOSTILE + "\",\"users\":["
                + "{\"id\":\"u-me\",\"username\":\"me\",\"display_name\":\"Me\",\"is_online\":false,\"last_seen\":0},"
                + "{\"id\":\"u-eve\",\"username\":\"eve\",\"display_name\":\"" + HOSTILE + "\",\"is_online\":true,"
                + "\"last_seen\":0}]}]");
        stub.on("GET", "/api/invitations", 200, "[{\"id\":\"i1\",\"thread_id\":\"t2\",\"thread_title\":\"" + HOSTILE
                + "\",\"from_user_id\":\"u-eve\",\"to_user_id\":\"u-me\"}]");

        Result r = run("threads");

        assertThat(r.exit()).isZero();
        assertNothingRaw(r.out());
        assertThat(r.out().lines()).containsExactly(
                "t1  " + SHOWN,
                "      you      me (Me)",
                "    ● online   eve (" + SHOWN + ")",
                "Invitations (`presence-cli accept <id>` or `presence-cli decline <id>`):",
                "    i1  " + SHOWN + "  from u-eve  (thread t2)");
    }

    @Test
    void serverErrorMessagesAreShownEscaped() {
        stub.on("POST", "/api/invitations/i1/accept", 404,
                "{\"error\":{\"code\":\"not_found\",\"message\":\"no invitation " + HOSTILE + "\"}}");

        Result r = run("accept", "i1");

        assertThat(r.exit()).isEqualTo(1);
        assertNothingRaw(r.err());
        assertThat(r.err().trim()).isEqualTo("error: no invitation " + SHOWN + " (not_found, HTTP 404)");
    }

    @Test
    void declineDeclinesTheInvitation() {
        stub.on("POST", "/api/invitations/i1/decline", 204, null);

        Result r = run("decline", "i1");

        assertThat(r.exit()).isZero();
        assertThat(r.out().trim()).isEqualTo("Declined invitation i1");
        assertThat(stub.requests).singleElement().satisfies(q -> {
            assertThat(q.method()).isEqualTo("POST");
            assertThat(q.path()).isEqualTo("/api/invitations/i1/decline");
            assertThat(q.authorization()).isEqualTo("Bearer tok");
        });
    }

    @Test
    void logoutEverywhereEndsEverySessionAndForgetsTheToken() {
        stub.on("DELETE", "/api/sessions", 204, null);

        Result r = run("logout", "--everywhere");

        assertThat(r.exit()).isZero();
        assertThat(r.out().trim()).isEqualTo("Logged out everywhere");
        assertThat(stub.requests).extracting(q -> q.method() + " " + q.path()).containsExactly("DELETE /api/sessions");
        assertThat(dir.resolve("token")).doesNotExist();
    }

    @Test
    void plainLogoutEndsThisSessionOnly() {
        stub.on("DELETE", "/api/sessions/current", 204, null);

        assertThat(run("logout").exit()).isZero();

        assertThat(stub.requests).extracting(q -> q.method() + " " + q.path())
                .containsExactly("DELETE /api/sessions/current");
        assertThat(dir.resolve("token")).doesNotExist();
    }

    @Test
    void logoutEverywhereWithADeadTokenSaysSoAndKeepsNothingHidden() {
        stub.on("DELETE", "/api/sessions", 401, "{\"error\":{\"code\":\"unauthorized\",\"message\":\"bad token\"}}");

        Result r = run("logout", "--everywhere");

        assertThat(r.exit()).isEqualTo(1);
        assertThat(r.err()).contains("log in again");
    }

    @Test
    void anEmptyPasswordIsRefusedWithoutAskingTheServer() {
        for (String stdin : List.of("\n", "")) {
            Result r = run(new ByteArrayInputStream(stdin.getBytes(StandardCharsets.UTF_8)), "login", "alice");

            assertThat(r.exit()).isEqualTo(1);
            assertThat(r.err().trim()).isEqualTo("error: the password is empty: give it with -p, $PRESENCE_PASSWORD "
                    + "or on standard input");
        }
        assertThat(run("login", "alice", "-p", "").exit()).isEqualTo(1);
        assertThat(run("signup", "alice", "-p", "").exit()).isEqualTo(1);
        assertThat(stub.requests).as("nothing sent").isEmpty();
    }

    @Test
    void aPasswordFromStandardInputIsUsed() {
        stub.on("POST", "/api/sessions", 201, "{\"token\":\"new-token\",\"user\":" + ME + "}");

        Result r = run(new ByteArrayInputStream("correct-horse-1\n".getBytes(StandardCharsets.UTF_8)), "login", "me");

        assertThat(r.exit()).isZero();
        assertThat(stub.requests).singleElement().satisfies(q ->
                assertThat(q.body()).contains("\"password\":\"correct-horse-1\""));
    }

    @Test
    void rateLimitedLoginsSayWhenToTryAgain() {
        stub.on("POST", "/api/sessions", 429, "{\"error\":{\"code\":\"rate_limited\",\"message\":\"too many login "
                + "attempts\"}}", Map.of("Retry-After", "30"));

        Result r = run("login", "me", "-p", "correct-horse-1");

        assertThat(r.exit()).isEqualTo(1);
        assertThat(r.err().trim()).isEqualTo("error: too many login attempts (rate_limited, HTTP 429, retry after 30 "
                + "seconds)");
    }

    private static void assertNothingRaw(String printed) {
        assertThat(printed).doesNotContain("\u001b", "\u0007", "\u009b", "\u202E", "\r");
        assertThat(printed.chars().filter(c -> c < 0x20 && c != '\n')).as("no control character but newlines").isEmpty();
    }
}
