package dev.presence.server.http;

import dev.presence.server.web.BearerToken;
import dev.presence.server.web.HttpResponses;
import dev.presence.server.chat.ChatException;
import dev.presence.server.metrics.ServerMetrics;
import io.netty.buffer.ByteBufUtil;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.handler.codec.PrematureChannelClosureException;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.QueryStringDecoder;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.RejectedExecutionException;

/**
 * Every HTTP request: the WebSocket upgrade, health and metrics (answered on the event loop, they are cheap),
 * the API (handed to a worker, since it blocks on the store) and the web page.
 */
@ChannelHandler.Sharable
public final class HttpHandler extends SimpleChannelInboundHandler<FullHttpRequest> {

    private static final Logger log = LoggerFactory.getLogger(HttpHandler.class);

    /**
     * Calls that never block: they check their input, take a login attempt and hand the rest to the password
     * pool, so they are dispatched right here on the event loop. A flood of them then never reaches the
     * workers' queue, where token checks and the rest of the API wait their turn.
     */
    private static final Set<String> HANDED_TO_PASSWORD_POOL = Set.of("POST /api/sessions", "POST /api/users");

    /** HTTP handlers in the pipeline that a WebSocket has no use for (the handshake replaces the codec). */
    private static final List<String> HTTP_ONLY_HANDLERS = List.of("timeouts", "keepAlive", "aggregator");

    private final ApiRoutes api;
    /** Null when the server API is off (no {@code --api-key-file}). */
    private final ServerApiRoutes serverApi;
    /** The body limit of the pipeline's {@link BoundedBodyAggregator} (the server API's is larger). */
    private final int maxBodyBytes;
    private final WebSocketUpgrade webSockets;
    private final ServerMetrics metrics;
    private final ExecutorService workers;
    /** False when {@code /metrics} has a port of its own ({@link MetricsEndpoint}): this one answers 404. */
    private final boolean servesMetrics;
    private final StaticFiles staticFiles;
    /** The policy pages are served under: connections to our own origin and to {@code --page-servers}. */
    private final String pagePolicy;
    private final NodeState node;

    /**
     * @param webSockets    where {@code GET /ws} is handed
     * @param servesMetrics false when {@code /metrics} is served on a port of its own
     * @param node          what {@code /health} and {@code /ready} say
     * @param pageServers   WebSocket addresses of the cluster's nodes the page may use besides its own origin
     */
    public HttpHandler(ApiRoutes api, WebSocketUpgrade webSockets, ServerMetrics metrics, ExecutorService workers,
                       boolean servesMetrics, NodeState node, List<String> pageServers) {
        this(api, null, Integer.MAX_VALUE, webSockets, metrics, workers, servesMetrics,
                node, pageServers);
    }

    /**
     * @param serverApi the server API, or null when it is off ({@code /api/server/...} answers 404)
     * @param maxBodyBytes the pipeline's {@link BoundedBodyAggregator} limit: a chunked body is checked here
     */
    public HttpHandler(ApiRoutes api, ServerApiRoutes serverApi, int maxBodyBytes,
                       WebSocketUpgrade webSockets, ServerMetrics metrics, ExecutorService workers,
                       boolean servesMetrics, NodeState node, List<String> pageServers) {
        this.serverApi = serverApi;
        this.maxBodyBytes = maxBodyBytes;
        this.node = node;
        this.staticFiles = new StaticFiles(pageServers);
        this.pagePolicy = HttpResponses.contentSecurityPolicy(pageServers);
        this.api = api;
        this.webSockets = webSockets;
        this.metrics = metrics;
        this.workers = workers;
        this.servesMetrics = servesMetrics;
    }

