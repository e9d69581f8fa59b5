package dev.captioner.serve;

import com.fasterxml.jackson.databind.ObjectMapper;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.util.Map;
import org.eclipse.jetty.http.HttpStatus;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.handler.ErrorHandler;

/**
 * Errors that Jetty answers itself, before a request reaches the API (a request refused while the
 * server stops, a malformed request line, headers over the limit), in the API's own shape:
 * {@code {"error": "..."}} as JSON, never an HTML page.
 */
final class JsonErrorHandler extends ErrorHandler {

    private static final ObjectMapper JSON = new ObjectMapper();

    @Override
    protected void generateAcceptableResponse(Request baseRequest, HttpServletRequest request,
            HttpServletResponse response, int code, String message) throws IOException {
        baseRequest.setHandled(true);
        String reason = code == HttpStatus.SERVICE_UNAVAILABLE_503 ? "the server is shutting down"
                : message != null && !message.isBlank() ? message : HttpStatus.getMessage(code);
        response.setContentType("application/json;charset=utf-8");
        response.getOutputStream().write(JSON.writeValueAsBytes(Map.of("error", reason)));
    }
}
