package dev.presence.server;

import com.fasterxml.jackson.databind.JsonNode;
import dev.presence.server.support.Api;
import dev.presence.server.support.Api.Account;
import dev.presence.server.support.Api.Reply;
import dev.presence.server.support.TestServer;
import dev.presence.server.support.WsProbe;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Predicate;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

/**
 * The server API (PROTOCOL.md, "Presence for an existing chat backend") on a real server with real WebSockets:
 * who may call it, users, threads and their members with the effects members see on their sockets, the app's
 * events, presence of any users, revoking sessions, and bad input.
 *
 * <p>"Nobody else hears" is checked the way it can be: frames to a session are queued in order from the presence
 * hub, so once a later frame (a sentinel event sent to that user) has arrived, an earlier one that was due would
 * have too.
 */
class ServerApiTest {

    private static final String KEY = "first-key-0123456789abcdef";
    private static final String OTHER_KEY = "second-key-0123456789abcdef";

    @TempDir
    static Path keys;

    @RegisterExtension
    final TestServer server = TestServer.create().shortHeartbeat().with(b -> b.apiKeyFile(keyFile()));

    private Api api;

    private static Path keyFile() {
        Path file = keys.resolve("api-keys");
        try {
            if (!Files.exists(file)) {
                Files.writeString(file, "\n  " + KEY + "  \n\n" + OTHER_KEY + "\n");
            }
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
        return file;
    }

    @BeforeEach
    void client() {
        api = server.api();
    }

    private Reply call(String method, String path, String body) {
        return api.server(method, path, KEY, body);
    }

    private static Reply expect(Reply reply, int status) {
        assertThat(reply.status()).as("%s", reply.raw()).isEqualTo(status);
        return reply;
    }

    private static void assertError(Reply reply, int status, String code) {
        assertThat(reply.status()).as("%s", reply.raw()).isEqualTo(status);
        assertThat(reply.body().path("error").path("code").asText()).as("%s", reply.raw()).isEqualTo(code);
        assertThat(reply.raw()).doesNotContain("Exception").doesNotContain("\tat ");
    }

    private static Predicate<JsonNode> memberLeft(String threadId, String userId) {
        return f -> "thread_member_left".equals(f.path("type").asText())
                && threadId.equals(f.path("thread_id").asText()) && userId.equals(f.path("user_id").asText());
    }

    /** Sends a sentinel event to {@code probe}'s user and waits for it: every frame due before it has arrived. */
    private void settle(WsProbe probe, String userId) {
        String marker = "sentinel-" + System.nanoTime();
        expect(call("POST", "/api/server/events", "{\"user_ids\":[\"" + userId + "\"],\"event\":{\"type\":\""
                + marker + "\"}}"), 202);
        probe.awaitType(marker);
    }

    private static long count(WsProbe probe, Predicate<JsonNode> match) {
        return probe.frames().stream().filter(match).count();
    }

    private static Predicate<JsonNode> ofType(String type) {
        return f -> type.equals(f.path("type").asText());
    }

    // --- who may call it --------------------------------------------------------------------------------

    @Test
    void onlyAValidApiKeyOpensTheServerApiAndItNeverOpensTheUserApi() {
        Account ann = api.signUp("ann");

        assertError(api.server("PUT", "/api/server/users/a1", null, "{}"), 401, "unauthorized");
        assertError(api.server("PUT", "/api/server/users/a1", "wrong-key-0123456789abcdef", "{}"), 401,
                "unauthorized");
        assertError(api.server("PUT", "/api/server/users/a1", KEY.substring(0, 20), "{}"), 401, "unauthorized");
        assertError(api.call("PUT", "/api/server/users/a1", ann.token(), "{}"), 401, "unauthorized");
        assertError(api.withAuthorization("PUT", "/api/server/users/a1", "Basic " + KEY, "{}"), 401,
                "unauthorized");

        expect(api.server("PUT", "/api/server/users/a1", KEY, "{}"), 201);
        expect(api.server("PUT", "/api/server/users/a1", OTHER_KEY, "{}"), 200);
        expect(api.withAuthorization("PUT", "/api/server/users/a1", "apikey   " + KEY + " ", "{}"), 200);

        assertError(api.server("GET", "/api/me", KEY, null), 401, "unauthorized");
        assertError(api.server("GET", "/api/threads", KEY, null), 401, "unauthorized");
        assertError(api.server("POST", "/api/sessions", KEY, "{\"username\":\"ann\",\"password\":\"secret-pass\"}"),
                401, "unauthorized");
        expect(api.get("/api/me", ann.token()), 200);

        assertError(call("GET", "/api/server/nothing-here", null), 404, "not_found");
        assertError(call("POST", "/api/server/users/a1", "{}"), 405, "method_not_allowed");
    }

    @Test
    void aChangedKeyFileIsReadAgainWithoutARestart() throws IOException {
        Path file = keys.resolve("api-keys");
        String newKey = "rotated-key-0123456789abcdef";
        String before = Files.readString(file);
        try {
            Files.writeString(file, newKey + "\n" + OTHER_KEY + "\n");
            Files.setLastModifiedTime(file, FileTime.fromMillis(System.currentTimeMillis() + 5_000));

            await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(200)).untilAsserted(() ->
                    assertThat(api.server("PUT", "/api/server/users/r1", newKey, "{}").status()).isIn(200, 201));
            assertError(api.server("PUT", "/api/server/users/r1", KEY, "{}"), 401, "unauthorized");
            expect(api.server("PUT", "/api/server/users/r1", OTHER_KEY, "{}"), 200);

            Files.writeString(file, "short\n"); // not usable: the keys read before stay
            Files.setLastModifiedTime(file, FileTime.fromMillis(System.currentTimeMillis() + 10_000));
            await().during(Duration.ofMillis(1_500)).atMost(Duration.ofSeconds(5)).untilAsserted(() ->
                    assertThat(api.server("PUT", "/api/server/users/r1", newKey, "{}").status()).isEqualTo(200));
        } finally {
            Files.writeString(file, before);
        }
    }

