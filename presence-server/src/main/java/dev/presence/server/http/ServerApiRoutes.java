package dev.presence.server.http;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.presence.server.chat.AppEvents;
import dev.presence.server.chat.AppThreads;
import dev.presence.server.chat.AppUsers;
import dev.presence.server.chat.ChatException;
import dev.presence.server.protocol.Json;
import dev.presence.server.protocol.ProtocolObjects;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Executor;

import static io.netty.handler.codec.http.HttpMethod.DELETE;
import static io.netty.handler.codec.http.HttpMethod.GET;
import static io.netty.handler.codec.http.HttpMethod.POST;
import static io.netty.handler.codec.http.HttpMethod.PUT;

/**
 * The server API of PROTOCOL.md ("Presence for an existing chat backend"): the app's backend provisions users
 * and threads, publishes its own events and reads presence, with {@code Authorization: ApiKey <key>}. A user
 * token is never accepted here, and an API key never names a user on the user API.
 */
public final class ServerApiRoutes {

    static final String PREFIX = "/api/server";

    private final ApiKeys keys;
    private final List<Route> routes;

    public ServerApiRoutes(ApiKeys keys, AppUsers users, AppThreads threads, AppEvents events) {
        this.keys = keys;
        this.routes = List.copyOf(of(users, threads, events));
    }

    /** Whether a request path belongs to the server API. */
    static boolean isServerPath(String path) {
        return path.equals(PREFIX) || path.startsWith(PREFIX + "/");
    }

    /** Whether an {@code Authorization} header carries an API key (so it is no user's token). */
    static boolean isApiKey(String authorization) {
        return authorization != null && authorization.regionMatches(true, 0, "ApiKey ", 0, 7);
    }

    List<Route> routes() {
        return routes;
    }

    /**
     * Checks the caller's key. May read the key file again (see {@link ApiKeys}): on a worker.
     *
     * @throws ChatException 401 without a valid {@code ApiKey}, and for a {@code Bearer} token
     */
    void authorize(String authorization) {
        authorize(authorization, null);
    }

    /**
     * The same, on an event loop: a due look at the key file is made on {@code background} instead.
     *
     * @param background null to look at the file on this thread
     */
    void authorize(String authorization, Executor background) {
        if (authorization == null || authorization.isBlank()) {
            throw ChatException.unauthorized("missing 'Authorization: ApiKey <key>' header");
        }
        if (!isApiKey(authorization)) {
            throw ChatException.unauthorized("the server API takes 'Authorization: ApiKey <key>', never a user token");
        }
        String key = authorization.substring(7).strip();
        if (!(background == null ? keys.accepts(key) : keys.accepts(key, background))) {
            throw ChatException.unauthorized("invalid API key");
        }
    }

    private static List<Route> of(AppUsers users, AppThreads threads, AppEvents events) {
        return List.of(
                Route.of(PUT, PREFIX + "/users/{id}", r -> {
                    AppUsers.Put write = users.put(r.path("id"), r.text("username"), r.text("display_name"));
                    ObjectNode user = ProtocolObjects.user(write.user());
                    return write.created() ? ApiResponse.created(user) : ApiResponse.ok(user);
                }),
                Route.of(PUT, PREFIX + "/users", r -> {
                    AppUsers.BulkPut put = users.putAll(bulkUsers(r.field("users")));
                    return ApiResponse.ok(Json.object().put("created", put.created()).put("updated", put.updated()));
                }),
                Route.of(DELETE, PREFIX + "/users/{id}/sessions", r -> {
                    users.revokeSessions(r.path("id"));
                    return ApiResponse.noContent();
                }),
                Route.of(PUT, PREFIX + "/threads/{id}", r -> {
                    AppThreads.Put put = threads.put(r.path("id"), r.text("title"), required(r, "members"));
                    ObjectNode thread = ApiBodies.thread(put.thread());
                    return put.created() ? ApiResponse.created(thread) : ApiResponse.ok(thread);
                }),
                Route.of(POST, PREFIX + "/threads/{id}/members", r -> {
                    List<String> added = threads.addMembers(r.path("id"), required(r, "user_ids"));
                    ObjectNode body = Json.object();
                    added.forEach(body.putArray("added")::add);
                    return ApiResponse.ok(body);
                }),
                Route.of(DELETE, PREFIX + "/threads/{id}/members/{user_id}", r -> {
                    threads.removeMember(r.path("id"), r.path("user_id"));
                    return ApiResponse.noContent();
                }),
                // on the event loop, answered from the hub's thread: no worker takes part (a thread_id's check in
                // the store is handed to one by AppEvents)
                Route.nonBlocking(POST, PREFIX + "/events", r -> ApiResponse.later(events.publish(r.text("thread_id"),
                        r.strings("user_ids"), r.field("event")).thenApply(delivered -> new ApiResponse(202,
                        Json.object().put("delivered", delivered))))),
                Route.of(GET, PREFIX + "/presence", r -> ApiResponse.ok(ApiBodies.list(
                        users.presence(r.queryAll("user_id")), ProtocolObjects::status))),
                // the same for lists too long for a URI (1,000 ids of up to 128 characters): an addition
                Route.of(POST, PREFIX + "/presence", r -> ApiResponse.ok(ApiBodies.list(
                        users.presence(required(r, "user_ids")), ProtocolObjects::status))));
    }

    private static List<String> required(ApiRequest r, String field) {
        List<String> values = r.strings(field);
        if (values == null) {
            throw ChatException.invalid("field '" + field + "' is required: an array of user ids");
        }
        return values;
    }

    private static List<AppUsers.Fields> bulkUsers(JsonNode list) {
        if (list == null || !list.isArray()) {
            throw ChatException.invalid("field 'users' is required: an array of {id, username?, display_name?}");
        }
        if (list.size() > AppUsers.MAX_PER_CALL) {
            throw ChatException.invalid("users may hold at most " + AppUsers.MAX_PER_CALL + " entries (got "
                    + list.size() + ")");
        }
        List<AppUsers.Fields> users = new ArrayList<>(list.size());
        for (JsonNode entry : list) {
            if (!entry.isObject()) {
                throw ChatException.invalid("each entry of 'users' must be an object {id, username?, display_name?}");
            }
            users.add(new AppUsers.Fields(ApiRequest.text("users[]", entry, "id"),
                    ApiRequest.text("users[]", entry, "username"), ApiRequest.text("users[]", entry, "display_name")));
        }
        return users;
    }
}
