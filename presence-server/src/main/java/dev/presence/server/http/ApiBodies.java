package dev.presence.server.http;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.presence.server.domain.Member;
import dev.presence.server.domain.ThreadView;
import dev.presence.server.domain.User;
import dev.presence.server.protocol.Json;
import dev.presence.server.protocol.ProtocolObjects;

import java.util.Collection;
import java.util.function.Function;

/**
 * The JSON bodies of HTTP answers that no WebSocket frame carries: a thread with its members, a login, lists.
 * The objects inside them are PROTOCOL.md's shared ones ({@link ProtocolObjects}).
 */
final class ApiBodies {

    private ApiBodies() {
    }

    /** {@code {id, title, users:[member]}} */
    static ObjectNode thread(ThreadView view) {
        ObjectNode node = Json.object().put("id", view.thread().id()).put("title", view.thread().title());
        ArrayNode users = node.putArray("users");
        for (Member member : view.members()) {
            users.add(ProtocolObjects.member(member.user(), member.status()));
        }
        return node;
    }

    /** {@code {token, user}}: the token is shown this once. */
    static ObjectNode login(String token, User user) {
        ObjectNode body = Json.object().put("token", token);
        body.set("user", ProtocolObjects.user(user));
        return body;
    }

    static <T> ArrayNode list(Collection<? extends T> items, Function<T, ? extends JsonNode> encode) {
        ArrayNode list = Json.MAPPER.createArrayNode();
        for (T item : items) {
            list.add(encode.apply(item));
        }
        return list;
    }
}
