package dev.captioner.serve;

import java.util.UUID;
import java.util.regex.Pattern;

/**
 * Request ids: the client's {@code X-Request-Id} when it is a sane token (so a proxy's id runs
 * through), else a new random one. Every answer carries it, every error body names it, and the
 * access log line and any logged failure show it.
 */
final class RequestIds {

    /** The header that carries the id both ways. */
    static final String HEADER = "X-Request-Id";
    /** The request attribute holding the id. */
    static final String ATTRIBUTE = "captioner.requestId";
    private static final Pattern SANE = Pattern.compile("[A-Za-z0-9._:/+=-]{1,128}");

    private RequestIds() {}

    /**
     * @param given the client's id, or null
     * @return the given id if it is sane, else a new one
     */
    static String of(String given) {
        return given != null && SANE.matcher(given).matches() ? given : UUID.randomUUID().toString();
    }
}
