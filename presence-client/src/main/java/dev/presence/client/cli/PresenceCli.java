package dev.presence.client.cli;

import dev.presence.client.ConnectionListener;
import dev.presence.client.ConnectionState;
import dev.presence.client.PresenceClient;
import dev.presence.client.ThreadsChange;
import dev.presence.client.ThreadsSnapshot;
import dev.presence.client.ThreadsState;
import dev.presence.client.Welcome;
import dev.presence.client.api.ChatThread;
import dev.presence.client.api.Invitation;
import dev.presence.client.api.Member;
import dev.presence.client.api.Message;
import dev.presence.client.api.PresenceApi;
import dev.presence.client.api.PresenceApiException;
import dev.presence.client.api.PresenceTransportException;
import dev.presence.client.api.Session;
import dev.presence.client.api.User;
import dev.presence.client.api.UserStatus;
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
import java.util.logging.Level;
import java.util.logging.Logger;

/** {@code presence-cli}: sign up, log in, manage threads, and watch who is online from a terminal. */
@Command(name = "presence-cli", mixinStandardHelpOptions = true, version = "presence-cli 0.1.0",
        description = "Watch who is online, from a terminal.",
        subcommands = {PresenceCli.SignUp.class, PresenceCli.LogIn.class, PresenceCli.LogOut.class,
                PresenceCli.Threads.class, PresenceCli.CreateThread.class, PresenceCli.Invite.class,
                PresenceCli.Invitations.class, PresenceCli.Accept.class, PresenceCli.Send.class,
                PresenceCli.Watch.class, CommandLine.HelpCommand.class})
public final class PresenceCli implements Runnable {

    @Spec
    CommandSpec spec;

    public static void main(String[] args) {
        // one line per log record; set before java.util.logging formats anything
        System.setProperty("java.util.logging.SimpleFormatter.format", "[%1$tT] %4$s %5$s%6$s%n");
        System.exit(commandLine().execute(args));
    }

