package dev.presence.bench;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

/**
 * Reads the few fields the bench needs from a server frame with a streaming parser (no tree: the generator
 * receives every delivery the server makes, so its parsing cost shows up in the server's numbers).
 */
final class FrameScanner {

    /** One user's status as a frame carries it; {@code user} is the ring index, -1 if not a bench user. */
    record Status(int user, boolean online, long version) {
    }

    /**
     * What a frame says. {@code statuses} holds the entries of a {@code welcome}'s presence or a
     * {@code status_batch}; a {@code user_status_changed} is a single entry. {@code sentAtNanos} is the
     * bench's send stamp of an app event ({@code deliver}), at the top level or inside an {@code event}
     * object, -1 when the frame has none.
     */
    record Frame(String type, List<Status> statuses, long sentAtNanos) {
        Frame(String type, List<Status> statuses) {
            this(type, statuses, -1);
        }
    }

    private static final JsonFactory JSON = new JsonFactory();

    private FrameScanner() {
    }

    /** The frame's type and statuses, or null for a frame without a type (or not a JSON object). */
    static Frame scan(byte[] bytes) throws IOException {
        String type = null;
        int user = -1;
        boolean online = false;
        long version = 0;
        List<Status> list = null;
        long sentAt = -1;
        try (JsonParser p = JSON.createParser(bytes)) {
            if (p.nextToken() != JsonToken.START_OBJECT) {
                return null;
            }
            while (p.nextToken() == JsonToken.FIELD_NAME) {
                String field = p.currentName();
                JsonToken value = p.nextToken();
                switch (field) {
                    case "type" -> type = p.getText();
                    case "user_id" -> user = Ring.userIndex(p.getText());
                    case "is_online" -> online = value == JsonToken.VALUE_TRUE;
                    case "version" -> version = p.getLongValue();
                    case "presence", "statuses" -> list = statuses(p);
                    case "sent_at_nanos" -> sentAt = p.getLongValue();
                    case "event" -> {
                        String[] inner = sentAtOf(p);
                        sentAt = inner[1] != null ? Long.parseLong(inner[1]) : sentAt;
                        type = type == null ? inner[0] : type;
                    }
                    default -> p.skipChildren();
                }
            }
        }
        if (type == null) {
            return null;
        }
        if (type.equals("user_status_changed")) {
            return new Frame(type, List.of(new Status(user, online, version)));
        }
        return new Frame(type, list == null ? List.of() : list, sentAt);
    }

    /** The {@code type} and {@code sent_at_nanos} of a nested event object (either may be null). */
    private static String[] sentAtOf(JsonParser p) throws IOException {
        String[] out = new String[2];
        if (p.currentToken() != JsonToken.START_OBJECT) {
            p.skipChildren();
            return out;
        }
        while (p.nextToken() == JsonToken.FIELD_NAME) {
            String field = p.currentName();
            p.nextToken();
            switch (field) {
                case "type" -> out[0] = p.getText();
                case "sent_at_nanos" -> out[1] = Long.toString(p.getLongValue());
                default -> p.skipChildren();
            }
        }
        return out;
    }

    private static List<Status> statuses(JsonParser p) throws IOException {
        List<Status> out = new ArrayList<>();
        if (p.currentToken() != JsonToken.START_ARRAY) {
            p.skipChildren();
            return out;
        }
        while (p.nextToken() == JsonToken.START_OBJECT) {
            int user = -1;
            boolean online = false;
            long version = 0;
            while (p.nextToken() == JsonToken.FIELD_NAME) {
                String field = p.currentName();
                JsonToken value = p.nextToken();
                switch (field) {
                    case "user_id" -> user = Ring.userIndex(p.getText());
                    case "is_online" -> online = value == JsonToken.VALUE_TRUE;
                    case "version" -> version = p.getLongValue();
                    default -> p.skipChildren();
                }
            }
            out.add(new Status(user, online, version));
        }
        return out;
    }
}
