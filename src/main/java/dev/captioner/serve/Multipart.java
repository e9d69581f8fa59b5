package dev.captioner.serve;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.eclipse.jetty.http.MultiPart;
import org.eclipse.jetty.http.MultiPartFormData;
import org.eclipse.jetty.io.Content;

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
        String boundary = MultiPart.extractBoundary(contentType);
        if (boundary == null || boundary.isEmpty()) {
            throw failure("multipart/form-data without a boundary");
        }
        MultiPartFormData.Parser parser = new MultiPartFormData.Parser(boundary);
        // Everything stays in memory: the threshold for writing parts to disk is above the limit.
        parser.setMaxMemoryFileSize(maxBytes + 1);
        parser.setMaxFileSize(maxBytes);
        parser.setMaxLength(maxBytes);
        parser.setMaxParts(16);
        try (MultiPartFormData.Parts parts = parser.parse(Content.Source.from(ByteBuffer.wrap(body)))
                .get(10, TimeUnit.SECONDS)) {
            MultiPart.Part part = parts.getFirst("image");
            if (part == null) {
                throw failure("multipart field 'image' is missing");
            }
            ByteBuffer content = Content.Source.asByteBuffer(part.getContentSource());
            byte[] image = new byte[content.remaining()];
            content.get(image);
            return image;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw failure("interrupted while reading the multipart body");
        } catch (IOException | ExecutionException | TimeoutException | RuntimeException e) {
            if (e instanceof CompletionException ce) {
                throw ce;
            }
            Throwable cause = e instanceof ExecutionException && e.getCause() != null ? e.getCause() : e;
            throw failure("malformed multipart body: " + (cause.getMessage() == null ? cause.getClass().getSimpleName()
                    : cause.getMessage()));
        }
    }

    private static CompletionException failure(String message) {
        return new CompletionException(new UploadReader.UploadFailure(400, message));
    }
}
