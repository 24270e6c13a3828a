package dev.presence.client.cli;

import com.fasterxml.jackson.databind.JsonNode;
import dev.presence.client.PresenceClient;
import dev.presence.client.ThreadsState;
import dev.presence.client.Welcome;
import dev.presence.client.api.ChatThread;
import dev.presence.client.api.Member;
import dev.presence.client.api.PresenceApi;
import dev.presence.client.api.User;
import dev.presence.client.api.UserStatus;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.URI;
import java.time.Duration;
import java.time.ZoneOffset;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** What {@code watch} prints for each connection event and each change of the view, fed by hand. */
class WatchRendererTest {

    private static final long NOON = 1_767_268_800_000L; // 2026-01-01T12:00:00Z
    private static final String ESC = "\u001b";
    /** A clear screen, a window title (OSC, ended by BEL), a colour, an 8-bit CSI and a bidi override. */
    private static final String HOSTILE = ESC + "[2J" + ESC + "[H" + ESC + "]0;pwned\u0007" + ESC + "[31m"
            + "\u009b1mX\u202E";

    private final StringWriter out = new StringWriter();
    private final ThreadsState state = new ThreadsState();
    private final User me = new User("u-me", "me", "Me");
    private long now = NOON;
    private final WatchRenderer renderer = new WatchRenderer(new WatchPrinter(new PrintWriter(out), ZoneOffset.UTC),
            me, "http://127.0.0.1:8080", state::snapshot, () -> now);

    @BeforeEach
    void load() {
        state.applyThreads(List.of(new ChatThread("t1", "team", List.of(
                new Member("u-me", "me", "Me", true, 0),
                new Member("u-bob", "bob", "Bob", false, 0),
                new Member("u-eve", "eve" + HOSTILE, "Eve", false, 0)))), List.of());
        state.addListener(renderer);
    }

    @Test
    void connectionEventsAndStatusChanges() throws Exception {
        welcome(List.of(new UserStatus("u-bob", true, 0, 1), new UserStatus("u-me", true, 0, 1)));
        now += 1_000;
        apply("{\"type\":\"user_status_changed\",\"user_id\":\"u-bob\",\"is_online\":false,"
                + "\"timestamp\":" + (NOON / 1000 + 5) + ",\"last_seen\":" + (NOON + 4_000) + ",\"version\":2}");
        renderer.onDisconnected(null, PresenceClient.SERVICE_RESTART, "server restarting");
        renderer.onReconnectScheduled(null, 1, Duration.ofMillis(1_500));
        renderer.onReconnectAttempt(null, 1);
        renderer.onReconnected(null, 1);
        // the welcome after the reconnect: bob came back meanwhile
        welcome(List.of(new UserStatus("u-bob", true, 0, 3)));

        assertThat(lines()).containsExactly(
                "[12:00:00] Connected as me to http://127.0.0.1:8080; online: bob",
                "[12:00:05] bob is now offline (last seen 12:00:04)",
                "[12:00:01] Connection lost (close code 1012: server restarting)",
                "[12:00:01] Reconnecting in 1.5s (attempt 1)",
                "[12:00:01] Attempting reconnection...",
                "[12:00:01] Reconnection successful after 1 attempt",
                "[12:00:01] bob is now online");
    }

    @Test
    void statusBatchEntriesArePrintedOneByOne() throws Exception {
        apply("{\"type\":\"status_batch\",\"statuses\":["
                + "{\"user_id\":\"u-bob\",\"is_online\":true,\"timestamp\":" + (NOON / 1000 + 1) + ",\"last_seen\":0,\"version\":5},"
                + "{\"user_id\":\"u-bob\",\"is_online\":false,\"timestamp\":" + (NOON / 1000) + ",\"last_seen\":0,\"version\":4},"
                + "{\"user_id\":\"u-me\",\"is_online\":true,\"timestamp\":" + (NOON / 1000 + 1) + ",\"last_seen\":0,\"version\":9}]}");

        assertThat(lines()).containsExactly("[12:00:01] bob is now online");
    }

