package dev.captioner.serve;

import dev.captioner.decode.Caption;
import dev.captioner.decode.WordAttention;
import io.javalin.http.Context;
import io.javalin.http.HttpResponseException;
import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * {@code POST /api/caption}: checks from the headers (stopping, model, beam, type, length), then
 * admission, the body read without a thread, decoding on the pool, captioning (batched or not)
 * and the answer, all within the request's deadline.
 */
final class CaptionRoute implements io.javalin.http.Handler {

    private final ServeSpec config;
    private final ModelLifecycle model;
    private final Admission admission;
    private final UploadReader uploads;
    private final ErrorMapping errors;
    private final ServerMetrics metrics;

    CaptionRoute(ServeSpec config, ModelLifecycle model, Admission admission, UploadReader uploads,
            ErrorMapping errors, ServerMetrics metrics) {
        this.config = config;
        this.model = model;
        this.admission = admission;
        this.uploads = uploads;
        this.errors = errors;
        this.metrics = metrics;
    }

    @Override
    public void handle(Context ctx) {
        long start = System.nanoTime();
        long deadline = start + config.limits().requestTimeout().toNanos();
        if (model.draining()) {
            throw new HttpResponseException(503, "the server is shutting down");
        }
        CaptionService s = model.service();
        int beam = beam(ctx);
        Upload kind = kind(ctx);
        long length = ctx.req().getContentLengthLong();
        if (length > config.limits().maxUploadBytes()) {
            throw new HttpResponseException(413, String.format(Locale.ROOT, "upload larger than the limit of %.1f MB",
                    config.limits().maxUploadBytes() / 1048576.0));
        }
        if (!admission.tryEnter()) {
            ctx.header("Retry-After", "1");
            throw new HttpResponseException(503, "busy: too many requests waiting; try again shortly");
        }
        // Counted as arriving until its prepared image reaches the batcher (or it fails), so a
        // waiting batch knows whether company is coming.
        AtomicBoolean counted = new AtomicBoolean(true);
        Runnable arrived = () -> {
            if (counted.compareAndSet(true, false)) {
                admission.arrived();
            }
        };
        ctx.future(() -> answer(ctx, s, kind, length, beam, start, deadline, arrived));
    }

    private CompletableFuture<Void> answer(Context ctx, CaptionService s, Upload kind, long length, int beam, long start,
            long deadline, Runnable arrived) {
        CompletableFuture<UploadReader.Upload> body;
        try {
            body = uploads.read(ctx.req().getInputStream(), length, deadline);
        } catch (IOException | RuntimeException e) {
            body = CompletableFuture.failedFuture(new UploadReader.UploadFailure(400, "cannot read the upload: "
                    + ErrorMapping.message(e)));
        }
        return body.thenCompose(upload -> {
            // The upload's memory is held until its image is decoded and prepared.
            CompletableFuture<List<Caption>> captions;
            try {
                byte[] image = kind.image(upload.bytes(), ctx.contentType(), config.limits().maxUploadBytes());
                captions = admission.caption(s, model.batcher(), image, beam, arrived, metrics);
            } catch (RuntimeException e) {
                captions = CompletableFuture.failedFuture(e);
            }
            // The upload reader enforces the deadline while the body arrives (408); from then on
            // the caption must be ready by it (504).
            return captions.whenComplete((c, e) -> upload.close())
                    .orTimeout(Math.max(1, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
        }).handle((captions, failure) -> {
            arrived.run();
            if (failure == null) {
                ctx.json(reply(captions, s, start));
            } else {
                errors.failed(ctx, failure);
            }
            return null;
        });
    }

    /** The body's layout, from the exact media type of {@code Content-Type}. */
    private enum Upload {
        MULTIPART, RAW;

        byte[] image(byte[] body, String contentType, long maxBytes) {
            byte[] image = this == RAW ? body : Multipart.image(body, contentType, maxBytes);
            if (image.length == 0) {
                throw new CompletionException(new UploadReader.UploadFailure(400, "empty image"));
            }
            return image;
        }
    }

    private static Upload kind(Context ctx) {
        String header = ctx.header("Content-Type");
        String type = header == null ? "" : header.split(";", 2)[0].strip().toLowerCase(Locale.ROOT);
        if (type.equals("multipart/form-data")) {
            if (!header.toLowerCase(Locale.ROOT).contains("boundary=")) {
                throw new HttpResponseException(400, "multipart/form-data without a boundary");
            }
            return Upload.MULTIPART;
        }
        if (type.startsWith("image/") && type.indexOf('/') == type.lastIndexOf('/') || type.equals("application/octet-stream")) {
            return Upload.RAW;
        }
        throw new HttpResponseException(415, "unsupported content type '" + (type.isEmpty() ? "none" : type) + "': send "
                + "the image as multipart field 'image' or as the body with an image/* type");
    }

    /** @return the requested beam, after checking it */
    private int beam(Context ctx) {
        String b = ctx.queryParam("beam");
        if (b == null) {
            return config.work().beam();
        }
        try {
            int k = Integer.parseInt(b.trim());
            if (k >= 1 && k <= config.work().maxBeam()) {
                return k;
            }
        } catch (NumberFormatException ignored) {
            // answered below
        }
        throw new HttpResponseException(400, "beam must be a whole number from 1 to " + config.work().maxBeam()
                + ", was '" + b + "'");
    }

    private static Map<String, Object> reply(List<Caption> captions, CaptionService s, long startNanos) {
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("caption", captions.get(0).text());
        if (s.attentionGrid() != null) {
            out.put("attention", WordAttention.of(captions.get(0), s.attentionGrid()));
        }
        List<Map<String, Object>> alternatives = new ArrayList<>();
        for (Caption c : captions) {
            Map<String, Object> a = new LinkedHashMap<>();
            a.put("caption", c.text());
            a.put("score", c.score());
            alternatives.add(a);
        }
        out.put("alternatives", alternatives);
        out.put("ms", Math.round((System.nanoTime() - startNanos) / 1e6));
        return out;
    }
}
