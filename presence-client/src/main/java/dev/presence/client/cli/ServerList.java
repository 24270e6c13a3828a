package dev.presence.client.cli;

import picocli.CommandLine;

import java.net.URI;
import java.net.URISyntaxException;
import java.util.ArrayList;
import java.util.List;

/**
 * The value of {@code --server} (and {@code $PRESENCE_SERVER}): one base URL or several separated by commas, the
 * nodes of a cluster. Blanks around and between the commas are ignored.
 */
record ServerList(List<URI> uris) {

    ServerList {
        uris = List.copyOf(uris);
        if (uris.isEmpty()) {
            throw new IllegalArgumentException("no server address given");
        }
    }

    /** Parses {@code http://a:8080,http://b:8080}; refuses anything but http(s) URLs with a host. */
    static ServerList parse(String text) {
        List<URI> uris = new ArrayList<>();
        for (String part : text.split(",")) {
            String trimmed = part.strip();
            if (trimmed.isEmpty()) {
                continue;
            }
            URI uri;
            try {
                uri = new URI(trimmed);
            } catch (URISyntaxException e) {
                throw new IllegalArgumentException("not a URL: '" + trimmed + "'");
            }
            if (uri.getHost() == null || !("http".equals(uri.getScheme()) || "https".equals(uri.getScheme()))) {
                throw new IllegalArgumentException("need http://host:port or https://host:port, not '" + trimmed + "'");
            }
            uris.add(uri);
        }
        if (uris.isEmpty()) {
            throw new IllegalArgumentException("no server address given");
        }
        return new ServerList(uris);
    }

    @Override
    public String toString() {
        return String.join(",", uris.stream().map(URI::toString).toList());
    }

    /** Lets picocli read the option (a bad value is a usage error, reported before any command runs). */
    static final class Converter implements CommandLine.ITypeConverter<ServerList> {
        @Override
        public ServerList convert(String value) {
            try {
                return parse(value);
            } catch (IllegalArgumentException e) {
                throw new CommandLine.TypeConversionException(e.getMessage());
            }
        }
    }
}