    @Test
    void theEventsCallAnsweredOnTheEventLoopAlsoTakesAChangedKeyFile() throws IOException {
        Path file = keys.resolve("api-keys");
        String newKey = "rotated-key-for-events-0123456789";
        String event = "{\"user_ids\":[\"e1\"],\"event\":{\"type\":\"app.ping\"}}";
        String before = Files.readString(file);
        try {
            expect(api.server("POST", "/api/server/events", KEY, event), 202);
            Files.writeString(file, newKey + "\n");
            Files.setLastModifiedTime(file, FileTime.fromMillis(System.currentTimeMillis() + 5_000));

            // only this call is made: the look at the file it finds due runs in the background
            await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(200)).untilAsserted(() ->
                    assertThat(api.server("POST", "/api/server/events", newKey, event).status()).isEqualTo(202));
            assertError(api.server("POST", "/api/server/events", KEY, event), 401, "unauthorized");
            assertError(api.call("POST", "/api/server/events", "a-user-token", event), 401, "unauthorized");
        } finally {
            Files.writeString(file, before);
            Files.setLastModifiedTime(file, FileTime.fromMillis(System.currentTimeMillis() + 10_000));
        }
    }

    @Test
    void withoutAKeyFileTheServerApiIsOff(@TempDir Path dir) {
        try (TestServer plain = TestServer.create().start()) {
            Reply reply = plain.api().server("PUT", "/api/server/users/a1", KEY, "{}");
            assertError(reply, 404, "not_found");
            assertThat(reply.body().path("error").path("message").asText()).contains("server API is off");
        }
    }

    @Test
    void anUnusableKeyFileStopsTheStartWithOneClearLine(@TempDir Path dir) throws IOException {
        Path empty = Files.writeString(dir.resolve("empty"), "\n   \n");
        Path shortKey = Files.writeString(dir.resolve("short"), KEY + "\nshort-key\n");

        assertThatThrownBy(() -> TestServer.create().with(b -> b.apiKeyFile(empty)).start().close())
                .hasMessageContaining("holds no key");
        assertThatThrownBy(() -> TestServer.create().with(b -> b.apiKeyFile(shortKey)).start().close())
                .hasMessageContaining("line 2").hasMessageContaining("shorter than 16");
        assertThatThrownBy(() -> TestServer.create().with(b -> b.apiKeyFile(dir.resolve("missing"))).start().close())
                .hasMessageContaining("cannot be read");
    }

    // --- users -----------------------------------------------------------------------------------------------

    @Test
    void aUserIsCreatedThenUpdatedAndTheChangeReachesCoMembers() {
        Account ann = api.signUp("ann");
        WsProbe annSocket = server.online("ann", ann.token());

        Reply created = expect(call("PUT", "/api/server/users/app:42", "{\"display_name\":\"Zoe\"}"), 201);
        assertThat(created.body().path("id").asText()).isEqualTo("app:42");
        assertThat(created.body().path("username").asText()).isEqualTo("app:42");
        assertThat(created.body().path("display_name").asText()).isEqualTo("Zoe");
        expect(call("PUT", "/api/server/threads/room", "{\"title\":\"Room\",\"members\":[\"" + ann.id()
                + "\",\"app:42\"]}"), 201);

        Reply same = expect(call("PUT", "/api/server/users/app:42", "{}"), 200);
        assertThat(same.body().path("display_name").asText()).isEqualTo("Zoe");
        Reply renamed = expect(call("PUT", "/api/server/users/app:42",
                "{\"username\":\"zoe\",\"display_name\":\"Zoe Z\"}"), 200);
        assertThat(renamed.body().path("username").asText()).isEqualTo("zoe");

        JsonNode update = annSocket.awaitType("user_profile_updated");
        assertThat(update.path("user").path("id").asText()).isEqualTo("app:42");
        assertThat(update.path("user").path("display_name").asText()).isEqualTo("Zoe Z");
        settle(annSocket, ann.id());
        assertThat(count(annSocket, ofType("user_profile_updated"))).as("an unchanged put says nothing").isEqualTo(1);

        assertError(call("PUT", "/api/server/users/" + ann.id(), "{\"display_name\":\"Mallory\"}"), 409,
                "not_an_app_user");
    }

    @Test
    void usersArePutInBulk() {
        StringBuilder body = new StringBuilder("{\"users\":[");
        for (int i = 0; i < 1_000; i++) {
            body.append(i == 0 ? "" : ",").append("{\"id\":\"bulk-").append(i).append("\"")
                    .append(i % 2 == 0 ? ",\"display_name\":\"Bulk " + i + "\"" : "").append("}");
        }
        body.append("]}");

        Reply first = expect(call("PUT", "/api/server/users", body.toString()), 200);
        assertThat(first.body().path("created").asInt()).isEqualTo(1_000);
        assertThat(first.body().path("updated").asInt()).isZero();
        Reply again = expect(call("PUT", "/api/server/users", "{\"users\":[{\"id\":\"bulk-1\",\"display_name\":"
                + "\"One\"},{\"id\":\"bulk-2\"},{\"id\":\"bulk-new\"}]}"), 200);
        assertThat(again.body().path("created").asInt()).isEqualTo(1);
        assertThat(again.body().path("updated").asInt()).isEqualTo(1);
        Reply presence = expect(call("GET", "/api/server/presence?user_id=bulk-999", null), 200);
        assertThat(presence.body().get(0).path("is_online").asBoolean()).isFalse();

        String tooMany = body.toString().replace("]}", ",{\"id\":\"one-more\"}]}");
        assertError(call("PUT", "/api/server/users", tooMany), 400, "invalid_request");
        assertError(call("PUT", "/api/server/users", "{\"users\":[{\"id\":\"d\"},{\"id\":\"d\"}]}"), 400,
                "invalid_request");
        assertError(call("PUT", "/api/server/users", "{\"users\":[{\"id\":\"ok\"},{\"id\":\"not ok\"}]}"), 400,
                "invalid_request");
        assertError(call("PUT", "/api/server/users", "{\"users\":{}}"), 400, "invalid_request");
        assertError(call("PUT", "/api/server/users", "{\"users\":[\"x\"]}"), 400, "invalid_request");
        assertError(call("PUT", "/api/server/users", "{}"), 400, "invalid_request");
        assertThat(expect(call("GET", "/api/server/presence?user_id=ok", null), 200).body().get(0)
                .path("version").asLong()).as("nothing of a refused batch is kept").isZero();
    }

    // --- threads ---------------------------------------------------------------------------------------------

    @Test
    void puttingAThreadJoinsAndRemovesMembersAsInvitationsAndLeavesDo() {
        Account ann = api.signUp("ann");
        Account bob = api.signUp("bob");
        Account cat = api.signUp("cat");
        Account dan = api.signUp("dan");
        WsProbe annSocket = server.online("ann", ann.token());
        WsProbe bobSocket = server.online("bob", bob.token());
        WsProbe catSocket = server.online("cat", cat.token());
        WsProbe danSocket = server.online("dan", dan.token());

        Reply created = expect(call("PUT", "/api/server/threads/room-1", "{\"title\":\" Room \",\"members\":[\""
                + ann.id() + "\",\"" + bob.id() + "\",\"app-user-9\"]}"), 201);
        assertThat(created.body().path("id").asText()).isEqualTo("room-1");
        assertThat(created.body().path("title").asText()).isEqualTo("Room");
        assertThat(created.body().path("users").findValuesAsText("id"))
                .containsExactlyInAnyOrder(ann.id(), bob.id(), "app-user-9");
        annSocket.awaitStatus(bob.id(), true);
        bobSocket.awaitStatus(ann.id(), true);

        Reply replaced = expect(call("PUT", "/api/server/threads/room-1", "{\"title\":\"Room\",\"members\":[\""
                + ann.id() + "\",\"" + cat.id() + "\"]}"), 200);
        assertThat(replaced.body().path("users").findValuesAsText("id")).containsExactlyInAnyOrder(ann.id(), cat.id());
        annSocket.await(memberLeft("room-1", bob.id()));
        bobSocket.await(memberLeft("room-1", bob.id()));
        annSocket.awaitStatus(cat.id(), true);
        catSocket.awaitStatus(ann.id(), true);
        // the thread's members now see the app-made user leave too
        annSocket.await(memberLeft("room-1", "app-user-9"));
        assertThat(api.get("/api/threads/room-1", ann.token()).status()).isEqualTo(200);
        assertThat(api.get("/api/threads/room-1", bob.token()).status()).isEqualTo(404);

        Reply added = expect(call("POST", "/api/server/threads/room-1/members", "{\"user_ids\":[\"" + bob.id()
                + "\",\"" + ann.id() + "\"]}"), 200);
        assertThat(added.body().path("added").get(0).asText()).isEqualTo(bob.id());
        assertThat(added.body().path("added").size()).isEqualTo(1);
        assertThat(expect(call("POST", "/api/server/threads/room-1/members", "{\"user_ids\":[\"" + bob.id()
                + "\"]}"), 200).body().path("added").size()).isZero();
        await().atMost(Duration.ofSeconds(10)).until(() -> count(bobSocket, WsProbe.isStatus(cat.id(), true)) > 0);

        expect(call("DELETE", "/api/server/threads/room-1/members/" + bob.id(), null), 204);
        expect(call("DELETE", "/api/server/threads/room-1/members/" + bob.id(), null), 204);
        // cat, who joined in the put that removed bob, heard that removal too: this is the second
        await().atMost(Duration.ofSeconds(10)).until(() -> count(catSocket, memberLeft("room-1", bob.id())) == 2);

        settle(danSocket, dan.id());
        assertThat(danSocket.frames()).as("dan shares no thread: he hears nothing of it")
                .allMatch(f -> !f.path("type").asText().equals("user_status_changed")
                        && !f.path("type").asText().equals("status_batch")
                        && !f.path("type").asText().equals("thread_member_left"));
        settle(catSocket, cat.id());
        assertThat(count(catSocket, memberLeft("room-1", bob.id()))).as("the repeated removal says nothing")
                .isEqualTo(2);
        assertThat(count(catSocket, f -> f.path("user_id").asText().equals(dan.id()))).isZero();

        assertError(call("POST", "/api/server/threads/nowhere/members", "{\"user_ids\":[\"x\"]}"), 404,
                "not_found");
        assertError(call("DELETE", "/api/server/threads/nowhere/members/x", null), 404, "not_found");
        assertThat(expect(call("GET", "/api/server/presence?user_id=app-user-9", null), 200).body().get(0)
                .path("user_id").asText()).isEqualTo("app-user-9");
    }

    @Test
    void threadInputIsChecked() {
        assertError(call("PUT", "/api/server/threads/t", "{\"members\":[]}"), 400, "invalid_request");
        assertError(call("PUT", "/api/server/threads/t", "{\"title\":\"  \",\"members\":[]}"), 400,
                "invalid_request");
        assertError(call("PUT", "/api/server/threads/t", "{\"title\":7,\"members\":[]}"), 400, "invalid_request");
        assertError(call("PUT", "/api/server/threads/t", "{\"title\":\"T\"}"), 400, "invalid_request");
        assertError(call("PUT", "/api/server/threads/t", "{\"title\":\"T\",\"members\":\"a\"}"), 400,
                "invalid_request");
        assertError(call("PUT", "/api/server/threads/t", "{\"title\":\"T\",\"members\":[1]}"), 400,
                "invalid_request");
        assertError(call("PUT", "/api/server/threads/t", "{\"title\":\"T\",\"members\":[\"a/b\"]}"), 400,
                "invalid_request");
        assertError(call("PUT", "/api/server/threads/" + "x".repeat(129), "{\"title\":\"T\",\"members\":[]}"), 400,
                "invalid_request");
        assertError(call("PUT", "/api/server/threads/a%20b", "{\"title\":\"T\",\"members\":[]}"), 400,
                "invalid_request");
        assertError(call("PUT", "/api/server/threads/t", "{\"title\":\"T\",\"members\":[]"), 400,
                "invalid_request");
        assertError(call("PUT", "/api/server/threads/t", "[]"), 400, "invalid_request");
        List<String> many = new ArrayList<>();
        for (int i = 0; i <= 10_000; i++) {
            many.add("\"m" + i + "\"");
        }
        assertError(call("PUT", "/api/server/threads/t", "{\"title\":\"T\",\"members\":[" + String.join(",", many)
                + "]}"), 400, "invalid_request");
        expect(call("PUT", "/api/server/threads/" + "x".repeat(128), "{\"title\":\"T\",\"members\":[]}"), 201);
        expect(call("PUT", "/api/server/threads/A-z_0.9:x", "{\"title\":\"T\",\"members\":[]}"), 201);
    }

    // --- events ----------------------------------------------------------------------------------------------

    @Test
    void theAppsEventsReachAThreadsMembersOrSomeUsersAsTheyAre() {
        Account ann = api.signUp("ann");
        Account bob = api.signUp("bob");
        Account cat = api.signUp("cat");
        WsProbe annSocket = server.online("ann", ann.token());
        WsProbe bobSocket = server.online("bob", bob.token());
        WsProbe catSocket = server.online("cat", cat.token());
        expect(call("PUT", "/api/server/threads/room", "{\"title\":\"Room\",\"members\":[\"" + ann.id() + "\",\""
                + bob.id() + "\",\"offline-app-user\"]}"), 201);

        Reply toThread = expect(call("POST", "/api/server/events", "{\"thread_id\":\"room\",\"event\":{\"type\":"
                + "\"app.typing\",\"user\":\"x\",\"n\":[1,2,{\"deep\":true}]}}"), 202);
        assertThat(toThread.body().path("delivered").asInt()).isEqualTo(2);
        JsonNode seen = annSocket.awaitType("app.typing");
        assertThat(seen.toString()).isEqualTo("{\"type\":\"app.typing\",\"user\":\"x\",\"n\":[1,2,{\"deep\":true}]}");
        bobSocket.awaitType("app.typing");

        Reply toUsers = expect(call("POST", "/api/server/events", "{\"user_ids\":[\"" + cat.id()
                + "\",\"nobody\"],\"event\":{\"type\":\"app.ping\"}}"), 202);
        assertThat(toUsers.body().path("delivered").asInt()).isEqualTo(1);
        catSocket.awaitType("app.ping");
        settle(catSocket, cat.id());
        assertThat(count(catSocket, ofType("app.typing"))).isZero();
        settle(annSocket, ann.id());
        assertThat(count(annSocket, ofType("app.ping"))).isZero();

        for (String type : List.of("welcome", "user_status_changed", "status_batch", "thread_member_left",
                "message_created", "error", "hello")) {
            assertError(call("POST", "/api/server/events", "{\"thread_id\":\"room\",\"event\":{\"type\":\"" + type
                    + "\"}}"), 400, "invalid_request");
        }
        assertError(call("POST", "/api/server/events", "{\"thread_id\":\"room\",\"event\":{\"kind\":\"x\"}}"), 400,
                "invalid_request");
        assertError(call("POST", "/api/server/events", "{\"thread_id\":\"room\",\"event\":{\"type\":5}}"), 400,
                "invalid_request");
        assertError(call("POST", "/api/server/events", "{\"thread_id\":\"room\",\"event\":[1]}"), 400,
                "invalid_request");
        assertError(call("POST", "/api/server/events", "{\"thread_id\":\"room\"}"), 400, "invalid_request");
        assertError(call("POST", "/api/server/events", "{\"thread_id\":\"room\",\"user_ids\":[\"a\"],"
                + "\"event\":{\"type\":\"x\"}}"), 400, "invalid_request");
        assertError(call("POST", "/api/server/events", "{\"event\":{\"type\":\"x\"}}"), 400, "invalid_request");
        assertError(call("POST", "/api/server/events", "{\"user_ids\":\"a\",\"event\":{\"type\":\"x\"}}"), 400,
                "invalid_request");
        assertError(call("POST", "/api/server/events", "{\"thread_id\":\"nowhere\",\"event\":{\"type\":\"x\"}}"),
                404, "not_found");
        assertError(call("POST", "/api/server/events", "{\"user_ids\":[\"a\"],\"event\":{\"type\":\"x\",\"big\":\""
                + "y".repeat(70_000) + "\"}}"), 400, "invalid_request");
    }

    // --- presence and sessions -------------------------------------------------------------------------------

    @Test
    void presenceOfAnyUsersWithUnknownOnesOffline() {
        Account ann = api.signUp("ann");
        server.online("ann", ann.token());

        Reply reply = expect(call("GET", "/api/server/presence?user_id=" + ann.id() + "&user_id=ghost&user_id="
                + ann.id(), null), 200);

        assertThat(reply.body().size()).isEqualTo(2);
        assertThat(reply.body().get(0).path("user_id").asText()).isEqualTo(ann.id());
        assertThat(reply.body().get(0).path("is_online").asBoolean()).isTrue();
        assertThat(reply.body().get(0).path("version").asLong()).isPositive();
        assertThat(reply.body().get(1).toString())
                .isEqualTo("{\"user_id\":\"ghost\",\"is_online\":false,\"last_seen\":0,\"version\":0}");

        List<String> ids = new ArrayList<>();
        for (int i = 0; i < 1_001; i++) {
            ids.add("\"u" + i + "\"");
        }
        assertError(call("POST", "/api/server/presence", "{\"user_ids\":[" + String.join(",", ids) + "]}"), 400,
                "invalid_request");
        Reply thousand = expect(call("POST", "/api/server/presence", "{\"user_ids\":[" + String.join(",",
                ids.subList(0, 1_000)) + "]}"), 200);
        assertThat(thousand.body().size()).isEqualTo(1_000);
        assertError(call("GET", "/api/server/presence?user_id=bad%20id", null), 400, "invalid_request");
        assertThat(expect(call("GET", "/api/server/presence", null), 200).body().size()).isZero();
    }

    @Test
    void revokingAUsersSessionsClosesTheirSocketsAndRefusesTheirTokens() {
        Account ann = api.signUp("ann");
        WsProbe annSocket = server.online("ann", ann.token());

        expect(call("DELETE", "/api/server/users/" + ann.id() + "/sessions", null), 204);

        assertThat(annSocket.awaitClose()).isEqualTo(4401);
        assertError(api.get("/api/me", ann.token()), 401, "unauthorized");
        expect(call("DELETE", "/api/server/users/nobody/sessions", null), 204);
        assertError(call("DELETE", "/api/server/users/bad%20id/sessions", null), 400, "invalid_request");
    }
}
