package dev.captioner.serve;

import jakarta.servlet.MultipartConfigElement;
import jakarta.servlet.http.Part;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.util.concurrent.CompletionException;
import org.eclipse.jetty.server.MultiPartFormInputStream;

/**
 * The field {@code image} of a {@code multipart/form-data} body that has been read whole (and
 * bounded) already, parsed with Jetty's parser in memory: nothing is written to disk, and a
 * malformed body is a 400 naming what is wrong with it.
 */
final class Multipart {

    private Multipart() {}

    /**
     * @param body the whole body
     * @param contentType the request's {@code Content-Type}, with its boundary
     * @param maxBytes the upload limit
     * @return the bytes of the field {@code image}
     * @throws CompletionException wrapping an {@link UploadReader.UploadFailure} (400) when the
     *     body is malformed or has no such field
     */
    static byte[] image(byte[] body, String contentType, long maxBytes) {
        // Everything stays in memory: the threshold for writing parts to disk is above the limit.
        MultipartConfigElement config = new MultipartConfigElement("", maxBytes, maxBytes + 1,
                (int) Math.min(Integer.MAX_VALUE, maxBytes + 1));
        MultiPartFormInputStream parts = new MultiPartFormInputStream(new ByteArrayInputStream(body), contentType, config,
                null);
        try {
            Part part = parts.getPart("image");
            if (part == null) {
                throw failure("multipart field 'image' is missing");
            }
            try (InputStream in = part.getInputStream()) {
                return in.readAllBytes();
            }
        } catch (IOException | RuntimeException e) {
            if (e instanceof CompletionException ce) {
                throw ce;
            }
            throw failure("malformed multipart body: " + (e.getMessage() == null ? e.getClass().getSimpleName()
                    : e.getMessage()));
        } finally {
            parts.deleteParts();
        }
    }

    private static CompletionException failure(String message) {
        return new CompletionException(new UploadReader.UploadFailure(400, message));
    }
}
