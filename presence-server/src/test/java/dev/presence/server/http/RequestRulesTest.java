package dev.presence.server.http;

import io.netty.handler.codec.http.DefaultHttpRequest;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpVersion;
import org.junit.jupiter.api.Test;

import java.nio.charset.CharacterCodingException;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The small rules of a well-formed request: strict UTF-8, the JSON media type, the Host header. */
class RequestRulesTest {

    @Test
    void strictUtf8RefusesWhatLenientDecodersLetThrough() throws Exception {
        assertThat(StrictUtf8.decode("né €𝄞".getBytes(java.nio.charset.StandardCharsets.UTF_8))).isEqualTo("né €𝄞");
        for (byte[] bad : new byte[][] {
                {(byte) 0xC0, (byte) 0xAF},                           // overlong '/'
                {(byte) 0xE0, (byte) 0x80, (byte) 0xAF},              // overlong '/', three bytes
                {(byte) 0xED, (byte) 0xA0, (byte) 0x80},              // an encoded surrogate
                {(byte) 0xE2, (byte) 0x82},                           // cut short
                {(byte) 0xFF},                                        // never valid
                {(byte) 0xF4, (byte) 0x90, (byte) 0x80, (byte) 0x80}, // above U+10FFFF
        }) {
            assertThatThrownBy(() -> StrictUtf8.decode(bad)).isInstanceOf(CharacterCodingException.class);
        }
    }

    @Test
    void aUriIsWellFormedWhenItsEscapesAreUtf8() {
        assertThat(StrictUtf8.isWellFormedUri("/api/threads/t1/messages?limit=5&before=m%2F1")).isTrue();
        assertThat(StrictUtf8.isWellFormedUri("/x%C3%A9?q=%E2%82%AC")).isTrue();
        assertThat(StrictUtf8.isWellFormedUri("/x%C0%AF")).isFalse();
        assertThat(StrictUtf8.isWellFormedUri("/x?q=%ED%A0%80")).isFalse();
        assertThat(StrictUtf8.isWellFormedUri("/x%E2%82")).isFalse();
        assertThat(StrictUtf8.isWellFormedUri("/x%zz")).isFalse();
        assertThat(StrictUtf8.isWellFormedUri("/x%4")).isFalse();
        assertThat(StrictUtf8.isWellFormedUri("/x\u00C0\u00AF")).as("raw bytes of the request line").isFalse();
    }

    @Test
    void onlyApplicationJsonInUtf8IsJson() {
        assertThat(JsonMediaType.matches("application/json")).isTrue();
        assertThat(JsonMediaType.matches("Application/JSON")).isTrue();
        assertThat(JsonMediaType.matches("application/json; charset=utf-8")).isTrue();
        assertThat(JsonMediaType.matches("application/json;charset=\"UTF-8\"")).isTrue();
        assertThat(JsonMediaType.matches(" application/json ; foo=bar")).isTrue();
        assertThat(JsonMediaType.matches(null)).isFalse();
        assertThat(JsonMediaType.matches("")).isFalse();
        assertThat(JsonMediaType.matches("text/plain")).isFalse();
        assertThat(JsonMediaType.matches("text/plain; application/json")).isFalse();
        assertThat(JsonMediaType.matches("application/jsonx")).isFalse();
        assertThat(JsonMediaType.matches("application/json; charset=iso-8859-1")).isFalse();
        assertThat(JsonMediaType.matches("application/json; nonsense")).isFalse();
    }

    private static HttpRequest request(HttpVersion version, String... hosts) {
        HttpRequest request = new DefaultHttpRequest(version, HttpMethod.GET, "/");
        for (String host : hosts) {
            request.headers().add("Host", host);
        }
        return request;
    }

    @Test
    void http11NeedsExactlyOneHostThatIsAHostAndPort() {
        assertThat(HostHeader.problem(request(HttpVersion.HTTP_1_1, "example.com"))).isNull();
        assertThat(HostHeader.problem(request(HttpVersion.HTTP_1_1, "127.0.0.1:8080"))).isNull();
        assertThat(HostHeader.problem(request(HttpVersion.HTTP_1_1, "[::1]:8080"))).isNull();
        assertThat(HostHeader.problem(request(HttpVersion.HTTP_1_0))).isNull();
        assertThat(HostHeader.problem(request(HttpVersion.HTTP_1_1))).contains("Host");
        assertThat(HostHeader.problem(request(HttpVersion.HTTP_1_1, "a", "b"))).contains("exactly one");
        assertThat(HostHeader.problem(request(HttpVersion.HTTP_1_0, "a", "b"))).contains("exactly one");
        assertThat(HostHeader.problem(request(HttpVersion.HTTP_1_1, "a b"))).isNotNull();
        assertThat(HostHeader.problem(request(HttpVersion.HTTP_1_1, "evil.com/x"))).isNotNull();
        assertThat(HostHeader.problem(request(HttpVersion.HTTP_1_1, "user@host"))).isNotNull();
    }
}
