package dev.presence.server.http;

import dev.presence.server.chat.ChatService;
import dev.presence.server.domain.Invitation;
import dev.presence.server.domain.Message;
import dev.presence.server.protocol.ProtocolObjects;

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
                                .thenApply(user -> ApiResponse.created(ProtocolObjects.user(user))))),
                Route.of(POST, "/api/sessions", r -> ApiResponse.later(
                        chat.logIn(r.text("username"), r.text("password"), r.clientAddress()).thenApply(login ->
                                ApiResponse.created(ApiBodies.login(login.token(), login.user()))))),
                Route.of(DELETE, "/api/sessions/current", r -> {
                    chat.logOut(r.identity());
                    return ApiResponse.noContent();
                }),
                Route.of(DELETE, "/api/sessions", r -> {
                    chat.logOutEverywhere(r.identity());
                    return ApiResponse.noContent();
                }),
                Route.of(GET, "/api/me", r -> ApiResponse.ok(ProtocolObjects.user(chat.me(r.userId())))),
                Route.of(PATCH, "/api/me", r -> {
                    String userId = r.userId();
                    return ApiResponse.ok(ProtocolObjects.user(chat.updateDisplayName(userId, r.text("display_name"))));
                }),
                Route.of(GET, "/api/threads", r -> ApiResponse.ok(
                        ApiBodies.list(chat.threads(r.userId()), ApiBodies::thread))),
                Route.of(POST, "/api/threads", r -> {
                    String userId = r.userId();
                    return ApiResponse.created(ApiBodies.thread(chat.createThread(userId, r.text("title"))));
                }),
                Route.of(GET, "/api/threads/{id}", r -> ApiResponse.ok(ApiBodies.thread(chat.thread(r.userId(), r.path("id"))))),
                Route.of(POST, "/api/threads/{id}/invitations", r -> {
                    String userId = r.userId();
                    Invitation invitation = chat.invite(userId, r.path("id"), r.text("username"));
                    return ApiResponse.created(ProtocolObjects.invitation(invitation));
                }),
                Route.of(GET, "/api/invitations", r -> ApiResponse.ok(
                        ApiBodies.list(chat.invitations(r.userId()), ProtocolObjects::invitation))),
                Route.of(POST, "/api/invitations/{id}/accept",
                        r -> ApiResponse.ok(ApiBodies.thread(chat.accept(r.userId(), r.path("id"))))),
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
                    return ApiResponse.ok(ApiBodies.list(messages, ProtocolObjects::message));
                }),
                Route.of(POST, "/api/threads/{id}/messages", r -> {
                    String userId = r.userId();
                    return ApiResponse.created(ProtocolObjects.message(chat.send(userId, r.path("id"), r.text("text"))));
                }),
                Route.of(GET, "/api/presence", r -> ApiResponse.ok(
                        ApiBodies.list(chat.presence(r.userId(), r.queryAll("user_id")), ProtocolObjects::status))));
    }

    private static String emptyToNull(String value) {
        return value == null || value.isEmpty() ? null : value;
    }
}
