package dev.captioner.serve;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.eclipse.jetty.http.HttpStatus;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.server.handler.ErrorHandler;
import org.eclipse.jetty.util.Callback;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Errors that Jetty answers itself, in the API's own shape: {@code {"error": ..., "request_id":
 * ...}} as JSON whatever the client accepts, never an HTML page, with the security headers.
 * Jetty answers from here the errors it finds before any handler runs (a header over the limit,
 * 431; a request line too long, 414; a malformed or ambiguous URI, 400; an unsupported HTTP
 * version, 505), and {@link ForServlets} those of the servlet context.
 */
final class JsonErrorHandler extends ErrorHandler {

    private static final Logger ACCESS = LoggerFactory.getLogger("captioner.access");
    private static final ObjectMapper JSON = new ObjectMapper();
    /** Whatever the client accepts, errors are JSON in UTF-8. */
    private static final String JSON_TYPE = "application/json";
    private static final List<java.nio.charset.Charset> UTF_8 = List.of(StandardCharsets.UTF_8);

    /** Every method gets the error shape and the headers, OPTIONS and unknown ones too. */
    @Override
    public boolean errorPageForMethod(String method) {
        return true;
    }

    @Override
    protected void generateResponse(Request request, Response response, int code, String message, Throwable cause,
            Callback callback) throws IOException {
        prepare(request, response, code, message);
        generateAcceptableResponse(request, response, callback, JSON_TYPE, UTF_8, code, message, cause);
    }

    @Override
    protected void writeErrorJson(Request request, PrintWriter writer, int code, String message, Throwable cause) {
        writeJson(request, writer, code, message);
    }

    /** The servlet context's errors, in the same shape. */
    static final class ForServlets extends org.eclipse.jetty.ee10.servlet.ErrorHandler {
        ForServlets() {
            setShowStacks(false);
            setShowOrigin(false);
        }

        @Override
        public boolean errorPageForMethod(String method) {
            return true;
        }

        @Override
        protected void generateResponse(Request request, Response response, int code, String message, Throwable cause,
                Callback callback) throws IOException {
            prepare(request, response, code, message);
            generateAcceptableResponse(request, response, callback, JSON_TYPE, UTF_8, code, message, cause);
        }

        @Override
        protected void writeErrorJson(Request request, PrintWriter writer, int code, String message, Throwable cause) {
            writeJson(request, writer, code, message);
        }
    }

    private static String requestId(Request request) {
        Object id = request.getAttribute(RequestIds.ATTRIBUTE);
        if (id == null) {
            id = RequestIds.of(request.getHeaders().get(RequestIds.HEADER));
            request.setAttribute(RequestIds.ATTRIBUTE, id);
        }
        return id.toString();
    }

    private static void prepare(Request request, Response response, int code, String message) {
        String id = requestId(request);
        response.getHeaders().put(RequestIds.HEADER, id);
        SecurityHeaders.apply((name, value) -> response.getHeaders().put(name, value));
        if (request.getAttribute(CaptionServer.STARTED) == null) {
            // Refused before any handler ran: the access log has not seen it.
            ACCESS.info("- {} {} - - {} ({})", request.getMethod(), code, id, reason(code, message));
        }
    }

    private static String reason(int code, String message) {
        return code == HttpStatus.SERVICE_UNAVAILABLE_503 ? "the server is shutting down"
                : message != null && !message.isBlank() ? message : HttpStatus.getMessage(code);
    }

    private static void writeJson(Request request, PrintWriter writer, int code, String message) {
        writer.write(new String(body(reason(code, message), requestId(request)), StandardCharsets.UTF_8));
    }

    static byte[] body(String message, String requestId) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("error", message);
        m.put("request_id", requestId);
        try {
            return JSON.writeValueAsBytes(m);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
