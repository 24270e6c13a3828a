package dev.presence.server;

import dev.presence.server.config.RateLimits;
import dev.presence.server.config.RateLimits.Rate;
import dev.presence.server.support.Api.Account;
import dev.presence.server.support.RawHttp;
import dev.presence.server.support.RawHttp.Response;
import dev.presence.server.support.TestServer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;

/** Message posts and invitations are limited per user (429 with Retry-After); other users are not held back. */
class PostingLimitsTest {

    @TempDir
    Path dataDir;
    private TestServer server;
    private Account ann;
    private Account bob;
    private String thread;

    @BeforeEach
    void start() {
        RateLimits limits = RateLimits.defaults().withMessagesPerUser(new Rate(5, Duration.ofMinutes(1)))
                .withInvitationsPerUser(new Rate(3, Duration.ofMinutes(1)));
        server = TestServer.create().shortHeartbeat().dataDir(dataDir).with(b -> b.rateLimits(limits)).start();
        ann = server.api().signUp("ann");
        bob = server.api().signUp("bob");
        thread = server.api().threadOf("team", ann, bob); // ann's first invitation
    }

    @AfterEach
    void stop() {
        server.close();
    }

    private Response post(Account who, String path, String json) {
        return RawHttp.call("127.0.0.1", server.port(), "POST", path, who.token(), json);
    }

    private static void assertRateLimited(Response response, long oneBackEverySeconds) {
        assertThat(response.status()).isEqualTo(429);
        assertThat(response.errorCode()).isEqualTo("rate_limited");
        assertThat(Long.parseLong(response.header("Retry-After"))).isBetween(1L, oneBackEverySeconds);
    }

    @Test
    void messagesArePerUserLimited() {
        for (int i = 0; i < 5; i++) {
            assertThat(post(ann, "/api/threads/" + thread + "/messages", "{\"text\":\"hi " + i + "\"}").status())
                    .isEqualTo(201);
        }

        assertRateLimited(post(ann, "/api/threads/" + thread + "/messages", "{\"text\":\"one too many\"}"), 12);
        assertThat(post(bob, "/api/threads/" + thread + "/messages", "{\"text\":\"mine is fine\"}").status())
                .isEqualTo(201);
        assertThat(server.api().get("/api/threads/" + thread + "/messages", bob.token()).body()).hasSize(6);
    }

    @Test
    void invitationsArePerUserLimited() {
        for (String name : new String[] {"cat", "dan", "eve", "fay"}) {
            server.api().signUp(name);
        }
        assertThat(post(ann, "/api/threads/" + thread + "/invitations", "{\"username\":\"cat\"}").status())
                .isEqualTo(201);
        assertThat(post(ann, "/api/threads/" + thread + "/invitations", "{\"username\":\"dan\"}").status())
                .isEqualTo(201);

        assertRateLimited(post(ann, "/api/threads/" + thread + "/invitations", "{\"username\":\"eve\"}"), 20);
        assertThat(post(bob, "/api/threads/" + thread + "/invitations", "{\"username\":\"fay\"}").status())
                .isEqualTo(201);
    }
}
