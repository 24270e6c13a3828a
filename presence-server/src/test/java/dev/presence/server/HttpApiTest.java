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


import static org.assertj.core.api.Assertions.assertThat;

/** The HTTP API of PROTOCOL.md, and what it answers to bad input: a 4xx with an error body, never a 500. */
class HttpApiTest {

    @RegisterExtension
    final TestServer server = TestServer.create().shortHeartbeat();
    private Api api;

    @BeforeEach
    void start() {
        api = server.api();
    }

    private static void assertError(Reply reply, int status, String code) {
        assertThat(reply.status()).as(reply.raw()).isEqualTo(status);
        assertThat(reply.body().path("error").path("code").asText()).isEqualTo(code);
        assertThat(reply.body().path("error").path("message").asText()).isNotBlank().doesNotContain("Exception");
    }

    @Test
    void signUpLogInAndProfile() {
        Reply created = api.post("/api/users", null,
                "{\"username\":\"ann\",\"password\":\"secret-pass\",\"display_name\":\"Ann A.\"}");
        assertThat(created.status()).isEqualTo(201);
        assertThat(created.text("display_name")).isEqualTo("Ann A.");
        assertThat(created.body().has("password_hash")).isFalse();

        assertError(api.post("/api/users", null, "{\"username\":\"ann\",\"password\":\"secret-pass\"}"), 409,
                "username_taken");
        assertError(api.post("/api/sessions", null, "{\"username\":\"ann\",\"password\":\"wrong-pass\"}"), 401,
                "unauthorized");
        assertError(api.post("/api/sessions", null, "{\"username\":\"nobody\",\"password\":\"wrong-pass\"}"), 401,
                "unauthorized");

        Reply login = api.post("/api/sessions", null, "{\"username\":\"ann\",\"password\":\"secret-pass\"}");
        assertThat(login.status()).isEqualTo(201);
        String token = login.text("token");
        assertThat(token).hasSizeGreaterThanOrEqualTo(22); // at least 128 random bits
        assertThat(api.get("/api/me", token).text("username")).isEqualTo("ann");

        Reply renamed = api.call("PATCH", "/api/me", token, "{\"display_name\":\"Annie\"}");
        assertThat(renamed.text("display_name")).isEqualTo("Annie");
    }

    @Test
    void badBodiesAreClearFourHundreds() {
        assertError(api.post("/api/users", null, "{bad json"), 400, "invalid_request");
        assertError(api.post("/api/users", null, "[]"), 400, "invalid_request");
        assertError(api.post("/api/users", null, ""), 400, "invalid_request");
        assertError(api.post("/api/users", null, "{\"username\":42,\"password\":\"secret-pass\"}"), 400,
                "invalid_request");
        assertError(api.post("/api/users", null, "{\"username\":\"a\",\"password\":\"secret-pass\"}"), 400,
                "invalid_request");
        assertError(api.post("/api/users", null, "{\"username\":\"ann\",\"password\":\"short\"}"), 400,
                "invalid_request");
        assertError(api.post("/api/users", null, "{\"username\":\"<script>\",\"password\":\"secret-pass\"}"), 400,
                "invalid_request");
        assertError(api.post("/api/sessions", null, "{}"), 400, "invalid_request");

        Account ann = api.signUp("ann");
        assertError(api.post("/api/threads", ann.token(), "{\"title\":\"\"}"), 400, "invalid_request");
        assertError(api.post("/api/threads", ann.token(), "{\"title\":\"" + "x".repeat(201) + "\"}"), 400,
                "invalid_request");
        String thread = api.createThread(ann, "t");
        assertError(api.post("/api/threads/" + thread + "/messages", ann.token(), "{\"text\":\"  \"}"), 400,
                "invalid_request");
        assertError(api.get("/api/threads/" + thread + "/messages?limit=abc", ann.token()), 400,
                "invalid_request");
        assertError(api.get("/api/threads/" + thread + "/messages?limit=0", ann.token()), 400,
                "invalid_request");
        assertError(api.post("/api/threads/" + thread + "/invitations", ann.token(), "{\"username\":\"ghost\"}"),
                404, "not_found");
        assertError(api.call("PATCH", "/api/me", ann.token(), "{\"display_name\":null}"), 400, "invalid_request");
        assertError(api.post("/api/users", null, "{\"username\":\"big\",\"password\":\"" + "p".repeat(70_000)
                + "\"}"), 413, "too_large");
        // and the server is fine afterwards
        assertThat(api.get("/health", null).status()).isEqualTo(200);
    }