    @Test
    void membershipAndInvitationNews() throws Exception {
        apply("{\"type\":\"invitation_created\",\"invitation\":{\"id\":\"i5\",\"thread_id\":\"t5\","
                + "\"thread_title\":\"plans\",\"from_user_id\":\"u-carol\",\"to_user_id\":\"u-me\","
                + "\"from_user\":{\"id\":\"u-carol\",\"username\":\"carol\",\"display_name\":\"Carol\"}}}");
        apply("{\"type\":\"invitation_accepted\",\"thread_id\":\"t1\",\"invitation_id\":\"i2\",\"user\":{"
                + "\"id\":\"u-dan\",\"username\":\"dan\",\"display_name\":\"Dan\",\"is_online\":true,\"last_seen\":0}}");
        apply("{\"type\":\"thread_member_left\",\"thread_id\":\"t1\",\"user_id\":\"u-bob\"}");
        apply("{\"type\":\"invitation_declined\",\"invitation_id\":\"i3\",\"thread_id\":\"t1\"}");
        welcome(List.of());
        apply("{\"type\":\"thread_member_left\",\"thread_id\":\"t1\",\"user_id\":\"u-me\"}");

        assertThat(lines()).containsExactly(
                "[12:00:00] carol invited you to plans (`presence-cli accept i5` or `presence-cli decline i5`)",
                "[12:00:00] dan joined team",
                "[12:00:00] bob left team",
                "[12:00:00] Your invitation i3 to team was declined",
                "[12:00:00] Connected as me to http://127.0.0.1:8080; online: nobody",
                "[12:00:00] You left team (on another device)");
    }

    @Test
    void serverTextNeverReachesTheTerminalRaw() throws Exception {
        String hostileJson = PresenceApi.JSON.writeValueAsString(HOSTILE);
        String body = hostileJson.substring(1, hostileJson.length() - 1);
        apply("{\"type\":\"invitation_created\",\"invitation\":{\"id\":\"i" + body + "\",\"thread_id\":\"t5\","
                + "\"thread_title\":\"" + body + "\",\"from_user_id\":\"u-x\",\"to_user_id\":\"u-me\","
                + "\"from_user\":{\"id\":\"u-x\",\"username\":\"x" + body + "\",\"display_name\":\"" + body + "\"}}}");
        apply("{\"type\":\"message_created\",\"thread_id\":\"t1\",\"message\":{\"id\":\"m1\",\"thread_id\":\"t1\","
                + "\"sender_id\":\"u-eve\",\"text\":\"hi\\n[12:00:00] root is now online" + body + "\","
                + "\"created_at\":" + NOON + "}}");
        apply("{\"type\":\"user_status_changed\",\"user_id\":\"u-eve\",\"is_online\":true,\"timestamp\":"
                + (NOON / 1000) + ",\"last_seen\":0,\"version\":1}");
        renderer.onDisconnected(null, 4000, "bye" + HOSTILE);
        renderer.onClosed(null, PresenceClient.UNAUTHORIZED, "revoked" + HOSTILE);

        String printed = out.toString();
        assertThat(printed).doesNotContain(ESC, "\u0007", "\u009b", "\u202E", "\r");
        String visible = "\\x1B[2J\\x1B[H\\x1B]0;pwned\\x07\\x1B[31m\\x9B1mX\\u202E";
        assertThat(lines()).containsExactly(
                "[12:00:00] x" + visible + " invited you to " + visible + " (`presence-cli accept i" + visible
                        + "` or `presence-cli decline i" + visible + "`)",
                "[12:00:00] #team <eve" + visible + "> hi\\n[12:00:00] root is now online" + visible,
                "[12:00:00] eve" + visible + " is now online",
                "[12:00:00] Connection lost (close code 4000: bye" + visible + ")",
                "[12:00:00] The server ended this session (4401 revoked" + visible + "): log in again");
    }

    @Test
    void withSeveralServersTheLinesSayWhichOneItIsOn() {
        PresenceClient client = PresenceClient.builder(List.of(URI.create("ws://node1:8080/ws"),
                URI.create("wss://node2:8443/ws")), "token").build(); // never connected: its next address counts
        try {
            String node = client.currentServer().getHost().equals("node1") ? "http://node1:8080" : "https://node2:8443";
            Welcome welcome = new Welcome("s1", "u-me", Duration.ofSeconds(20), Duration.ofSeconds(10), List.of());
            renderer.onConnected(client, welcome);
            renderer.onReconnected(client, 2);

            assertThat(lines()).containsExactly("[12:00:00] Connected as me to " + node + "; online: nobody",
                    "[12:00:00] Reconnection successful after 2 attempts (" + node + ")");
        } finally {
            client.close();
        }
    }

    private void welcome(List<UserStatus> presence) {
        Welcome welcome = new Welcome("s1", "u-me", Duration.ofSeconds(20), Duration.ofSeconds(10), presence);
        state.applyWelcome(welcome); // handlers run before the listeners' onConnected, as in PresenceClient
        renderer.onConnected(null, welcome);
    }

    private void apply(String json) throws Exception {
        JsonNode node = PresenceApi.JSON.readTree(json);
        state.apply(node);
    }

    private List<String> lines() {
        return out.toString().lines().toList();
    }
}
