package dev.captioner.serve;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.Locale;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * Who may use the server. A server bound to loopback answers only requests addressed to a
 * loopback name ({@code Host: localhost}, {@code 127.0.0.1}, {@code [::1]} or the name it was
 * bound to), so a web page elsewhere cannot reach it through DNS rebinding; and with an API key,
 * every route needs {@code Authorization: Bearer KEY} (compared in constant time) unless the
 * route table marks it open. The decision is made on the route the request matched, whatever
 * spelling of its path reached it: deny by default.
 */
final class AccessGuard {

    private final Set<String> hosts;
    private final byte[] key;

    /**
     * @param config the server's settings
     */
    AccessGuard(ServeSpec config) {
        this.hosts = config.network().loopback()
                ? Stream.of("localhost", "127.0.0.1", "[::1]", "::1", config.network().host().toLowerCase(Locale.ROOT))
                        .collect(Collectors.toUnmodifiableSet())
                : null;
        String k = config.access().apiKey();
        this.key = k == null ? null : k.getBytes(StandardCharsets.UTF_8);
    }

    /** The role of the routes that need no key: health, readiness, the page and its files. */
    enum Open implements io.javalin.security.RouteRole {
        /** Open without a key. */
        OPEN
    }

    /**
     * @param roles the matched route's roles
     * @param authorization the request's {@code Authorization} header, or null
     * @return whether the request may go on: an open route, a server without a key, or the key
     */
    boolean allows(java.util.Set<io.javalin.security.RouteRole> roles, String authorization) {
        return roles.contains(Open.OPEN) || authorized(authorization);
    }

    /**
     * @param hostHeader the request's {@code Host} header, or null
     * @return whether a request with it may be answered
     */
    boolean hostAllowed(String hostHeader) {
        if (hosts == null || hostHeader == null || hostHeader.isBlank()) {
            return true;
        }
        String h = hostHeader.strip().toLowerCase(Locale.ROOT);
        if (h.startsWith("[")) {
            // [v6]:port
            int end = h.indexOf(']');
            h = end > 0 ? h.substring(0, end + 1) : h;
        } else if (h.indexOf(':') >= 0 && h.indexOf(':') == h.lastIndexOf(':')) {
            // name:port (a bare IPv6 address has several colons and no port)
            h = h.substring(0, h.indexOf(':'));
        }
        return hosts.contains(h);
    }

    /** @return whether the server has an API key */
    boolean keyed() {
        return key != null;
    }

    /**
     * @param authorization the request's {@code Authorization} header, or null
     * @return whether it carries the key (always true without a key)
     */
    boolean authorized(String authorization) {
        if (key == null) {
            return true;
        }
        if (authorization == null || !authorization.regionMatches(true, 0, "Bearer ", 0, 7)) {
            return false;
        }
        byte[] given = authorization.substring(7).strip().getBytes(StandardCharsets.UTF_8);
        return MessageDigest.isEqual(given, key);
    }
}