    /** The command line, with errors from the server printed as one line instead of a stack trace. */
    public static CommandLine commandLine() {
        CommandLine cli = new CommandLine(new PresenceCli());
        cli.setExecutionExceptionHandler((e, commandLine, parseResult) -> {
            if (e instanceof PresenceApiException || e instanceof PresenceTransportException
                    || e instanceof IOException || e instanceof IllegalStateException) {
                commandLine.getErr().println("error: " + e.getMessage());
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
                description = "Server base URL (default: ${DEFAULT-VALUE}).")
        URI server;

        @Option(names = "--token-file", description = "Where the login token is kept (default: ~/.presence/token).")
        Path tokenFile;

        TokenStore tokens() {
            return new TokenStore(tokenFile != null ? tokenFile : TokenStore.defaultPath());
        }

        PresenceApi anonymous() {
            return PresenceApi.create(server);
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

        String password(String given) throws IOException {
            if (given != null) {
                return given;
            }
            String env = System.getenv("PRESENCE_PASSWORD");
            if (env != null) {
                return env;
            }
            Console console = System.console();
            if (console != null) {
                char[] typed = console.readPassword("Password: ");
                return typed == null ? "" : new String(typed);
            }
            String line = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8)).readLine();
            return line == null ? "" : line;
        }
    }

    @Command(name = "signup", description = "Create an account.")
    static final class SignUp extends Base {
        @Parameters(index = "0", description = "Username.")
        String username;

        @Option(names = {"-p", "--password"}, description = "Password (else $PRESENCE_PASSWORD, else asked).")
        String password;

        @Option(names = "--display-name", description = "Name shown to others.")
        String displayName;

        @Override
        public Integer call() throws IOException {
            User user = options.anonymous().signUp(username, password(password), displayName);
            out().println("Signed up as " + user.username() + " (" + user.id() + ")");
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
            out().println("Logged in as " + session.user().username() + "; token saved in " + tokens.path());
            return 0;
        }
    }

    @Command(name = "logout", description = "End the session on the server and forget the token.")
    static final class LogOut extends Base {
        @Override
        public Integer call() throws IOException {
            try {
                options.authenticated().logOut();
            } catch (PresenceApiException.AuthenticationException e) {
                // already ended on the server: forgetting it locally is all that is left
            }
            options.tokens().delete();
            out().println("Logged out");
            return 0;
        }
    }

    @Command(name = "threads", description = "List my threads, who is in them and who is online.")
    static final class Threads extends Base {
        @Override
        public Integer call() throws IOException {
            PresenceApi api = options.authenticated();
            List<ChatThread> threads = api.threads();
            if (threads.isEmpty()) {
                out().println("No threads yet: create one with `presence-cli create-thread <title>`");
            }
            for (ChatThread thread : threads) {
                out().println(thread.id() + "  " + thread.title());
                for (Member m : thread.users()) {
                    out().println("    " + (m.online() ? "● online " : "○ offline") + "  " + m.username()
                            + (m.displayName() != null && !m.displayName().equals(m.username())
                            ? " (" + m.displayName() + ")" : ""));
                }
            }
            List<Invitation> invitations = api.invitations();
            if (!invitations.isEmpty()) {
                out().println("Invitations (accept with `presence-cli accept <id>`):");
                invitations.forEach(i -> out().println("    " + i.id() + "  " + i.threadTitle()));
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
            out().println("Created thread " + thread.id() + "  " + thread.title());
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
            out().println("Invited " + username + " (invitation " + invitation.id() + ")");
            return 0;
        }
    }

    @Command(name = "invitations", description = "List invitations addressed to me.")
    static final class Invitations extends Base {
        @Override
        public Integer call() throws IOException {
            List<Invitation> invitations = options.authenticated().invitations();
            if (invitations.isEmpty()) {
                out().println("No invitations");
            }
            invitations.forEach(i -> out().println(i.id() + "  " + i.threadTitle() + "  (thread " + i.threadId() + ")"));
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
            out().println("Joined " + thread.id() + "  " + thread.title());
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
            out().println("Sent " + message.id());
            return 0;
        }
    }

    @Command(name = "watch", description = "Stay connected and print every status change and reconnect, until Ctrl-C.")
    static final class Watch extends Base {
        @Option(names = "--verbose", description = "Also print the SDK's own log lines.")
        boolean verbose;

        @Override
        public Integer call() throws Exception {
            if (!verbose) {
                Logger.getLogger("dev.presence.client").setLevel(Level.WARNING);
            }
            PresenceApi api = options.authenticated();
            WatchPrinter print = new WatchPrinter(out(), ZoneId.systemDefault());
            ThreadsState state = new ThreadsState();
            state.load(api);
            User me = api.me();
            AtomicInteger closeCode = new AtomicInteger();
            CountDownLatch closed = new CountDownLatch(1);
            ExecutorService http = Executors.newSingleThreadExecutor(r -> {
                Thread t = new Thread(r, "presence-cli-http");
                t.setDaemon(true);
                return t;
            });
            java.util.concurrent.atomic.AtomicBoolean welcomedBefore = new java.util.concurrent.atomic.AtomicBoolean();
            state.addListener((snapshot, change) -> describe(print, snapshot, change, me, welcomedBefore.get()));
            PresenceClient client = PresenceClient.builder(api).listener(new ConnectionListener() {
                @Override
                public void onConnected(PresenceClient c, Welcome welcome) {
                    if (!welcomedBefore.getAndSet(true)) {
                        ThreadsSnapshot s = state.snapshot();
                        List<String> online = welcome.presence().stream().filter(UserStatus::online)
                                .map(st -> name(s, st.userId())).sorted().toList();
                        print.line(System.currentTimeMillis(), "Connected as " + me.username() + " to "
                                + api.baseUri() + "; online: " + (online.isEmpty() ? "nobody" : String.join(", ", online)));
                    }
                }

                @Override
                public void onDisconnected(PresenceClient c, int code, String reason) {
                    print.line(System.currentTimeMillis(), "Connection lost ("
                            + (code == PresenceClient.NO_CLOSE_FRAME ? "" : code + " ") + reason + ")");
                }

                @Override
                public void onReconnectScheduled(PresenceClient c, int attempt, Duration delay) {
                    print.line(System.currentTimeMillis(), "Reconnecting in " + seconds(delay) + " (attempt " + attempt + ")");
                }

                @Override
                public void onReconnectAttempt(PresenceClient c, int attempt) {
                    print.line(System.currentTimeMillis(), "Attempting reconnection...");
                }

                @Override
                public void onReconnected(PresenceClient c, int attempts) {
                    print.line(System.currentTimeMillis(), "Reconnection successful after " + attempts
                            + (attempts == 1 ? " attempt" : " attempts"));
                }

                @Override
                public void onClosed(PresenceClient c, int code, String reason) {
                    closeCode.set(code);
                    if (code == PresenceClient.UNAUTHORIZED) {
                        print.line(System.currentTimeMillis(), "The server ended this session (" + code + " "
                                + reason + "): log in again");
                    }
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

        private static void describe(WatchPrinter print, ThreadsSnapshot s, ThreadsChange change, User me,
                                     boolean reconnect) {
            if (change instanceof ThreadsChange.StatusChanged c) {
                if (c.status().userId().equals(me.id())) {
                    return;
                }
                long at = c.timestamp() > 0 ? c.timestamp() * 1000 : System.currentTimeMillis();
                print.status(at, name(s, c.status().userId()), c.status().online(), c.status().lastSeen());
            } else if (change instanceof ThreadsChange.PresenceReplaced c && reconnect) {
                // after a reconnect: what changed while we were away
                for (UserStatus st : c.flipped()) {
                    if (!st.userId().equals(me.id())) {
                        print.status(System.currentTimeMillis(), name(s, st.userId()), st.online(), st.lastSeen());
                    }
                }
            } else if (change instanceof ThreadsChange.MessageReceived c) {
                String title = s.thread(c.message().threadId()).map(ChatThread::title).orElse(c.message().threadId());
                print.line(c.message().createdAt(), "#" + title + " <" + name(s, c.message().senderId()) + "> "
                        + c.message().text());
            } else if (change instanceof ThreadsChange.InvitationReceived c) {
                print.line(System.currentTimeMillis(), name(s, c.invitation().fromUserId()) + " invited you to "
                        + c.invitation().threadTitle() + " (accept with `presence-cli accept "
                        + c.invitation().id() + "`)");
            } else if (change instanceof ThreadsChange.MemberJoined c && !c.member().id().equals(me.id())) {
                String title = s.thread(c.threadId()).map(ChatThread::title).orElse(c.threadId());
                print.line(System.currentTimeMillis(), c.member().username() + " joined " + title);
            }
        }

        private static String name(ThreadsSnapshot s, String userId) {
            return s.member(userId).map(Member::username).orElse(userId);
        }

        private static String seconds(Duration delay) {
            long ms = delay.toMillis();
            return ms % 1000 == 0 ? (ms / 1000) + "s" : String.format(java.util.Locale.ROOT, "%.1fs", ms / 1000.0);
        }
    }
}
