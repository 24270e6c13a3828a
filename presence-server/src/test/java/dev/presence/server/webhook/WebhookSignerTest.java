package dev.presence.server.webhook;

import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class WebhookSignerTest {

    @Test
    void signsWithHmacSha256AsRfc4231TestCase2() {
        WebhookSigner signer = new WebhookSigner("Jefe".getBytes(StandardCharsets.UTF_8));
        assertThat(signer.sign("what do ya want for nothing?".getBytes(StandardCharsets.UTF_8)))
                .isEqualTo("sha256=5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843");
    }

    @Test
    void anEmptySecretIsRefused() {
        assertThatThrownBy(() -> new WebhookSigner(new byte[0])).isInstanceOf(IllegalArgumentException.class);
    }
}
