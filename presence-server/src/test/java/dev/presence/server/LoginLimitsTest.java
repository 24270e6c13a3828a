package dev.presence.server;

import dev.presence.server.config.RateLimits;
import dev.presence.server.config.RateLimits.Rate;
import dev.presence.server.support.RawHttp;
import dev.presence.server.support.RawHttp.Response;
import dev.presence.server.support.TestServer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** Login attempts are limited per account and per client address: 429 with Retry-After, then it works again. */
class LoginLimitsTest {

    private static final Rate PLENTY = new Rate(100_000, Duration.ofMinutes(1));

    @TempDir
    Path dataDir;
    private TestServer server;

    private void start(Rate perAccount, Rate perAddress) {
        RateLimits limits = RateLimits.defaults().withLoginsPerAccount(perAccount).withLoginsPerAddress(perAddress);
        server = TestServer.create().shortHeartbeat().dataDir(dataDir).with(b -> b.rateLimits(limits)).start();
    }

    @AfterEach
    void stop() {
        if (server != null) {
            server.close();
        }
    }

    private Response logIn(String from, String username, String password) {
        return RawHttp.call(from, server.port(), "POST", "/api/sessions", null,
                "{\"username\":\"" + username + "\",\"password\":\"" + password + "\"}");
    }

    private static void assertRateLimited(Response response) {
        assertThat(response.status()).isEqualTo(429);
        assertThat(response.errorCode()).isEqualTo("rate_limited");
        assertThat(Long.parseLong(response.header("Retry-After"))).isBetween(1L, 60L);
    }

    /** Sends 100 wrong logins one after another; every answer is a 401 or a 429; returns how many were 429. */
    private int wrongLogins(String from, String... usernames) {
        int limited = 0;
        for (int i = 0; i < 100; i++) {
            Response response = logIn(from, usernames[i % usernames.length], "wrong-password-" + i);
            if (response.status() == 429) {
                assertRateLimited(response);
                limited++;
            } else {
                assertThat(response.status()).isEqualTo(401);
            }
        }
        return limited;
    }

    @Test
    void wrongPasswordsForOneAccountAreLimitedAndTheRightOneWorksAfterTheWait() {
        start(new Rate(5, Duration.ofSeconds(30)), PLENTY); // one attempt back every 6 s
        server.api().signUp("ann");
        server.api().signUp("bob");

        assertThat(wrongLogins("127.0.0.1", "ann")).isGreaterThanOrEqualTo(90);

        Response refused = logIn("127.0.0.1", "ann", "secret-pass");
        assertRateLimited(refused);
        assertThat(logIn("127.0.0.1", "bob", "secret-pass").status()).isEqualTo(201); // other accounts are not

        long wait = Long.parseLong(refused.header("Retry-After"));
        await().pollDelay(Duration.ofSeconds(wait)).atMost(Duration.ofSeconds(wait + 10))
                .until(() -> logIn("127.0.0.1", "ann", "secret-pass").status() == 201);
    }

    @Test
    void wrongPasswordsFromOneAddressAreLimitedAndOtherAddressesAreNot() {
        start(PLENTY, new Rate(5, Duration.ofSeconds(30)));
        server.api().signUp("ann");

        assertThat(wrongLogins("127.0.0.1", "guess1", "guess2", "guess3", "ann")).isGreaterThanOrEqualTo(90);

        Response refused = logIn("127.0.0.1", "ann", "secret-pass");
        assertRateLimited(refused);
        assertThat(logIn("127.0.0.2", "ann", "secret-pass").status()).isEqualTo(201);

        long wait = Long.parseLong(refused.header("Retry-After"));
        await().pollDelay(Duration.ofSeconds(wait)).atMost(Duration.ofSeconds(wait + 10))
                .until(() -> logIn("127.0.0.1", "ann", "secret-pass").status() == 201);
    }

    @Test
    void successfulLoginsDoNotCount() {
        start(new Rate(3, Duration.ofMinutes(10)), new Rate(3, Duration.ofMinutes(10)));
        server.api().signUp("ann");

        for (int i = 0; i < 10; i++) {
            assertThat(logIn("127.0.0.1", "ann", "secret-pass").status()).isEqualTo(201);
        }
        assertThat(logIn("127.0.0.1", "ann", "wrong-password").status()).isEqualTo(401);
    }

    @Test
    void theDefaultsAllowAFewMistakesAndStopAGuessingRun() {
        server = TestServer.create().shortHeartbeat().dataDir(dataDir).start();
        server.api().signUp("ann");

        int limited = wrongLogins("127.0.0.1", "ann");

        // 10 at once, then one more every 30 s (the loop may take that long on a busy machine)
        assertThat(limited).isBetween(88, 90);
    }
}
