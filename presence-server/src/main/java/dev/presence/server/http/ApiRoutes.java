package dev.presence.server.http;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.presence.core.UserStatus;
import dev.presence.server.chat.ChatService.Member;
import dev.presence.server.chat.ChatService.ThreadView;
import dev.presence.server.chat.ChatService;
import dev.presence.server.domain.Invitation;
import dev.presence.server.domain.Message;
import dev.presence.server.protocol.Frames;
import dev.presence.server.protocol.Json;

import java.util.List;

import static io.netty.handler.codec.http.HttpMethod.DELETE;
import static io.netty.handler.codec.http.HttpMethod.GET;
import static io.netty.handler.codec.http.HttpMethod.PATCH;
import static io.netty.handler.codec.http.HttpMethod.POST;

/** The HTTP API of PROTOCOL.md, mapped onto the {@link ChatService}. */
final class ApiRoutes {

    private ApiRoutes() {
    }

    static List<Route> of(ChatService chat) {
        return List.of(
                // signup and login wait for the password pool, not on a worker: their answers come later
                Route.of(POST, "/api/users", r -> ApiResponse.later(
                        chat.signUp(r.text("username"), r.text("password"), r.text("display_name"))
                                .thenApply(user -> ApiResponse.created(Frames.user(user))))),
                Route.of(POST, "/api/sessions", r -> ApiResponse.later(
                        chat.logIn(r.text("username"), r.text("password"), r.clientAddress()).thenApply(login -> {
                            ObjectNode body = Json.object().put("token", login.token());
                            body.set("user", Frames.user(login.user()));
                            return ApiResponse.created(body);
                        }))),
                Route.of(DELETE, "/api/sessions/current", r -> {
                    chat.logOut(r.identity());
                    return ApiResponse.noContent();
                }),
                Route.of(DELETE, "/api/sessions", r -> {
                    chat.logOutEverywhere(r.identity());
                    return ApiResponse.noContent();
                }),
                Route.of(GET, "/api/me", r -> ApiResponse.ok(Frames.user(chat.me(r.userId())))),
                Route.of(PATCH, "/api/me", r -> {
                    String userId = r.userId();
                    return ApiResponse.ok(Frames.user(chat.updateDisplayName(userId, r.text("display_name"))));
                }),
                Route.of(GET, "/api/threads", r -> {
                    ArrayNode list = Json.MAPPER.createArrayNode();
                    chat.threads(r.userId()).forEach(view -> list.add(thread(view)));
                    return ApiResponse.ok(list);
                }),
                Route.of(POST, "/api/threads", r -> {
                    String userId = r.userId();
                    return ApiResponse.created(thread(chat.createThread(userId, r.text("title"))));
                }),
                Route.of(GET, "/api/threads/{id}", r -> ApiResponse.ok(thread(chat.thread(r.userId(), r.path("id"))))),
                Route.of(POST, "/api/threads/{id}/invitations", r -> {
                    String userId = r.userId();
                    Invitation invitation = chat.invite(userId, r.path("id"), r.text("username"));
                    return ApiResponse.created(Frames.invitation(invitation));
                }),
                Route.of(GET, "/api/invitations", r -> {
                    ArrayNode list = Json.MAPPER.createArrayNode();
                    chat.invitations(r.userId()).forEach(i -> list.add(Frames.invitation(i)));
                    return ApiResponse.ok(list);
                }),
                Route.of(POST, "/api/invitations/{id}/accept",
                        r -> ApiResponse.ok(thread(chat.accept(r.userId(), r.path("id"))))),
                Route.of(POST, "/api/invitations/{id}/decline", r -> {
                    chat.decline(r.userId(), r.path("id"));
                    return ApiResponse.noContent();
                }),
                Route.of(DELETE, "/api/threads/{id}/members/me", r -> {
                    chat.leave(r.userId(), r.path("id"));
                    return ApiResponse.noContent();
                }),
                Route.of(GET, "/api/threads/{id}/messages", r -> {
                    String userId = r.userId();
                    List<Message> messages = chat.messages(userId, r.path("id"), r.queryInt("limit", 50),
                            emptyToNull(r.query("before")));
                    ArrayNode list = Json.MAPPER.createArrayNode();
                    messages.forEach(m -> list.add(Frames.message(m)));
                    return ApiResponse.ok(list);
                }),
                Route.of(POST, "/api/threads/{id}/messages", r -> {
                    String userId = r.userId();
                    return ApiResponse.created(Frames.message(chat.send(userId, r.path("id"), r.text("text"))));
                }),
                Route.of(GET, "/api/presence", r -> {
                    ArrayNode list = Json.MAPPER.createArrayNode();
                    for (UserStatus status : chat.presence(r.userId(), r.queryAll("user_id"))) {
                        list.add(Frames.status(status));
                    }
                    return ApiResponse.ok(list);
                }));
    }

    private static ObjectNode thread(ThreadView view) {
        ObjectNode node = Json.object().put("id", view.thread().id()).put("title", view.thread().title());
        ArrayNode users = node.putArray("users");
        for (Member member : view.members()) {
            users.add(Frames.member(member.user(), member.status()));
        }
        return node;
    }

    private static String emptyToNull(String value) {
        return value == null || value.isEmpty() ? null : value;
    }
}