    @Override
    protected void channelRead0(ChannelHandlerContext ctx, FullHttpRequest request) {
        boolean keepAlive = HttpUtil.isKeepAlive(request);
        if (request.decoderResult().isFailure()) {
            HttpResponses.error(ctx, false, 400, "bad_request", "the request could not be read");
            return;
        }
        String hostProblem = HostHeader.problem(request);
        if (hostProblem != null) {
            HttpResponses.error(ctx, false, 400, "bad_request", hostProblem);
            return;
        }
        if (!StrictUtf8.isWellFormedUri(request.uri())) {
            HttpResponses.error(ctx, keepAlive, 400, "bad_request", "the request URI is not properly encoded");
            return;
        }
        QueryStringDecoder uri = new QueryStringDecoder(request.uri());
        String path;
        try {
            path = uri.path();
            uri.parameters(); // decoded now, so bad escapes are a 400 here and not an error later
        } catch (IllegalArgumentException e) {
            HttpResponses.error(ctx, keepAlive, 400, "bad_request", "the request URI is not properly encoded");
            return;
        }
        if (path.equals("/ws")) {
            webSockets.upgrade(ctx, request, HTTP_ONLY_HANDLERS);
            return;
        }
        if (path.equals("/health")) {
            Map<String, Object> body = new LinkedHashMap<>();
            body.put("status", "ok");
            node.nodeId().ifPresent(id -> body.put("node_id", id));
            HttpResponses.json(ctx, keepAlive, 200, body);
            return;
        }
        if (path.equals("/ready")) {
            ready(ctx, keepAlive);
            return;
        }
        if (path.equals("/metrics") && servesMetrics) {
            HttpResponses.send(ctx, keepAlive, 200, "text/plain; version=0.0.4; charset=utf-8",
                    metrics.scrape().getBytes(java.nio.charset.StandardCharsets.UTF_8));
            return;
        }
        if (path.startsWith("/api/") || path.equals("/api")) {
            api(ctx, request, uri, keepAlive);
            return;
        }
        if (!HttpMethod.GET.equals(request.method()) && !HttpMethod.HEAD.equals(request.method())) {
            HttpResponses.error(ctx, keepAlive, 405, "method_not_allowed", "only GET is served here");
            return;
        }
        staticFiles.find(path).ifPresentOrElse(
                file -> HttpResponses.send(ctx, keepAlive, 200, file.contentType(), file.bytes(), pagePolicy),
                () -> HttpResponses.error(ctx, keepAlive, 404, "not_found", "no such page: " + path));
    }

    /** 200 while this node takes new connections; 503 with the reason while it drains or has lost Redis. */
    private void ready(ChannelHandlerContext ctx, boolean keepAlive) {
        Map<String, Object> body = new LinkedHashMap<>();
        Optional<String> notReady = node.notReadyBecause();
        body.put("status", notReady.isEmpty() ? "ready" : "not_ready");
        notReady.ifPresent(reason -> body.put("reason", reason));
        node.nodeId().ifPresent(id -> body.put("node_id", id));
        HttpResponses.json(ctx, keepAlive, notReady.isEmpty() ? 200 : 503, body);
    }

