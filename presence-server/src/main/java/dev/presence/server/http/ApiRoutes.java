package dev.presence.server.http;

import dev.presence.server.chat.Accounts;
import dev.presence.server.chat.Messages;
import dev.presence.server.chat.Statuses;
import dev.presence.server.chat.Threads;
import dev.presence.server.domain.Identity;
import dev.presence.server.domain.Invitation;
import dev.presence.server.domain.Message;
import dev.presence.server.protocol.ProtocolObjects;

import java.util.List;
import java.util.Optional;

import static io.netty.handler.codec.http.HttpMethod.DELETE;
import static io.netty.handler.codec.http.HttpMethod.GET;
import static io.netty.handler.codec.http.HttpMethod.PATCH;
import static io.netty.handler.codec.http.HttpMethod.POST;

/** The HTTP API of PROTOCOL.md, mapped onto the chat services; and who a bearer token names. */
public final class ApiRoutes {

    private final Accounts accounts;
    private final List<Route> routes;

    public ApiRoutes(Accounts accounts, Threads threads, Messages messages, Statuses statuses) {
        this.accounts = accounts;
        this.routes = List.copyOf(of(accounts, threads, messages, statuses));
    }

    List<Route> routes() {
        return routes;
    }

    /** Blocking (the store may be asked): on a worker. */
    Optional<Identity> identify(String token) {
        return accounts.identify(token);
    }

    private static List<Route> of(Accounts accounts, Threads threads, Messages messages, Statuses statuses) {
        return List.of(
                // signup and login wait for the password pool, not on a worker: their answers come later
                Route.of(POST, "/api/users", r -> ApiResponse.later(
                        accounts.signUp(r.text("username"), r.text("password"), r.text("display_name"))
                                .thenApply(user -> ApiResponse.created(ProtocolObjects.user(user))))),
                Route.of(POST, "/api/sessions", r -> ApiResponse.later(
                        accounts.logIn(r.text("username"), r.text("password"), r.clientAddress())
                                .thenApply(login -> ApiResponse.created(ApiBodies.login(login.token(),
                                        login.user()))))),
                Route.of(DELETE, "/api/sessions/current", r -> {
                    accounts.logOut(r.identity());
                    return ApiResponse.noContent();
                }),
                Route.of(DELETE, "/api/sessions", r -> {
                    accounts.logOutEverywhere(r.identity());
                    return ApiResponse.noContent();
                }),
                Route.of(GET, "/api/me", r -> ApiResponse.ok(ProtocolObjects.user(accounts.me(r.userId())))),
                Route.of(PATCH, "/api/me", r -> {
                    String userId = r.userId();
                    return ApiResponse.ok(ProtocolObjects.user(
                            accounts.updateDisplayName(userId, r.text("display_name"))));
                }),
                Route.of(GET, "/api/threads", r -> ApiResponse.ok(
                        ApiBodies.list(threads.threads(r.userId()), ApiBodies::thread))),
                Route.of(POST, "/api/threads", r -> {
                    String userId = r.userId();
                    return ApiResponse.created(ApiBodies.thread(threads.createThread(userId, r.text("title"))));
                }),
                Route.of(GET, "/api/threads/{id}",
                        r -> ApiResponse.ok(ApiBodies.thread(threads.thread(r.userId(), r.path("id"))))),
                Route.of(POST, "/api/threads/{id}/invitations", r -> {
                    String userId = r.userId();
                    Invitation invitation = threads.invite(userId, r.path("id"), r.text("username"));
                    return ApiResponse.created(ProtocolObjects.invitation(invitation));
                }),
                Route.of(GET, "/api/invitations", r -> ApiResponse.ok(
                        ApiBodies.list(threads.invitations(r.userId()), ProtocolObjects::invitation))),
                Route.of(POST, "/api/invitations/{id}/accept",
                        r -> ApiResponse.ok(ApiBodies.thread(threads.accept(r.userId(), r.path("id"))))),
                Route.of(POST, "/api/invitations/{id}/decline", r -> {
                    threads.decline(r.userId(), r.path("id"));
                    return ApiResponse.noContent();
                }),
                Route.of(DELETE, "/api/threads/{id}/members/me", r -> {
                    threads.leave(r.userId(), r.path("id"));
                    return ApiResponse.noContent();
                }),
                Route.of(GET, "/api/threads/{id}/messages", r -> {
                    String userId = r.userId();
                    List<Message> page = messages.messages(userId, r.path("id"), r.queryInt("limit", 50),
                            emptyToNull(r.query("before")));
                    return ApiResponse.ok(ApiBodies.list(page, ProtocolObjects::message));
                }),
                Route.of(POST, "/api/threads/{id}/messages", r -> {
                    String userId = r.userId();
                    Message sent = messages.send(userId, r.path("id"), r.text("text"));
                    return ApiResponse.created(ProtocolObjects.message(sent));
                }),
                Route.of(GET, "/api/presence", r -> ApiResponse.ok(ApiBodies.list(
                        statuses.visibleTo(r.userId(), r.queryAll("user_id")), ProtocolObjects::status))));
    }

    private static String emptyToNull(String value) {
        return value == null || value.isEmpty() ? null : value;
    }
}
