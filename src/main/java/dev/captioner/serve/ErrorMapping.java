package dev.captioner.serve;

import dev.captioner.image.DecoderBusyException;
import dev.captioner.image.ImageTooLargeException;
import dev.captioner.util.CaptionerException;
import io.javalin.http.Context;
import io.javalin.http.HttpResponseException;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeoutException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What status each failure deserves, and the one shape every error answer has:
 * {@code {"error", "request_id"}} as JSON. A bad upload is a 4xx naming what is wrong; a busy
 * server is a 503 with {@code Retry-After}; only a bug is a 500, logged with its request id.
 */
final class ErrorMapping {

    private static final Logger LOG = LoggerFactory.getLogger(CaptionServer.class);

    private final double requestTimeoutSeconds;
    private final java.util.function.BooleanSupplier draining;

    /**
     * @param requestTimeoutSeconds the request deadline, for 504 messages
     * @param draining whether the server is stopping, for 503 messages
     */
    ErrorMapping(double requestTimeoutSeconds, java.util.function.BooleanSupplier draining) {
        this.requestTimeoutSeconds = requestTimeoutSeconds;
        this.draining = draining;
    }

    /** Answers a failed caption request with the status its cause deserves. */
    void failed(Context ctx, Throwable failure) {
        Throwable cause = failure;
        while ((cause instanceof CompletionException || cause instanceof ExecutionException) && cause.getCause() != null) {
            cause = cause.getCause();
        }
        if (cause instanceof UploadReader.UploadFailure u) {
            if (u.status() == 408 || u.status() == 413) {
                // The rest of the body is not read: the connection cannot be reused.
                ctx.header("Connection", "close");
            }
            if (u.status() == 503) {
                ctx.header("Retry-After", "1");
            }
            error(ctx, u.status(), message(u));
        } else if (cause instanceof HttpResponseException h) {
            error(ctx, h.getStatus(), h.getMessage());
        } else if (cause instanceof RejectedExecutionException) {
            ctx.header("Retry-After", "1");
            error(ctx, 503, draining.getAsBoolean() ? "the server is shutting down"
                    : "busy: too many requests waiting; try again shortly");
        } else if (cause instanceof DecoderBusyException) {
            ctx.header("Retry-After", "2");
            error(ctx, 503, "busy: " + message(cause));
        } else if (cause instanceof TimeoutException) {
            error(ctx, 504, String.format(Locale.ROOT, "the caption was not ready within the request timeout of %.0f s",
                    requestTimeoutSeconds));
        } else if (cause instanceof ImageTooLargeException) {
            error(ctx, 422, message(cause));
        } else if (cause instanceof CaptionerException) {
            error(ctx, 400, message(cause));
        } else {
            bug(ctx, cause);
        }
    }

    /** Answers 500 for a bug, which the log keeps with the request's id. */
    static void bug(Context ctx, Throwable cause) {
        LOG.error("request {} failed", ctx.<String>attribute(RequestIds.ATTRIBUTE), cause);
        error(ctx, 500, "internal error (request " + ctx.attribute(RequestIds.ATTRIBUTE) + " is in the server's log)");
    }

    /** @return the first line of the failure's message */
    static String message(Throwable e) {
        String m = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
        int nl = m.indexOf('\n');
        return nl < 0 ? m : m.substring(0, nl);
    }

    /** Answers with the error shape. */
    static void error(Context ctx, int status, String message) {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("error", message);
        body.put("request_id", ctx.attribute(RequestIds.ATTRIBUTE));
        ctx.status(status).json(body);
    }
}
