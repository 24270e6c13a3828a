package dev.presence.client.cli;

import dev.presence.server.support.TestServer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;

/** The CLI's one-shot commands against a real server, and the exact line format of {@code watch}. */
class PresenceCliTest {

    @TempDir
    Path dir;

    @RegisterExtension
    final TestServer server = TestServer.create();

    private record Result(int exit, String out, String err) {
    }

    private Result run(String tokenFile, String... args) {
        return runOn(server.httpUri().toString(), tokenFile, args);
    }

    private Result runOn(String servers, String tokenFile, String... args) {
        List<String> all = new ArrayList<>(List.of(args));
        all.add("--server=" + servers);
        all.add("--token-file=" + dir.resolve(tokenFile));
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        CommandLine cli = PresenceCli.commandLine();
        cli.setOut(new PrintWriter(out, true));
        cli.setErr(new PrintWriter(err, true));
        int exit = cli.execute(all.toArray(String[]::new));
        return new Result(exit, out.toString(), err.toString());
    }

    @Test
    void signupLoginInviteAcceptSendAndList() throws Exception {
        assertThat(run("a", "signup", "alice", "-p", "correct-horse-1").out()).startsWith("Signed up as alice");
        assertThat(run("b", "signup", "bob", "-p", "correct-horse-1", "--display-name", "Bob B").exit()).isZero();
        assertThat(run("a", "login", "alice", "-p", "correct-horse-1").out()).startsWith("Logged in as alice");
        assertThat(run("b", "login", "bob", "-p", "correct-horse-1").exit()).isZero();

        Path token = dir.resolve("a");
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(token))).isEqualTo("rw-------");
        assertThat(Files.readString(token).trim()).isNotEmpty();

        String threadId = group(run("a", "create-thread", "team").out(), "Created thread (\\S+)");
        String invitationId = group(run("a", "invite", threadId, "bob").out(), "invitation (\\S+)\\)");
        assertThat(run("b", "invitations").out()).contains(invitationId, "team");
        assertThat(run("b", "accept", invitationId).out()).startsWith("Joined " + threadId);
        assertThat(run("b", "send", threadId, "hello", "there").out()).startsWith("Sent ");

        String threads = run("a", "threads").out();
        assertThat(threads).contains(threadId, "team", "bob (Bob B)");
        assertThat(threads.lines()).as("the caller is 'you', not offline")
                .contains("      you      alice").noneMatch(l -> l.contains("offline  alice"));
    }

    @Test
    void signupAlsoLogsInAndKeepsTheTokenWhereTokenFileSays() throws Exception {
        Result signup = run("fresh/token", "signup", "carol", "-p", "correct-horse-1");

        assertThat(signup.exit()).isZero();
        assertThat(signup.out()).startsWith("Signed up as carol").contains("token saved in " + dir.resolve("fresh/token"));
        Path token = dir.resolve("fresh/token");
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(token))).isEqualTo("rw-------");
        assertThat(run("fresh/token", "create-thread", "mine").out()).as("usable without a login")
                .startsWith("Created thread ");
    }

    @Test
    void inviteesSeeWhoInvitedThem() {
        String aliceId = group(run("a", "signup", "alice", "-p", "correct-horse-1", "--display-name", "Alice A").out(),
                "Signed up as alice \\((\\S+)\\);");
        run("b", "signup", "bob", "-p", "correct-horse-1");
        String threadId = group(run("a", "create-thread", "team").out(), "Created thread (\\S+)");
        String invitationId = group(run("a", "invite", threadId, "bob").out(), "invitation (\\S+)\\)");

        String listed = run("b", "invitations").out();
        assertThat(listed).contains(invitationId + "  team  from ");
        // the inviter by name once the server sends from_user (contract v2), by id before
        assertThat(listed).containsAnyOf("from alice (Alice A)", "from " + aliceId + "  ");
    }

    @Test
    void everySubcommandTakesHelp() {
        CommandLine cli = PresenceCli.commandLine();
        assertThat(cli.getSubcommands()).containsKeys("signup", "login", "logout", "threads", "create-thread",
                "invite", "invitations", "accept", "decline", "send", "watch", "help");
        for (String name : cli.getSubcommands().keySet()) {
            for (String flag : List.of("-h", "--help")) {
                Result help = run("a", name, flag);
                assertThat(help.exit()).as("%s %s: %s", name, flag, help.err()).isZero();
                assertThat(help.out()).as("%s %s", name, flag).contains("Usage: presence-cli " + name + " ");
            }
        }
    }

    @Test
    void versionIsTheBuildsVersion() {
        String expected = "presence-cli " + System.getProperty("presence.version");
        assertThat(System.getProperty("presence.version")).as("set by the build").isNotBlank();

        assertThat(run("a", "-V").out().trim()).isEqualTo(expected);
        assertThat(run("a", "--version").out().trim()).isEqualTo(expected);
        assertThat(run("a", "watch", "-V").out().trim()).isEqualTo(expected);
    }

    @Test
    void errorsAreOneLineWithTheServersCodeAndAFailingExit() {
        run("a", "signup", "alice", "-p", "correct-horse-1");

        Result taken = run("a", "signup", "alice", "-p", "correct-horse-1");
        assertThat(taken.exit()).isEqualTo(1);
        assertThat(taken.err()).startsWith("error: ").contains("HTTP 409").doesNotContain("Exception");

        Result wrong = run("a", "login", "alice", "-p", "wrong-password");
        assertThat(wrong.exit()).isEqualTo(1);
        assertThat(wrong.err()).contains("HTTP 401");

        Result notLoggedIn = run("nobody", "threads");
        assertThat(notLoggedIn.exit()).isEqualTo(1);
        assertThat(notLoggedIn.err()).contains("not logged in");
    }

    @Test
    void aCommaSeparatedServerListGoesOnWhenOneCannotBeReached() throws IOException {
        String servers;
        try (ServerSocket closed = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            servers = "http://127.0.0.1:" + closed.getLocalPort() + " , " + server.httpUri();
        }
        // each command starts at a random server of the list: several commands meet the one that is down
        assertThat(runOn(servers, "a", "signup", "alice", "-p", "correct-horse-1").out()).startsWith("Signed up as");
        for (int i = 0; i < 6; i++) {
            Result created = runOn(servers, "a", "create-thread", "team " + i);
            assertThat(created.exit()).as(created.err()).isZero();
        }
        assertThat(runOn(servers, "a", "threads").out()).contains("team 0", "team 5");
    }

    @Test
    void aServerListThatIsNotOneIsAUsageError() {
        Result bad = runOn("http://127.0.0.1:8080,ftp://files", "a", "threads");

        assertThat(bad.exit()).isEqualTo(2);
        assertThat(bad.err()).contains("--server", "need http://host:port or https://host:port, not 'ftp://files'");
        assertThat(runOn(" , ", "a", "threads").err()).contains("no server address given");
    }

    @Test
    void logoutForgetsTheToken() {
        run("a", "signup", "alice", "-p", "correct-horse-1");
        run("a", "login", "alice", "-p", "correct-horse-1");

        assertThat(run("a", "logout").exit()).isZero();

        assertThat(dir.resolve("a")).doesNotExist();
    }

    @Test
    void watchLinesLookLikeTheSpec() {
        StringWriter out = new StringWriter();
        WatchPrinter print = new WatchPrinter(new PrintWriter(out), ZoneOffset.UTC);
        long noon = 1_767_268_800_000L; // 2026-01-01T12:00:00Z

        print.status(noon + 1_000, "user_b", false, noon);
        print.status(noon + 2_000, "user_b", true, noon);

        assertThat(out.toString()).isEqualTo("[12:00:01] user_b is now offline (last seen 12:00:00)"
                + System.lineSeparator() + "[12:00:02] user_b is now online" + System.lineSeparator());
    }

    private static String group(String text, String regex) {
        Matcher m = Pattern.compile(regex).matcher(text);
        assertThat(m.find()).as("'%s' in %s", regex, text).isTrue();
        return m.group(1);
    }
}
