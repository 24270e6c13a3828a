package dev.presence.server.http;

import io.netty.handler.codec.http.HttpMethod;

import java.util.HashMap;
import java.util.Map;
import java.util.function.Function;

/** An API route: a method and a path pattern like {@code /api/threads/{id}/messages}. */
record Route(HttpMethod method, String[] segments, Function<ApiRequest, ApiResponse> handler, boolean nonBlocking) {

    static Route of(HttpMethod method, String pattern, Function<ApiRequest, ApiResponse> handler) {
        return new Route(method, split(pattern), handler, false);
    }

    /**
     * A route whose handler never blocks (no store, no lock, no waiting: what it must wait for, it answers
     * {@linkplain ApiResponse#later later}): it is answered on the event loop, with no hand-off to a worker.
     */
    static Route nonBlocking(HttpMethod method, String pattern, Function<ApiRequest, ApiResponse> handler) {
        return new Route(method, split(pattern), handler, true);
    }

    /** The path parameters if {@code path} matches the pattern, else null. */
    Map<String, String> match(String[] path) {
        if (path.length != segments.length) {
            return null;
        }
        Map<String, String> params = new HashMap<>(2);
        for (int i = 0; i < segments.length; i++) {
            String segment = segments[i];
            if (segment.startsWith("{")) {
                params.put(segment.substring(1, segment.length() - 1), path[i]);
            } else if (!segment.equals(path[i])) {
                return null;
            }
        }
        return params;
    }

    static String[] split(String path) {
        String trimmed = path.startsWith("/") ? path.substring(1) : path;
        if (trimmed.endsWith("/")) {
            trimmed = trimmed.substring(0, trimmed.length() - 1);
        }
        return trimmed.split("/", -1);
    }
}
