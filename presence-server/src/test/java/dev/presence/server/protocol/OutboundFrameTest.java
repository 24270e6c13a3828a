package dev.presence.server.protocol;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.presence.core.UserStatus;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.UnpooledByteBufAllocator;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.websocketx.TextWebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocket13FrameDecoder;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The frames are checked by Netty's own WebSocket decoder, as a client would read them. */
class OutboundFrameTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final UnpooledByteBufAllocator ALLOC = UnpooledByteBufAllocator.DEFAULT;

    @Test
    void framesOfEveryLengthClassDecodeToTheirJson() {
        for (int length : new int[] {2, 125, 126, 127, 65_535, 65_536, 70_000}) {
            String json = "\"" + "x".repeat(length - 2) + "\"";
            OutboundFrame frame = OutboundFrame.of(json.getBytes(StandardCharsets.UTF_8), ALLOC);

            assertThat(decode(frame.frame().retainedDuplicate())).as("payload of %d bytes", length).isEqualTo(json);
            assertThat(frame.json()).isEqualTo(json);
            frame.frame().release();
        }
    }

    @Test
    void aBatchHoldsEachStatusAsItsUserStatusChangedDoesWithoutTheType() throws Exception {
        List<OutboundFrame> statuses = List.of(status("ann", true, 5), status("u_" + "b".repeat(126), false, 6));

        ByteBuf batch = OutboundFrame.statusBatch(statuses, ALLOC);

        JsonNode frame = JSON.readTree(decode(batch));
        assertThat(frame.path("type").asText()).isEqualTo("status_batch");
        for (int i = 0; i < statuses.size(); i++) {
            JsonNode single = JSON.readTree(statuses.get(i).json());
            ((com.fasterxml.jackson.databind.node.ObjectNode) single).remove("type");
            assertThat(frame.path("statuses").get(i)).isEqualTo(single);
        }
        assertThat(statuses).allSatisfy(s -> assertThat(s.frame().refCnt()).isEqualTo(1));
    }

    @Test
    void onlyAUserStatusChangedWithItsTypeFirstCanBeBatched() {
        assertThatThrownBy(() -> OutboundFrame.status("{\"user_id\":\"a\",\"type\":\"user_status_changed\"}"
                .getBytes(StandardCharsets.UTF_8), ALLOC)).isInstanceOf(IllegalArgumentException.class);
        OutboundFrame other = OutboundFrame.of("{\"type\":\"x\"}".getBytes(StandardCharsets.UTF_8), ALLOC);
        assertThat(other.isStatus()).isFalse();
        assertThatThrownBy(() -> OutboundFrame.statusBatch(List.of(other, other), ALLOC))
                .isInstanceOf(IllegalStateException.class);
    }

    private static OutboundFrame status(String user, boolean online, long version) {
        return OutboundFrame.status(Frames.statusChanged(new UserStatus(user, online, 1_000, version), 2_000), ALLOC);
    }

    private static String decode(ByteBuf wire) {
        EmbeddedChannel client = new EmbeddedChannel(new WebSocket13FrameDecoder(false, false, 1 << 20));
        client.writeInbound(wire);
        TextWebSocketFrame frame = client.readInbound();
        try {
            assertThat(frame.isFinalFragment()).isTrue();
            return frame.text();
        } finally {
            frame.release();
            client.finishAndReleaseAll();
        }
    }
}
