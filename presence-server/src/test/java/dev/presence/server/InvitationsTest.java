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

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Invitations of contract v2 ("Trust and hygiene"): they name who invited ({@code from_user}) and the invitee
 * can decline them, which tells the inviter ({@code invitation_declined}). Real server, real WebSockets.
 */
class InvitationsTest {

    @RegisterExtension
    final TestServer server = TestServer.create().shortHeartbeat();
    private Api api;
    private Account ann;
    private Account bob;
    private String team;

    @BeforeEach
    void accounts() {
        api = server.api();
        ann = api.signUp("ann");
        bob = api.signUp("bob");
        team = api.createThread(ann, "team");
    }

    private WsProbe online(String name, Account account) {
        return server.online(name, account.token());
    }

    private Reply invite(Account inviter, String threadId, Account invitee) {
        return api.post("/api/threads/" + threadId + "/invitations", inviter.token(),
                "{\"username\":\"" + invitee.username() + "\"}");
    }

    private Reply decline(Account who, String invitationId) {
        return api.post("/api/invitations/" + invitationId + "/decline", who.token(), null);
    }

    private Reply accept(Account who, String invitationId) {
        return api.post("/api/invitations/" + invitationId + "/accept", who.token(), null);
    }

    private static void assertNotFound(Reply reply) {
        assertThat(reply.status()).as(reply.raw()).isEqualTo(404);
        assertThat(reply.body().path("error").path("code").asText()).isEqualTo("not_found");
    }

    private static long framesOfType(WsProbe probe, String type) {
        return probe.frames().stream().filter(f -> type.equals(f.path("type").asText())).count();
    }

    @Test
    void anInvitationNamesWhoInvitedInTheAnswerTheEventAndTheList() {
        api.call("PATCH", "/api/me", ann.token(), "{\"display_name\":\"Ann A.\"}");
        WsProbe b = online("bob", bob);

        Reply created = invite(ann, team, bob);

        assertThat(created.status()).as(created.raw()).isEqualTo(201);
        JsonNode invitation = created.body();
        assertThat(invitation.path("id").asText()).isNotEmpty();
        assertThat(invitation.path("thread_id").asText()).isEqualTo(team);
        assertThat(invitation.path("thread_title").asText()).isEqualTo("team");
        assertThat(invitation.path("from_user_id").asText()).isEqualTo(ann.id());
        assertThat(invitation.path("to_user_id").asText()).isEqualTo(bob.id());
        JsonNode from = invitation.path("from_user");
        assertThat(from.path("id").asText()).isEqualTo(ann.id());
        assertThat(from.path("username").asText()).isEqualTo("ann");
        assertThat(from.path("display_name").asText()).isEqualTo("Ann A.");
        assertThat(from.has("password_hash")).isFalse();

        assertThat(b.awaitType("invitation_created").path("invitation")).isEqualTo(invitation);
        JsonNode listed = api.get("/api/invitations", bob.token()).body();
        assertThat(listed).hasSize(1);
        assertThat(listed.get(0)).isEqualTo(invitation);
    }

    @Test
    void theInviteeDeclinesTheInviterIsToldAndTheInvitationIsGone() {
        Account cat = api.signUp("cat");
        api.addMember(team, ann, cat);
        WsProbe annPhone = online("ann's phone", ann);
        WsProbe annLaptop = online("ann's laptop", ann);
        WsProbe c = online("cat", cat);
        WsProbe b = online("bob", bob);
        String invitation = invite(ann, team, bob).text("id");
        b.awaitType("invitation_created");

        Reply declined = decline(bob, invitation);

        assertThat(declined.status()).as(declined.raw()).isEqualTo(204);
        for (WsProbe inviter : List.of(annPhone, annLaptop)) {
            JsonNode told = inviter.awaitType("invitation_declined");
            assertThat(told.path("invitation_id").asText()).isEqualTo(invitation);
            assertThat(told.path("thread_id").asText()).isEqualTo(team);
        }
        assertThat(api.get("/api/invitations", bob.token()).body()).isEmpty();
        assertNotFound(accept(bob, invitation));
        assertNotFound(decline(bob, invitation));
        assertNotFound(api.get("/api/threads/" + team, bob.token()));
        assertThat(api.get("/api/threads/" + team, ann.token()).body().path("users").findValuesAsText("id"))
                .containsExactlyInAnyOrder(ann.id(), cat.id());

        // inviting again after a decline works, with a new invitation
        Reply again = invite(ann, team, bob);
        assertThat(again.status()).as(again.raw()).isEqualTo(201);
        assertThat(again.text("id")).isNotEqualTo(invitation);
        b.await(f -> "invitation_created".equals(f.path("type").asText())
                && again.text("id").equals(f.path("invitation").path("id").asText()));
        assertThat(accept(bob, again.text("id")).status()).isEqualTo(200);

        // the accept is queued after the decline: once cat has it, a decline meant for her would be there too
        c.awaitType("invitation_accepted");
        assertThat(framesOfType(c, "invitation_declined")).as("only the inviter is told").isZero();
        assertThat(framesOfType(annPhone, "invitation_declined")).isEqualTo(1);
    }

    @Test
    void onlyTheInviteeCanDecline() {
        Account eve = api.signUp("eve");
        WsProbe a = online("ann", ann);
        String invitation = invite(ann, team, bob).text("id");

        assertNotFound(decline(eve, invitation));
        assertNotFound(decline(ann, invitation));
        assertNotFound(decline(bob, "i-unknown"));
        assertNotFound(decline(bob, "x".repeat(300)));
        Reply anonymous = decline(new Account(null, null, null), invitation);
        assertThat(anonymous.status()).isEqualTo(401);
        assertThat(anonymous.body().path("error").path("code").asText()).isEqualTo("unauthorized");

        JsonNode pending = api.get("/api/invitations", bob.token()).body();
        assertThat(pending).hasSize(1);
        assertThat(pending.get(0).path("id").asText()).as("still pending").isEqualTo(invitation);
        assertThat(decline(bob, invitation).status()).isEqualTo(204);
        a.awaitType("invitation_declined");
        assertThat(framesOfType(a, "invitation_declined")).as("the refused declines told nobody").isEqualTo(1);
    }

    @Test
    void anAcceptedInvitationCannotBeDeclined() {
        WsProbe a = online("ann", ann);
        String invitation = invite(ann, team, bob).text("id");
        assertThat(accept(bob, invitation).status()).isEqualTo(200);

        assertNotFound(decline(bob, invitation));

        assertThat(api.get("/api/threads/" + team, bob.token()).status()).isEqualTo(200);
        api.post("/api/threads/" + team + "/messages", bob.token(), "{\"text\":\"hi\"}");
        a.awaitType("message_created"); // queued after any decline event
        assertThat(framesOfType(a, "invitation_declined")).isZero();
    }
}
