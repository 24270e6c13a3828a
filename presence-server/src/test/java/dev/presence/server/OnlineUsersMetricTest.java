package dev.presence.server;

import dev.presence.server.support.Api.Account;
import dev.presence.server.support.TestServer;
import dev.presence.server.support.WsProbe;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.time.Duration;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * {@code presence_online_users} on {@code /metrics} counts exactly the users online now, whoever is there to
 * hear their flips and however their sessions end.
 */
class OnlineUsersMetricTest {

    private static final Pattern GAUGE = Pattern.compile("(?m)^presence_online_users (\\S+)$");

    @RegisterExtension
    final TestServer server = TestServer.create().shortHeartbeat();

    private WsProbe online(String name, Account account) {
        return server.online(name, account.token());
    }

    private double onlineUsers() {
        String text = server.api().get("/metrics", null).raw();
        Matcher m = GAUGE.matcher(text);
        assertThat(m.find()).as("presence_online_users in %s", text).isTrue();
        return Double.parseDouble(m.group(1));
    }

    private void awaitOnlineUsers(int expected) {
        await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(50))
                .untilAsserted(() -> assertThat(onlineUsers()).isEqualTo(expected));
    }

    @Test
    void theGaugeIsExactWhoeverHearsTheFlipsAndHoweverSessionsEnd() {
        Account ann = server.api().signUp("ann");
        Account bob = server.api().signUp("bob");
        Account cat = server.api().signUp("cat"); // shares no thread: nobody hears her flips
        server.api().threadOf("pair", ann, bob);
        assertThat(onlineUsers()).isZero();

        WsProbe a = online("ann", ann); // comes online while nobody watches
        WsProbe b = online("bob", bob);
        WsProbe b2 = online("bob's phone", bob); // a second device is not a second user
        WsProbe c = online("cat", cat);
        awaitOnlineUsers(3);

        a.closeCleanly();                      // at once
        awaitOnlineUsers(2);
        b.abort();                             // a lost connection: bob stays online on his phone
        b2.abort();                            // and on nothing, after the grace
        c.stopAnsweringPings();                // a heartbeat timeout, heard by nobody
        awaitOnlineUsers(0);
        // and it stays exact: nothing is counted twice when they come back
        online("cat again", cat);
        online("ann again", ann);
        awaitOnlineUsers(2);
    }
}
