package dev.presence.server.support;

import com.fasterxml.jackson.databind.JsonNode;

import java.util.ArrayList;
import java.util.List;

/**
 * The status changes in received frames: each {@code user_status_changed}, and each entry of a
 * {@code status_batch}.
 */
public final class StatusFrames {

    private StatusFrames() {
    }

    /** Every status change in these frames, in order. */
    public static List<JsonNode> of(List<JsonNode> frames) {
        List<JsonNode> statuses = new ArrayList<>();
        for (JsonNode frame : frames) {
            add(frame, statuses);
        }
        return statuses;
    }

    /** Adds the status changes of one frame (none if it is another kind of frame). */
    public static void add(JsonNode frame, List<JsonNode> to) {
        String type = frame.path("type").asText();
        if ("user_status_changed".equals(type)) {
            to.add(frame);
        } else if ("status_batch".equals(type)) {
            frame.path("statuses").forEach(to::add);
        }
    }

    /** The status changes about one user. */
    public static List<JsonNode> about(String userId, List<JsonNode> frames) {
        return of(frames).stream().filter(s -> userId.equals(s.path("user_id").asText())).toList();
    }
}