    @Test
    void missingOrForgedTokensAre401AndUnknownRoutes404Or405() {
        assertError(api.get("/api/me", null), 401, "unauthorized");
        assertError(api.get("/api/me", "forged"), 401, "unauthorized");
        assertError(api.get("/api/threads", "forged"), 401, "unauthorized");
        assertError(api.get("/api/nothing-here", null), 404, "not_found");
        assertError(api.call("PUT", "/api/me", null, "{}"), 405, "method_not_allowed");
        assertThat(api.get("/health", null).raw()).isEqualTo("{\"status\":\"ok\"}");
        assertThat(api.get("/ready", null).raw()).isEqualTo("{\"status\":\"ready\"}");
        assertThat(api.get("/metrics", null).raw()).contains("presence_sessions");
    }

    @Test
    void threadsInvitationsAndMessagesReachExactlyTheMembers() {
        Account ann = api.signUp("ann");
        Account bob = api.signUp("bob");
        Account eve = api.signUp("eve");
        String thread = api.createThread(ann, "team");
        WsProbe b = WsProbe.online("bob", server.wsUri(), bob.token());
        WsProbe e = WsProbe.online("eve", server.wsUri(), eve.token());
        try {
            Reply invitation = api.post("/api/threads/" + thread + "/invitations", ann.token(),
                    "{\"username\":\"bob\"}");
            assertThat(invitation.status()).isEqualTo(201);
            JsonNode told = b.awaitType("invitation_created");
            assertThat(told.path("invitation").path("thread_title").asText()).isEqualTo("team");
            assertThat(api.get("/api/invitations", bob.token()).body()).hasSize(1);
            assertError(api.post("/api/threads/" + thread + "/invitations", ann.token(), "{\"username\":\"bob\"}"),
                    409, "already_invited");
            // eve cannot see or accept someone else's invitation, nor read the thread
            assertError(api.post("/api/invitations/" + invitation.text("id") + "/accept", eve.token(), null), 404,
                    "not_found");
            assertError(api.get("/api/threads/" + thread, eve.token()), 404, "not_found");
            assertError(api.get("/api/threads/" + thread + "/messages", eve.token()), 404, "not_found");

            Reply accepted = api.post("/api/invitations/" + invitation.text("id") + "/accept", bob.token(), null);
            assertThat(accepted.status()).isEqualTo(200);
            assertThat(accepted.body().path("users").findValuesAsText("username")).containsExactlyInAnyOrder("ann",
                    "bob");
            assertError(api.post("/api/threads/" + thread + "/invitations", ann.token(), "{\"username\":\"bob\"}"),
                    409, "already_member");

            Reply sent = api.post("/api/threads/" + thread + "/messages", ann.token(),
                    "{\"text\":\"<img src=x onerror=alert(1)>\"}");
            assertThat(sent.status()).isEqualTo(201);
            JsonNode created = b.awaitType("message_created");
            assertThat(created.path("message").path("text").asText()).isEqualTo("<img src=x onerror=alert(1)>");
            assertThat(created.path("thread_id").asText()).isEqualTo(thread);

            for (int i = 0; i < 5; i++) {
                api.post("/api/threads/" + thread + "/messages", bob.token(), "{\"text\":\"m" + i + "\"}");
            }
            JsonNode page = api.get("/api/threads/" + thread + "/messages?limit=3", ann.token()).body();
            assertThat(page.findValuesAsText("text")).containsExactly("m4", "m3", "m2");
            String oldest = page.get(2).path("id").asText();
            JsonNode older = api.get("/api/threads/" + thread + "/messages?limit=10&before=" + oldest, ann.token())
                    .body();
            assertThat(older.findValuesAsText("text")).containsExactly("m1", "m0", "<img src=x onerror=alert(1)>");

            api.call("PATCH", "/api/me", ann.token(), "{\"display_name\":\"Ann\"}");
            assertThat(b.awaitType("user_profile_updated").path("user").path("display_name").asText())
                    .isEqualTo("Ann");

            JsonNode threads = api.get("/api/threads", bob.token()).body();
            assertThat(threads).hasSize(1);
            JsonNode bobAsMember = null;
            for (JsonNode member : threads.get(0).path("users")) {
                if (member.path("id").asText().equals(bob.id())) {
                    bobAsMember = member;
                }
            }
            assertThat(bobAsMember.path("is_online").asBoolean()).isTrue();
            assertThat(bobAsMember.path("last_seen").asLong()).isPositive();

            // eve, who shares nothing, heard nothing of it
            assertThat(e.frames()).extracting(f -> f.path("type").asText()).isSubsetOf("welcome", "ping");
        } finally {
            b.close();
            e.close();
        }
    }

    @Test
    void webPageIsServedWithSecurityHeaders() {
        Reply page = api.get("/", null);
        assertThat(page.status()).isIn(200, 404);
        assertError(api.get("/../../etc/passwd", null), 404, "not_found");
    }
}
