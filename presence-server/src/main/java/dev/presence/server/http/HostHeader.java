package dev.presence.server.http;

import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpVersion;

import java.util.List;

/**
 * RFC 9112 §3.2: a server must answer 400 to an HTTP/1.1 request without a {@code Host} header, and to any
 * request with more than one or with one that is not a host and port. Two hosts in one request are how
 * requests are smuggled past a proxy that reads the other one.
 */
final class HostHeader {

    private HostHeader() {
    }

    /** Why the request's {@code Host} is not acceptable, or null when it is. */
    static String problem(HttpRequest request) {
        List<String> hosts = request.headers().getAll(HttpHeaderNames.HOST);
        if (hosts.size() > 1) {
            return "a request must have exactly one Host header, not " + hosts.size();
        }
        if (hosts.isEmpty()) {
            return HttpVersion.HTTP_1_0.equals(request.protocolVersion()) ? null
                    : "an HTTP/1.1 request must have a Host header";
        }
        return isHostAndPort(hosts.get(0)) ? null : "the Host header is not a host name and port";
    }

    /** {@code uri-host [ ":" port ]}: a name, an IPv4 address or a bracketed IPv6 address. */
    private static boolean isHostAndPort(String value) {
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            boolean allowed = c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9'
                    || "-._~!$&'()*+,;=%:[]".indexOf(c) >= 0;
            if (!allowed) {
                return false;
            }
        }
        return true;
    }
}
