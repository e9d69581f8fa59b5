package dev.captioner.serve;

import com.fasterxml.jackson.databind.ObjectMapper;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.util.LinkedHashMap;
import java.util.Map;
import org.eclipse.jetty.http.HttpFields;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.http.HttpStatus;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.handler.ErrorHandler;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Errors that Jetty answers itself, in the API's own shape: {@code {"error": ..., "request_id":
 * ...}} as JSON, never an HTML page. Two paths reach here: errors of a parsed request (refused
 * while the server stops, say), and errors found while parsing one — a header over the limit
 * (431), a request line too long (414), an ambiguous or malformed URI (400), an unsupported HTTP
 * version (505), a bad Content-Length — which Jetty answers from
 * {@link #badMessageError} before any handler runs.
 */
final class JsonErrorHandler extends ErrorHandler {

    private static final Logger ACCESS = LoggerFactory.getLogger("captioner.access");
    private static final ObjectMapper JSON = new ObjectMapper();

    @Override
    protected void generateAcceptableResponse(Request baseRequest, HttpServletRequest request,
            HttpServletResponse response, int code, String message) throws IOException {
        baseRequest.setHandled(true);
        String reason = code == HttpStatus.SERVICE_UNAVAILABLE_503 ? "the server is shutting down"
                : message != null && !message.isBlank() ? message : HttpStatus.getMessage(code);
        Object id = request.getAttribute(RequestIds.ATTRIBUTE);
        String requestId = id != null ? id.toString() : RequestIds.of(request.getHeader(RequestIds.HEADER));
        response.setHeader(RequestIds.HEADER, requestId);
        response.setContentType("application/json;charset=utf-8");
        response.getOutputStream().write(body(reason, requestId));
    }

    @Override
    public ByteBuffer badMessageError(int status, String reason, HttpFields.Mutable fields) {
        String requestId = RequestIds.of(null);
        String message = reason == null || reason.isBlank() ? HttpStatus.getMessage(status) : reason;
        ACCESS.info("- - {} - - {} ({})", status, requestId, message);
        fields.put(HttpHeader.CONTENT_TYPE, "application/json;charset=utf-8");
        fields.put(RequestIds.HEADER, requestId);
        return HttpStatus.hasNoBody(status) ? ByteBuffer.allocate(0) : ByteBuffer.wrap(body(message, requestId));
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
