package dev.presence.server.protocol;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;

import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * One server event as a whole WebSocket text frame (header and payload; a server's frames are unmasked), encoded
 * once and written as the same bytes to every recipient: no per-recipient frame object, header or copy. The buffer
 * is reference-counted and shared; a holder {@linkplain ByteBuf#retain() retains} it and writes a
 * {@linkplain ByteBuf#duplicate() duplicate}, which the channel releases once written.
 *
 * <p>A {@code user_status_changed} frame also knows where its status object starts, so that several of them
 * pending for one connection can be sent as one {@code status_batch} (PROTOCOL.md, "Delivery under load") without
 * encoding any status again.
 */
public final class OutboundFrame {

    private static final byte[] STATUS_PREFIX = "{\"type\":\"user_status_changed\",".getBytes(StandardCharsets.UTF_8);
    private static final byte[] BATCH_START = "{\"type\":\"status_batch\",\"statuses\":[".getBytes(StandardCharsets.UTF_8);
    private static final byte[] BATCH_END = "]}".getBytes(StandardCharsets.UTF_8);
    private static final int TEXT_FINAL = 0x81;

    private final ByteBuf frame;
    /** Where the payload starts in {@link #frame}. */
    private final int payloadOffset;
    /** For a status: where, in the frame, the status's fields start (after the type); -1 for any other event. */
    private final int statusFieldsOffset;

    private OutboundFrame(ByteBuf frame, int payloadOffset, int statusFieldsOffset) {
        this.frame = frame;
        this.payloadOffset = payloadOffset;
        this.statusFieldsOffset = statusFieldsOffset;
    }

    /** Any event, from its JSON. */
    public static OutboundFrame of(byte[] json, ByteBufAllocator alloc) {
        ByteBuf frame = alloc.directBuffer(headerLength(json.length) + json.length);
        int payload = writeHeader(frame, json.length);
        frame.writeBytes(json);
        return new OutboundFrame(frame, payload, -1);
    }

    /** A {@code user_status_changed} event, from its JSON as {@link Frames#statusChanged} writes it. */
    public static OutboundFrame status(byte[] json, ByteBufAllocator alloc) {
        if (!startsWith(json, STATUS_PREFIX)) {
            throw new IllegalArgumentException("not a user_status_changed frame with its type first");
        }
        OutboundFrame frame = of(json, alloc);
        return new OutboundFrame(frame.frame, frame.payloadOffset, frame.payloadOffset + STATUS_PREFIX.length);
    }

    /** The whole frame; shared, see the class comment. */
    public ByteBuf frame() {
        return frame;
    }

    public boolean isStatus() {
        return statusFieldsOffset >= 0;
    }

    /** The event's JSON, for tests and logs. */
    public String json() {
        return frame.toString(payloadOffset, frame.writerIndex() - payloadOffset, StandardCharsets.UTF_8);
    }

    /**
     * One {@code status_batch} frame holding these statuses in this order (each entry is the status object of its
     * {@code user_status_changed}, without the type); a new buffer the caller owns. The statuses stay as they were.
     */
    public static ByteBuf statusBatch(List<OutboundFrame> statuses, ByteBufAllocator alloc) {
        int length = BATCH_START.length + BATCH_END.length + statuses.size() - 1;
        for (OutboundFrame status : statuses) {
            length += status.statusFieldsLength() + 1;
        }
        ByteBuf batch = alloc.directBuffer(headerLength(length) + length);
        writeHeader(batch, length);
        batch.writeBytes(BATCH_START);
        for (int i = 0; i < statuses.size(); i++) {
            OutboundFrame status = statuses.get(i);
            if (i > 0) {
                batch.writeByte(',');
            }
            batch.writeByte('{');
            batch.writeBytes(status.frame, status.statusFieldsOffset, status.statusFieldsLength());
        }
        batch.writeBytes(BATCH_END);
        return batch;
    }

    private int statusFieldsLength() {
        if (!isStatus()) {
            throw new IllegalStateException("not a status");
        }
        return frame.writerIndex() - statusFieldsOffset;
    }

    private static int headerLength(int payload) {
        return payload < 126 ? 2 : payload < 65_536 ? 4 : 10;
    }

    /** Writes a final, unmasked text frame's header; returns the header's length. */
    private static int writeHeader(ByteBuf out, int payload) {
        out.writeByte(TEXT_FINAL);
        if (payload < 126) {
            out.writeByte(payload);
        } else if (payload < 65_536) {
            out.writeByte(126);
            out.writeShort(payload);
        } else {
            out.writeByte(127);
            out.writeLong(payload);
        }
        return headerLength(payload);
    }

    private static boolean startsWith(byte[] bytes, byte[] prefix) {
        if (bytes.length < prefix.length) {
            return false;
        }
        for (int i = 0; i < prefix.length; i++) {
            if (bytes[i] != prefix[i]) {
                return false;
            }
        }
        return true;
    }
}
