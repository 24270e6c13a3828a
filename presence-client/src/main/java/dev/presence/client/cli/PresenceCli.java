package dev.presence.client.cli;

import dev.presence.client.ConnectionListener;
import dev.presence.client.ConnectionState;
import dev.presence.client.PresenceClient;
import dev.presence.client.ThreadsState;
import dev.presence.client.api.ChatThread;
import dev.presence.client.api.Invitation;
import dev.presence.client.api.Member;
import dev.presence.client.api.Message;
import dev.presence.client.api.PresenceApi;
import dev.presence.client.api.PresenceApiException;
import dev.presence.client.api.PresenceTransportException;
import dev.presence.client.api.Session;
import dev.presence.client.api.User;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

import java.io.BufferedReader;
import java.io.Console;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.ZoneId;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * {@code presence-cli}: sign up, log in, manage threads, and watch who is online from a terminal. Whatever the
 * server sends (names, titles, messages, error texts) is printed through {@link TerminalText#safe}.
 */
@Command(name = "presence-cli", mixinStandardHelpOptions = true, scope = CommandLine.ScopeType.INHERIT,
        versionProvider = BuildVersion.class,
        description = "Watch who is online, from a terminal.",
        subcommands = {PresenceCli.SignUp.class, PresenceCli.LogIn.class, PresenceCli.LogOut.class,
                PresenceCli.Threads.class, PresenceCli.CreateThread.class, PresenceCli.Invite.class,
                PresenceCli.Invitations.class, PresenceCli.Accept.class, PresenceCli.Decline.class,
                PresenceCli.Send.class, PresenceCli.Watch.class, CommandLine.HelpCommand.class})
public final class PresenceCli implements Runnable {

    /** Held strongly: java.util.logging forgets the level of a logger nobody references. */
    private static final Logger SDK_LOGGER = Logger.getLogger("dev.presence.client");

    @Spec
    CommandSpec spec;

    private final InputStream stdin;
    private final Function<String, String> env;

    private PresenceCli(InputStream stdin, Function<String, String> env) {
        this.stdin = stdin;
        this.env = env;
    }

    public static void main(String[] args) {
        // one line per log record; set before java.util.logging formats anything
        System.setProperty("java.util.logging.SimpleFormatter.format", "[%1$tT] %4$s %5$s%6$s%n");
        System.exit(commandLine().execute(args));
    }

    /** The command line, with errors from the server printed as one line instead of a stack trace. */
    public static CommandLine commandLine() {
        return commandLine(System.in, System::getenv);
    }

    /** As {@link #commandLine()}, reading a password from {@code stdin} and {@code $PRESENCE_PASSWORD} from {@code env}. */
    static CommandLine commandLine(InputStream stdin, Function<String, String> env) {
        CommandLine cli = new CommandLine(new PresenceCli(stdin, env));
        cli.setExecutionExceptionHandler((e, commandLine, parseResult) -> {
            if (e instanceof PresenceApiException || e instanceof PresenceTransportException
                    || e instanceof IOException || e instanceof IllegalStateException) {
                commandLine.getErr().println("error: " + TerminalText.safe(e.getMessage()));
                return 1;
            }
            throw e;
        });
        return cli;
    }

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getOut());
    }

    /** Options every command takes. */
    static final class ServerOptions {
        @Option(names = "--server", defaultValue = "${env:PRESENCE_SERVER:-http://127.0.0.1:8080}",
                description = "Server base URL, or several separated by commas (the nodes of a cluster: a random "
                        + "one first, the next one when it cannot be reached) (default: ${DEFAULT-VALUE}).",
                converter = ServerList.Converter.class)
        ServerList server;

        @Option(names = "--token-file", description = "Where the login token is kept (default: ~/.presence/token).")
        Path tokenFile;

        TokenStore tokens() {
            return new TokenStore(tokenFile != null ? tokenFile : TokenStore.defaultPath());
        }

        PresenceApi anonymous() {
            return PresenceApi.create(server.uris());
        }

        PresenceApi authenticated() throws IOException {
            String token = tokens().load().orElseThrow(
                    () -> new IllegalStateException("not logged in: run `presence-cli login <username>` first"));
            return anonymous().withToken(token);
        }
    }

    abstract static class Base implements Callable<Integer> {
        @Mixin
        ServerOptions options;

        @Spec
        CommandSpec spec;

        PrintWriter out() {
            return spec.commandLine().getOut();
        }

        /** Prints one line, made safe for the terminal: it may hold text from the server. */
        void say(String line) {
            out().println(TerminalText.safe(line));
        }

        PresenceCli root() {
            return (PresenceCli) spec.root().userObject();
        }

        /**
         * The password: {@code given} (-p), else {@code $PRESENCE_PASSWORD}, else typed or read from stdin. An empty
         * one is refused here: sent, it would only come back as "wrong username or password".
         */
        String password(String given) throws IOException {
            String password = readPassword(given);
            if (password.isEmpty()) {
                throw new IllegalStateException("the password is empty: give it with -p, $PRESENCE_PASSWORD or on "
                        + "standard input");
            }
            return password;
        }

        private String readPassword(String given) throws IOException {
            if (given != null) {
                return given;
            }
            String env = root().env.apply("PRESENCE_PASSWORD");
            if (env != null) {
                return env;
            }
            Console console = root().stdin == System.in ? System.console() : null;
            if (console != null) {
                char[] typed = console.readPassword("Password: ");
                return typed == null ? "" : new String(typed);
            }
            String line = new BufferedReader(new InputStreamReader(root().stdin, StandardCharsets.UTF_8)).readLine();
            return line == null ? "" : line;
        }
    }

    @Command(name = "signup", description = "Create an account and log in (the token is kept as by login).")
    static final class SignUp extends Base {
        @Parameters(index = "0", description = "Username.")
        String username;

        @Option(names = {"-p", "--password"}, description = "Password (else $PRESENCE_PASSWORD, else asked).")
        String password;

        @Option(names = "--display-name", description = "Name shown to others.")
        String displayName;

        @Override
        public Integer call() throws IOException {
            String secret = password(password);
            User user = options.anonymous().signUp(username, secret, displayName);
            // as apps do: an account just made is used at once
            Session session = options.anonymous().logIn(username, secret);
            TokenStore tokens = options.tokens();
            tokens.save(session.token());
            say("Signed up as " + user.username() + " (" + user.id() + "); logged in, token saved in " + tokens.path());
            return 0;
        }
    }

    @Command(name = "login", description = "Log in and keep the token in ~/.presence/token (readable by you alone).")
    static final class LogIn extends Base {
        @Parameters(index = "0", description = "Username.")
        String username;

        @Option(names = {"-p", "--password"}, description = "Password (else $PRESENCE_PASSWORD, else asked).")
        String password;

        @Override
        public Integer call() throws IOException {
            Session session = options.anonymous().logIn(username, password(password));
            TokenStore tokens = options.tokens();
            tokens.save(session.token());
            say("Logged in as " + session.user().username() + "; token saved in " + tokens.path());
            return 0;
        }
    }

    @Command(name = "logout", description = "End the session on the server and forget the token.")
    static final class LogOut extends Base {
        @Option(names = "--everywhere", description = "End every session of mine, on every device.")
        boolean everywhere;

        @Override
        public Integer call() throws IOException {
            PresenceApi api = options.authenticated();
            try {
                if (everywhere) {
                    api.logOutEverywhere();
                } else {
                    api.logOut();
                }
            } catch (PresenceApiException.AuthenticationException e) {
                if (everywhere) {
                    throw new IllegalStateException("this token no longer works, so it cannot end the other "
                            + "sessions: log in again, then run `presence-cli logout --everywhere`");
                }
                // already ended on the server: forgetting it locally is all that is left
            }
            options.tokens().delete();
            say(everywhere ? "Logged out everywhere" : "Logged out");
            return 0;
        }
    }

    @Command(name = "threads", description = "List my threads, who is in them and who is online.")
    static final class Threads extends Base {
        @Override
        public Integer call() throws IOException {
            PresenceApi api = options.authenticated();
            String me = api.me().id();
            List<ChatThread> threads = api.threads();
            if (threads.isEmpty()) {
                say("No threads yet: create one with `presence-cli create-thread <title>`");
            }
            for (ChatThread thread : threads) {
                say(thread.id() + "  " + thread.title());
                for (Member m : thread.users()) {
                    // my own status says only whether I have a session open elsewhere: not news to me
                    String status = m.id().equals(me) ? "  you    " : m.online() ? "● online " : "○ offline";
                    say("    " + status + "  " + named(m.username(), m.displayName()));
                }
            }
            List<Invitation> invitations = api.invitations();
            if (!invitations.isEmpty()) {
                say("Invitations (`presence-cli accept <id>` or `presence-cli decline <id>`):");
                invitations.forEach(i -> say("    " + describe(i)));
            }
            return 0;
        }
    }

    @Command(name = "create-thread", description = "Create a thread with me as its only member.")
    static final class CreateThread extends Base {
        @Parameters(index = "0", description = "Title.")
        String title;

        @Override
        public Integer call() throws IOException {
            ChatThread thread = options.authenticated().createThread(title);
            say("Created thread " + thread.id() + "  " + thread.title());
            return 0;
        }
    }

    @Command(name = "invite", description = "Invite a user into one of my threads.")
    static final class Invite extends Base {
        @Parameters(index = "0", description = "Thread id.")
        String threadId;

        @Parameters(index = "1", description = "Username to invite.")
        String username;

        @Override
        public Integer call() throws IOException {
            Invitation invitation = options.authenticated().invite(threadId, username);
            say("Invited " + username + " (invitation " + invitation.id() + ")");
            return 0;
        }
    }

    @Command(name = "invitations", description = "List invitations addressed to me.")
    static final class Invitations extends Base {
        @Override
        public Integer call() throws IOException {
            List<Invitation> invitations = options.authenticated().invitations();
            if (invitations.isEmpty()) {
                say("No invitations");
            }
            invitations.forEach(i -> say(describe(i)));
            return 0;
        }
    }

    @Command(name = "accept", description = "Accept an invitation and join its thread.")
    static final class Accept extends Base {
        @Parameters(index = "0", description = "Invitation id.")
        String invitationId;

        @Override
        public Integer call() throws IOException {
            ChatThread thread = options.authenticated().accept(invitationId);
            say("Joined " + thread.id() + "  " + thread.title());
            return 0;
        }
    }

    @Command(name = "decline", description = "Decline an invitation (its sender is told).")
    static final class Decline extends Base {
        @Parameters(index = "0", description = "Invitation id.")
        String invitationId;

        @Override
        public Integer call() throws IOException {
            options.authenticated().decline(invitationId);
            say("Declined invitation " + invitationId);
            return 0;
        }
    }

    @Command(name = "send", description = "Send a message to a thread.")
    static final class Send extends Base {
        @Parameters(index = "0", description = "Thread id.")
        String threadId;

        @Parameters(index = "1..*", arity = "1..*", description = "Text.")
        List<String> words;

        @Override
        public Integer call() throws IOException {
            Message message = options.authenticated().send(threadId, String.join(" ", words));
            say("Sent " + message.id());
            return 0;
        }
    }

    @Command(name = "watch", description = "Stay connected and print every status change, message, invitation, member joining or leaving, and reconnect, until Ctrl-C.")
    static final class Watch extends Base {
        @Option(names = "--verbose", description = "Also print the SDK's own log lines.")
        boolean verbose;

        @Override
        public Integer call() throws Exception {
            if (!verbose) {
                SDK_LOGGER.setLevel(Level.SEVERE); // the watch prints losses and reconnects itself
            }
            PresenceApi api = options.authenticated();
            ThreadsState state = new ThreadsState();
            state.load(api);
            User me = api.me();
            WatchRenderer renderer = new WatchRenderer(new WatchPrinter(out(), ZoneId.systemDefault()), me,
                    api.baseUri().toString(), state::snapshot, System::currentTimeMillis);
            AtomicInteger closeCode = new AtomicInteger();
            CountDownLatch closed = new CountDownLatch(1);
            ExecutorService http = Executors.newSingleThreadExecutor(r -> {
                Thread t = new Thread(r, "presence-cli-http");
                t.setDaemon(true);
                return t;
            });
            state.addListener(renderer);
            PresenceClient client = PresenceClient.builder(api).listener(renderer).listener(new ConnectionListener() {
                @Override
                public void onClosed(PresenceClient c, int code, String reason) {
                    closeCode.set(code);
                    closed.countDown();
                }
            }).build();
            state.attach(client, api, http);
            Thread hook = new Thread(() -> {
                client.close();
                try {
                    client.awaitClosed(Duration.ofSeconds(2));
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }, "presence-cli-shutdown");
            Runtime.getRuntime().addShutdownHook(hook);
            client.connect();
            closed.await();
            if (client.state() == ConnectionState.CLOSED && closeCode.get() == PresenceClient.UNAUTHORIZED) {
                return 2;
            }
            return 0;
        }
    }

    /** {@code alice (Alice A)}, or {@code alice} when the display name adds nothing. */
    static String named(String username, String displayName) {
        return displayName != null && !displayName.isBlank() && !displayName.equals(username)
                ? username + " (" + displayName + ")" : username;
    }

    /** One invitation: its id, the thread's title, and who sent it. */
    static String describe(Invitation i) {
        String from = i.inviter().map(u -> named(u.username(), u.displayName())).orElse(i.fromUserId());
        return i.id() + "  " + i.threadTitle() + "  from " + from + "  (thread " + i.threadId() + ")";
    }
}
