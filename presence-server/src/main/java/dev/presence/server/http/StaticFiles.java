package dev.presence.server.http;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/** The web page, served from the classpath folder {@code web/}; small files, kept in memory once read. */
final class StaticFiles {

    record StaticFile(String contentType, byte[] bytes) {
    }

    private static final Map<String, String> TYPES = Map.of(
            "html", "text/html; charset=utf-8",
            "js", "text/javascript; charset=utf-8",
            "mjs", "text/javascript; charset=utf-8",
            "css", "text/css; charset=utf-8",
            "svg", "image/svg+xml",
            "png", "image/png",
            "ico", "image/x-icon",
            "json", "application/json; charset=utf-8",
            "webmanifest", "application/manifest+json");

    /** Only files that exist are kept, so requests for made-up paths cannot grow it. */
    private final Map<String, StaticFile> cache = new ConcurrentHashMap<>();
    /** Written into every page as {@code <meta name="presence-servers">}; empty: the page's own origin. */
    private final List<String> pageServers;

    /** @param pageServers WebSocket addresses of the cluster's nodes the page may use; empty for its own origin */
    StaticFiles(List<String> pageServers) {
        this.pageServers = List.copyOf(pageServers);
    }

    /** The file for a request path, if there is one; paths that try to climb out of {@code web/} have none. */
    Optional<StaticFile> find(String requested) {
        String path = requested.equals("/") || requested.isEmpty() ? "/index.html" : requested;
        if (path.contains("..") || path.contains("\\") || path.contains("//")) {
            return Optional.empty();
        }
        StaticFile cached = cache.get(path);
        if (cached != null) {
            return Optional.of(cached);
        }
        Optional<StaticFile> loaded = load(path).map(this::withServers);
        loaded.ifPresent(file -> cache.put(path, file));
        return loaded;
    }

    /** A page learns the nodes it may connect to from a meta tag (the addresses are checked URLs: no markup). */
    private StaticFile withServers(StaticFile file) {
        if (pageServers.isEmpty() || !file.contentType().startsWith("text/html")) {
            return file;
        }
        String html = new String(file.bytes(), StandardCharsets.UTF_8);
        String meta = "<meta charset=\"utf-8\">";
        String tag = "\n  <meta name=\"presence-servers\" content=\"" + String.join(",", pageServers) + "\">";
        return new StaticFile(file.contentType(), html.replace(meta, meta + tag).getBytes(StandardCharsets.UTF_8));
    }

    private static Optional<StaticFile> load(String path) {
        int dot = path.lastIndexOf('.');
        String type = dot < 0 ? null : TYPES.get(path.substring(dot + 1));
        if (type == null) {
            return Optional.empty();
        }
        try (InputStream in = StaticFiles.class.getResourceAsStream("/web" + path)) {
            return in == null ? Optional.empty() : Optional.of(new StaticFile(type, in.readAllBytes()));
        } catch (IOException e) {
            return Optional.empty();
        }
    }
}
