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
 * the routes that do work or tell about it need {@code Authorization: Bearer KEY}, compared in
 * constant time.
 */
final class AccessGuard {

    private final Set<String> hosts;
    private final byte[] key;

    /**
     * @param config the server's settings
     */
    AccessGuard(ServeConfig config) {
        this.hosts = config.loopback()
                ? Stream.of("localhost", "127.0.0.1", "[::1]", "::1", config.host().toLowerCase(Locale.ROOT))
                        .collect(Collectors.toUnmodifiableSet())
                : null;
        this.key = config.apiKey() == null ? null : config.apiKey().getBytes(StandardCharsets.UTF_8);
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
