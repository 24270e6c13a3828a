package dev.presence.server;

import com.fasterxml.jackson.databind.JsonNode;
import dev.presence.server.support.Api;
import dev.presence.server.support.Api.Account;
import dev.presence.server.support.TestServer;
import dev.presence.server.support.WsProbe;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.util.function.Predicate;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Leaving a thread (contract v2, "Trust and hygiene"): the remaining members are told with
 * {@code thread_member_left}, and from then on no status flows between the leaver and them unless they still
 * share another thread. Real server, real WebSockets.
 *
 * <p>"Nothing arrived" is checked the way it can be: every frame to a session is queued in order from the
 * presence hub, so once a later frame (a sentinel) has arrived, an earlier one that was due would have too.
 */
class ThreadMemberLeftTest {

    @RegisterExtension
    final TestServer server = TestServer.create().shortHeartbeat();
    private Api api;
    private Account ann;
    private Account bob;
    private Account cat;

    @BeforeEach
    void accounts() {
        api = server.api();
        ann = api.signUp("ann");
        bob = api.signUp("bob");
        cat = api.signUp("cat");
    }

    private WsProbe online(String name, Account account) {
        return server.online(name, account.token());
    }

    private void leave(Account who, String threadId) {
        assertThat(api.call("DELETE", "/api/threads/" + threadId + "/members/me", who.token(), null).status())
                .isEqualTo(204);
    }

    private static Predicate<JsonNode> memberLeft(String threadId, String userId) {
        return f -> "thread_member_left".equals(f.path("type").asText())
                && threadId.equals(f.path("thread_id").asText()) && userId.equals(f.path("user_id").asText());
    }

    private static long framesOfType(WsProbe probe, String type) {
        return probe.frames().stream().filter(f -> type.equals(f.path("type").asText())).count();
    }

    @Test
    void theRemainingMembersAndTheLeaversOtherDevicesAreToldAndNobodyElse() {
        Account eve = api.signUp("eve");
        String team = api.threadOf("team", ann, bob, cat);
        String side = api.threadOf("side", bob, eve); // eve shares a thread with bob, but not this one
        WsProbe a = online("ann", ann);
        WsProbe bobPhone = online("bob's phone", bob);
        WsProbe bobLaptop = online("bob's laptop", bob);
        WsProbe c = online("cat", cat);
        WsProbe e = online("eve", eve);

        leave(bob, team);

        JsonNode told = a.await(memberLeft(team, bob.id()));
        assertThat(told.size()).as("exactly type, thread_id, user_id: " + told).isEqualTo(3);
        c.await(memberLeft(team, bob.id()));
        bobPhone.await(memberLeft(team, bob.id()));
        bobLaptop.await(memberLeft(team, bob.id()));
        assertThat(api.get("/api/threads/" + team, ann.token()).body().path("users").findValuesAsText("id"))
                .containsExactlyInAnyOrder(ann.id(), cat.id());

        // a message in the other thread is queued after the leave: once eve has it, she would have the leave too
        api.post("/api/threads/" + side + "/messages", bob.token(), "{\"text\":\"still here\"}");
        e.awaitType("message_created");
        assertThat(framesOfType(e, "thread_member_left")).isZero();
        assertThat(framesOfType(a, "thread_member_left")).as("told once").isEqualTo(1);
    }

    @Test
    void afterLeavingTheOnlySharedThreadNoStatusFlowsEitherWay() {
        Account dan = api.signUp("dan");
        String team = api.threadOf("team", ann, bob, cat);
        api.threadOf("bob and dan", bob, dan); // dan witnesses bob's flips
        WsProbe a = online("ann", ann);
        WsProbe b = online("bob", bob);
        WsProbe d = online("dan", dan);
        a.awaitStatus(bob.id(), true);

        leave(bob, team);
        a.await(memberLeft(team, bob.id()));
        int annHeardOfBob = a.statusesOf(bob.id()).size();

        // bob goes offline and comes back: dan hears both, ann nothing
        b.closeCleanly();
        long offline = d.awaitStatus(bob.id(), false).path("version").asLong();
        WsProbe bobAgain = online("bob again", bob);
        d.awaitStatus(bob.id(), true, offline);
        WsProbe c = online("cat", cat); // sentinel: ann's next status is cat's
        a.awaitStatus(cat.id(), true);
        assertThat(a.statusesOf(bob.id())).hasSize(annHeardOfBob);

        // ann goes offline: cat hears it, bob does not
        a.closeCleanly();
        c.awaitStatus(ann.id(), false);
        d.closeCleanly(); // sentinel: bob's next status is dan's
        bobAgain.awaitStatus(dan.id(), false);
        assertThat(bobAgain.statusesOf(ann.id())).isEmpty();

        // neither the snapshot nor the query shows the other any more
        WsProbe annAgain = online("ann again", ann);
        assertThat(annAgain.awaitType("welcome").path("presence").findValuesAsText("user_id"))
                .containsExactly(cat.id());
        assertThat(api.get("/api/presence?user_id=" + bob.id(), ann.token()).body()).isEmpty();
        assertThat(api.get("/api/presence?user_id=" + ann.id(), bob.token()).body()).isEmpty();
    }

    @Test
    void aSecondSharedThreadKeepsStatusFlowing() {
        String team = api.threadOf("team", ann, bob, cat);
        String pair = api.threadOf("pair", ann, bob);
        WsProbe a = online("ann", ann);
        WsProbe b = online("bob", bob);
        a.awaitStatus(bob.id(), true);

        leave(bob, team);
        a.await(memberLeft(team, bob.id()));
        b.await(memberLeft(team, bob.id()));

        b.closeCleanly();
        long offline = a.awaitStatus(bob.id(), false).path("version").asLong();
        WsProbe bobAgain = online("bob again", bob);
        a.awaitStatus(bob.id(), true, offline);
        assertThat(api.get("/api/presence?user_id=" + bob.id(), ann.token()).body().findValuesAsText("user_id"))
                .containsExactly(bob.id());

        a.closeCleanly();
        bobAgain.awaitStatus(ann.id(), false);

        // leaving the last shared thread too ends it
        leave(bob, pair);
        bobAgain.await(memberLeft(pair, bob.id()));
        WsProbe annAgain = online("ann again", ann);
        assertThat(annAgain.awaitType("welcome").path("presence").findValuesAsText("user_id"))
                .containsExactly(cat.id());
    }
}
