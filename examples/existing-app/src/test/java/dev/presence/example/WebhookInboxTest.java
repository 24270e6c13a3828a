package dev.presence.example;

import org.junit.jupiter.api.Test;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class WebhookInboxTest {

    private static final byte[] SECRET = "a-webhook-secret".getBytes(StandardCharsets.UTF_8);

    private final List<WebhookInbox.Status> heard = new ArrayList<>();
    private final WebhookInbox inbox = new WebhookInbox(SECRET, heard::add);

    @Test
    void aSignedWebhookIsTakenOnceAndAnOlderVersionNeverWins() throws Exception {
        byte[] online = hook("u1:10", true, 10);
        byte[] offline = hook("u1:11", false, 11);

        inbox.accept(offline, sign(offline));
        inbox.accept(online, sign(online));   // late and older: ignored
        inbox.accept(offline, sign(offline)); // again (at least once): ignored

        assertThat(heard).containsExactly(new WebhookInbox.Status("u1", false, 5, 11));
        assertThat(inbox.statuses().get("u1").online()).isFalse();
    }

    @Test
    void aBadOrMissingSignatureIsRefusedBeforeTheBodyIsRead() {
        byte[] body = hook("u1:10", true, 10);
        byte[] tampered = hook("u1:10", false, 10);

        assertThatThrownBy(() -> inbox.accept(tampered, sign(body))).hasMessage("bad signature");
        assertThatThrownBy(() -> inbox.accept(body, null)).hasMessage("bad signature");
        assertThatThrownBy(() -> inbox.accept(body, "sha256=zz")).hasMessage("bad signature");
        assertThat(heard).isEmpty();
    }

    private static byte[] hook(String id, boolean online, long version) {
        return ("{\"id\":\"" + id + "\",\"type\":\"user_status_changed\",\"user_id\":\"u1\",\"is_online\":" + online
                + ",\"last_seen\":5,\"version\":" + version + ",\"sent_at\":7}").getBytes(StandardCharsets.UTF_8);
    }

    private static String sign(byte[] body) throws Exception {
        Mac mac = Mac.getInstance("HmacSHA256");
        mac.init(new SecretKeySpec(SECRET, "HmacSHA256"));
        return "sha256=" + HexFormat.of().formatHex(mac.doFinal(body));
    }
}