    private void api(ChannelHandlerContext ctx, FullHttpRequest request, QueryStringDecoder uri, boolean keepAlive) {
        String authorization = request.headers().get(HttpHeaderNames.AUTHORIZATION);
        boolean server = ServerApiRoutes.isServerPath(uri.path());
        if (server && serverApi == null) {
            HttpResponses.error(ctx, keepAlive, 404, "not_found", "the server API is off: start the server with"
                    + " --api-key-file to use it");
            return;
        }
        if (!server && ServerApiRoutes.isApiKey(authorization)) {
            HttpResponses.error(ctx, keepAlive, 401, "unauthorized", "an API key is for /api/server/ only; it never"
                    + " names a user: use 'Authorization: Bearer <token>'");
            return;
        }
        String[] segments = Route.split(uri.path());
        Route matched = null;
        Map<String, String> params = null;
        boolean pathKnown = false;
        for (Route route : server ? serverApi.routes() : api.routes()) {
            Map<String, String> p = route.match(segments);
            if (p != null) {
                pathKnown = true;
                if (route.method().equals(request.method())) {
                    matched = route;
                    params = p;
                    break;
                }
            }
        }
        if (matched == null) {
            if (pathKnown) {
                HttpResponses.error(ctx, keepAlive, 405, "method_not_allowed",
                        request.method() + " is not allowed on " + uri.path());
            } else {
                HttpResponses.error(ctx, keepAlive, 404, "not_found", "no such API call: " + uri.path());
            }
            return;
        }
        if (request.content().isReadable()
                && !JsonMediaType.matches(request.headers().get(HttpHeaderNames.CONTENT_TYPE))) {
            HttpResponses.error(ctx, keepAlive, 415, "unsupported_media_type",
                    "a request body must be sent as Content-Type: application/json");
            return;
        }
        int limit = BoundedBodyAggregator.limitFor(uri.path(), maxBodyBytes);
        if (request.content().readableBytes() > limit) { // a chunked body, collected up to the largest limit
            HttpResponses.error(ctx, keepAlive, 413, "too_large", "the request body is larger than " + limit / 1024
                    + " KiB");
            return;
        }
        ApiRequest apiRequest = new ApiRequest(params, uri.parameters(), ByteBufUtil.getBytes(request.content()),
                server ? null : BearerToken.of(authorization), clientAddress(ctx), api::identify);
        Route route = matched;
        if (HANDED_TO_PASSWORD_POOL.contains(request.method() + " " + uri.path())) {
            handle(ctx, route, apiRequest, keepAlive);
            return;
        }
        if (route.nonBlocking()) {
            try {
                if (server) {
                    serverApi.authorize(authorization, workers);
                }
            } catch (RuntimeException e) {
                fail(ctx, keepAlive, e);
                return;
            }
            handle(ctx, route, apiRequest, keepAlive);
            return;
        }
        try {
            if (server) {
                workers.execute(() -> {
                    try {
                        serverApi.authorize(authorization); // may read the key file again: not on the event loop
                    } catch (RuntimeException e) {
                        fail(ctx, keepAlive, e);
                        return;
                    }
                    handle(ctx, route, apiRequest, keepAlive);
                });
            } else {
                workers.execute(() -> handle(ctx, route, apiRequest, keepAlive));
            }
        } catch (RejectedExecutionException e) {
            fail(ctx, keepAlive, e);
        }
    }

    private void handle(ChannelHandlerContext ctx, Route route, ApiRequest request, boolean keepAlive) {
        try {
            request.checkBody();
            answer(ctx, keepAlive, route.handler().apply(request));
        } catch (RuntimeException e) {
            fail(ctx, keepAlive, e);
        }
    }

    /** Writes the answer, now or (login, signup) when the work it waits for is done. */
    private void answer(ChannelHandlerContext ctx, boolean keepAlive, ApiResponse response) {
        if (response.pending() == null) {
            HttpResponses.json(ctx, keepAlive, response.status(), response.body());
            return;
        }
        response.pending().whenComplete((done, error) -> {
            if (error != null) {
                fail(ctx, keepAlive, error);
            } else {
                answer(ctx, keepAlive, done);
            }
        });
    }

    /**
     * The answer to a failed call: the client's mistake, a limit, an overloaded server or database (the
     * services tell these apart, as {@link ChatException}s), or our bug.
     */
    private void fail(ChannelHandlerContext ctx, boolean keepAlive, Throwable failure) {
        Throwable cause = failure;
        while ((cause instanceof CompletionException || cause instanceof ExecutionException)
                && cause.getCause() != null) {
            cause = cause.getCause();
        }
        if (cause instanceof ChatException e) {
            if (e.status() == 429) {
                metrics.rateLimited();
            }
            if (e.getCause() != null) {
                log.error("API call failed: {}", e.getMessage(), e.getCause());
            }
            HttpResponses.error(ctx, keepAlive, e.status(), e.code(), e.getMessage(), e.retryAfterSeconds());
        } else if (cause instanceof RejectedExecutionException) {
            // the workers' queue is full: shed the call instead of queueing it without bound
            HttpResponses.error(ctx, keepAlive, 503, "busy", "the server is busy; try again shortly", 1);
        } else {
            log.error("API call failed", cause);
            HttpResponses.error(ctx, keepAlive, 500, "internal_error", "something went wrong on the server");
        }
    }

    private static String clientAddress(ChannelHandlerContext ctx) {
        return ctx.channel().remoteAddress() instanceof java.net.InetSocketAddress address
                ? address.getAddress().getHostAddress() : "unknown";
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        // a client gone half-way through a request (or timed out there) is not the server's failure
        if (!(cause instanceof java.io.IOException || cause instanceof PrematureChannelClosureException)) {
            log.warn("HTTP connection failed", cause);
        }
        ctx.close();
    }
}
