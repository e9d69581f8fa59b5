package dev.captioner.serve;

import java.util.Map;
import java.util.function.BiConsumer;

/**
 * Headers on every answer, the page's and the API's, Jetty's own errors included: the page may
 * load only its own files (and show the photo the user picked, a {@code blob:} URL), may not be
 * framed by another site (the page is where the key is typed), and nothing is sniffed into
 * another type or leaks its address in a referrer.
 */
final class SecurityHeaders {

    /** Header names and values, in the order they are sent. */
    static final Map<String, String> ALL = Map.of(
            "Content-Security-Policy", "default-src 'self'; img-src 'self' blob:; frame-ancestors 'none'; base-uri 'none'; "
                    + "form-action 'self'",
            "X-Content-Type-Options", "nosniff",
            "X-Frame-Options", "DENY",
            "Referrer-Policy", "no-referrer");

    private SecurityHeaders() {
    }

    /** @param set sets one header */
    static void apply(BiConsumer<String, String> set) {
        ALL.forEach(set);
    }
}
