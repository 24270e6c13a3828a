package dev.presence.client.api;

import dev.presence.client.StubServer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

/** The contract v2 calls and answers of {@link PresenceApi}, against a stub server. */
class PresenceApiTest {

    private final StubServer stub = newStub();
    private final PresenceApi api = PresenceApi.create(stub.uri()).withToken("tok");

    private static StubServer newStub() {
        try {
            return new StubServer();
        } catch (java.io.IOException e) {
            throw new IllegalStateException(e);
        }
    }

    @AfterEach
    void stop() {
        stub.close();
    }

    @Test
    void declinePostsToTheInvitationWithTheToken() {
        stub.on("POST", "/api/invitations/inv%201/decline", 204, null);

        api.decline("inv 1");

        assertThat(stub.requests).singleElement().satisfies(r -> {
            assertThat(r.method()).isEqualTo("POST");
            assertThat(r.path()).isEqualTo("/api/invitations/inv%201/decline");
            assertThat(r.authorization()).isEqualTo("Bearer tok");
        });
    }

    @Test
    void declineOfAnUnknownInvitationIsNotFound() {
        stub.on("POST", "/api/invitations/i9/decline", 404,
                "{\"error\":{\"code\":\"not_found\",\"message\":\"no such invitation\"}}");

        assertThatThrownBy(() -> api.decline("i9")).isInstanceOf(PresenceApiException.NotFoundException.class)
                .hasMessageContaining("no such invitation");
    }

    @Test
    void logOutEverywhereDeletesAllSessions() {
        stub.on("DELETE", "/api/sessions", 204, null);

        api.logOutEverywhere();

        assertThat(stub.requests).singleElement().satisfies(r -> {
            assertThat(r.method()).isEqualTo("DELETE");
            assertThat(r.path()).isEqualTo("/api/sessions");
            assertThat(r.authorization()).isEqualTo("Bearer tok");
        });
    }

    @Test
    void rateLimitedAnswersCarryRetryAfterInSeconds() {
        stub.on("POST", "/api/sessions", 429,
                "{\"error\":{\"code\":\"rate_limited\",\"message\":\"too many login attempts\"}}",
                Map.of("Retry-After", "17"));

        PresenceApiException.RateLimitedException e = catchThrowableOfType(
                () -> PresenceApi.create(stub.uri()).logIn("alice", "correct-horse-1"),
                PresenceApiException.RateLimitedException.class);

        assertThat(e.status()).isEqualTo(429);
        assertThat(e.code()).isEqualTo("rate_limited");
        assertThat(e.retryAfter()).contains(Duration.ofSeconds(17));
        assertThat(e.getMessage()).isEqualTo("too many login attempts (rate_limited, HTTP 429, retry after 17 seconds)");
    }

    @Test
    void retryAfterAsAnHttpDate() {
        String inAMinute = DateTimeFormatter.RFC_1123_DATE_TIME.format(ZonedDateTime.now(ZoneOffset.UTC).plusSeconds(60));
        stub.on("POST", "/api/threads/t1/messages", 429,
                "{\"error\":{\"code\":\"rate_limited\",\"message\":\"slow down\"}}", Map.of("Retry-After", inAMinute));

        PresenceApiException e = catchThrowableOfType(() -> api.send("t1", "hi"), PresenceApiException.class);

        assertThat(e.retryAfter()).hasValueSatisfying(d -> assertThat(d).isBetween(Duration.ofSeconds(50),
                Duration.ofSeconds(61)));
    }

    @Test
    void busyAnswersCarryRetryAfterToo() {
        stub.on("GET", "/api/threads", 503, "{\"error\":{\"code\":\"busy\",\"message\":\"overloaded\"}}",
                Map.of("Retry-After", "2"));

        PresenceApiException e = catchThrowableOfType(api::threads, PresenceApiException.class);

        assertThat(e.status()).isEqualTo(503);
        assertThat(e.retryAfter()).contains(Duration.ofSeconds(2));
    }

    @Test
    void noOrUnreadableRetryAfterIsEmpty() {
        stub.on("GET", "/api/me", 429, "{\"error\":{\"code\":\"rate_limited\",\"message\":\"x\"}}",
                Map.of("Retry-After", "soon"));
        stub.on("GET", "/api/threads", 429, "{\"error\":{\"code\":\"rate_limited\",\"message\":\"x\"}}");

        assertThat(catchThrowableOfType(api::me, PresenceApiException.class).retryAfter()).isEmpty();
        PresenceApiException e = catchThrowableOfType(api::threads, PresenceApiException.class);
        assertThat(e.retryAfter()).isEmpty();
        assertThat(e.getMessage()).isEqualTo("x (rate_limited, HTTP 429)");
    }

    @Test
    void invitationsCarryTheInviter() {
        stub.on("GET", "/api/invitations", 200, "[{\"id\":\"i1\",\"thread_id\":\"t1\",\"thread_title\":\"team\","
                + "\"from_user_id\":\"u1\",\"to_user_id\":\"u2\",\"from_user\":{\"id\":\"u1\",\"username\":\"alice\","
                + "\"display_name\":\"Alice A\"},\"created_at\":5}]");

        assertThat(api.invitations()).singleElement().satisfies(i -> {
            assertThat(i.inviter()).contains(new User("u1", "alice", "Alice A"));
            assertThat(i.fromUserId()).isEqualTo("u1");
        });
    }
}
