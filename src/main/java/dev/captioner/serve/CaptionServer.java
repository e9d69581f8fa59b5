package dev.captioner.serve;

import dev.captioner.decode.Caption;
import dev.captioner.util.CaptionerException;
import dev.captioner.util.Torch;
import dev.captioner.vision.ImageLoader;
import dev.captioner.vision.ImageTooLargeException;
import dev.captioner.vision.RgbImage;
import io.javalin.Javalin;
import io.javalin.config.SizeUnit;
import io.javalin.http.Context;
import io.javalin.http.HttpResponseException;
import io.javalin.http.UploadedFile;
import io.javalin.http.staticfiles.Location;
import java.io.IOException;
import java.io.InputStream;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.SynchronousQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The HTTP API and web page. {@code POST /api/caption} takes an image (multipart field
 * {@code image}, or the raw body with an {@code image/*} type) and answers its caption with the
 * beam's alternatives; {@code GET /api/health}; {@code GET /api/model}; the page at {@code /}.
 * Images are decoded and captioned on a bounded pool: when its queue is full the answer is 503.
 * Bad input gets a JSON error with a 4xx status and never a stack trace; no request names a file
 * and uploads are never written to disk. {@link #stopGracefully} lets in-flight requests finish.
 */
public final class CaptionServer implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(CaptionServer.class);

    private final Javalin app;
    private final ThreadPoolExecutor pool;
    private final CaptionService service;
    private final ServeConfig config;
    private final ImageLoader loader;
    private final AtomicInteger inFlight = new AtomicInteger();
    private final CountDownLatch stopped = new CountDownLatch(1);
    private volatile boolean draining;

    private CaptionServer(CaptionService service, ServeConfig config) {
        this.service = service;
        this.config = config;
        this.loader = new ImageLoader(config.maxPixels());
        BlockingQueue<Runnable> queue = config.queue() == 0 ? new SynchronousQueue<>() : new ArrayBlockingQueue<>(config.queue());
        AtomicInteger n = new AtomicInteger();
        this.pool = new ThreadPoolExecutor(config.workers(), config.workers(), 0, TimeUnit.SECONDS, queue, r -> {
            Thread t = new Thread(r, "captioner-serve-" + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        });
        int upload = (int) Math.min(Integer.MAX_VALUE, config.maxUploadBytes());
        this.app = Javalin.create(c -> {
            c.showJavalinBanner = false;
            c.http.maxRequestSize = config.maxUploadBytes();
            c.jetty.multipartConfig.maxFileSize(config.maxUploadBytes(), SizeUnit.BYTES);
            c.jetty.multipartConfig.maxTotalRequestSize(config.maxUploadBytes() + 64 * 1024, SizeUnit.BYTES);
            // Uploads stay in memory: nothing is written to disk.
            c.jetty.multipartConfig.maxInMemoryFileSize(upload, SizeUnit.BYTES);
            c.staticFiles.add(s -> {
                s.hostedPath = "/";
                s.directory = "/web";
                s.location = Location.CLASSPATH;
            });
        });
        app.get("/api/health", ctx -> ctx.json(Map.of("status", draining ? "stopping" : "ok")));
        app.get("/api/model", ctx -> ctx.json(service.describe()));
        app.post("/api/caption", this::caption);
        app.exception(HttpResponseException.class, (e, ctx) -> error(ctx, e.getStatus(), e.getMessage()));
        app.exception(Exception.class, (e, ctx) -> {
            LOG.warn("request failed", e);
            error(ctx, 500, "internal error");
        });
        app.error(404, ctx -> {
            if (ctx.path().startsWith("/api/")) {
                error(ctx, 404, "no such endpoint: " + ctx.method() + " " + ctx.path());
            }
        });
        app.error(405, ctx -> error(ctx, 405, "method not allowed: " + ctx.method() + " " + ctx.path()));
    }

    /**
     * Starts a server.
     *
     * @param service the model
     * @param config address, limits, pool
     * @return the running server
     */
    public static CaptionServer start(CaptionService service, ServeConfig config) {
        Torch.intraOpThreads(Math.max(1, Runtime.getRuntime().availableProcessors() / config.workers()));
        CaptionServer s = new CaptionServer(service, config);
        try {
            s.app.start(config.host(), config.port());
        } catch (RuntimeException e) {
            s.pool.shutdownNow();
            throw new CaptionerException("cannot listen on " + config.host() + ":" + config.port() + ": "
                    + (e.getCause() != null ? e.getCause().getMessage() : e.getMessage()), e);
        }
        return s;
    }

    /** @return the port the server listens on */
    public int port() {
        return app.port();
    }

    private void caption(Context ctx) throws InterruptedException {
        long start = System.nanoTime();
        if (draining) {
            error(ctx, 503, "the server is shutting down");
            return;
        }
        int beam = beam(ctx);
        if (beam < 0) {
            return;
        }
        long length = ctx.req().getContentLengthLong();
        if (length > config.maxUploadBytes()) {
            error(ctx, 413, tooLarge());
            return;
        }
        byte[] bytes = body(ctx);
        if (bytes == null) {
            return;
        }
        if (bytes.length == 0) {
            error(ctx, 400, "empty image");
            return;
        }
        Future<List<Caption>> job;
        inFlight.incrementAndGet();
        try {
            try {
                job = pool.submit(() -> {
                    Torch.noGrad();
                    RgbImage image = loader.decode(bytes, "upload");
                    return service.caption(image, beam);
                });
            } catch (RejectedExecutionException e) {
                ctx.header("Retry-After", "1");
                error(ctx, 503, "busy: too many requests waiting; try again shortly");
                return;
            }
            List<Caption> captions;
            try {
                captions = job.get();
            } catch (ExecutionException e) {
                Throwable cause = e.getCause();
                if (cause instanceof ImageTooLargeException) {
                    error(ctx, 422, message(cause));
                } else if (cause instanceof CaptionerException) {
                    error(ctx, 400, message(cause));
                } else {
                    LOG.warn("captioning failed", cause);
                    error(ctx, 500, "internal error");
                }
                return;
            }
            Map<String, Object> out = new LinkedHashMap<>();
            out.put("caption", captions.get(0).text());
            List<Map<String, Object>> alternatives = new ArrayList<>();
            for (Caption c : captions) {
                Map<String, Object> a = new LinkedHashMap<>();
                a.put("caption", c.text());
                a.put("score", c.score());
                alternatives.add(a);
            }
            out.put("alternatives", alternatives);
            out.put("ms", Math.round((System.nanoTime() - start) / 1e6));
            ctx.json(out);
        } finally {
            inFlight.decrementAndGet();
        }
    }

    /** @return the requested beam, or -1 after answering 400 */
    private int beam(Context ctx) {
        String b = ctx.queryParam("beam");
        if (b == null) {
            return config.beam();
        }
        try {
            int k = Integer.parseInt(b.trim());
            if (k >= 1 && k <= config.maxBeam()) {
                return k;
            }
        } catch (NumberFormatException ignored) {
            // answered below
        }
        error(ctx, 400, "beam must be a whole number from 1 to " + config.maxBeam() + ", was '" + b + "'");
        return -1;
    }

    /** @return the image bytes, or null after answering with an error */
    private byte[] body(Context ctx) {
        String type = ctx.contentType() == null ? "" : ctx.contentType().toLowerCase(Locale.ROOT);
        try {
            if (type.startsWith("multipart/form-data")) {
                UploadedFile file = ctx.uploadedFile("image");
                if (file == null) {
                    error(ctx, 400, "multipart field 'image' is missing");
                    return null;
                }
                if (file.size() > config.maxUploadBytes()) {
                    error(ctx, 413, tooLarge());
                    return null;
                }
                try (InputStream in = file.content()) {
                    return in.readAllBytes();
                }
            }
            if (type.startsWith("image/") || type.equals("application/octet-stream")) {
                return ctx.bodyAsBytes();
            }
        } catch (IOException e) {
            error(ctx, 400, "cannot read the upload: " + e.getMessage());
            return null;
        } catch (IllegalStateException e) {
            // Jetty refuses a multipart part over the limit this way.
            error(ctx, 413, tooLarge());
            return null;
        }
        error(ctx, 415, "unsupported content type '" + (type.isEmpty() ? "none" : type) + "': send the image as "
                + "multipart field 'image' or as the body with an image/* type");
        return null;
    }

    private String tooLarge() {
        return String.format(Locale.ROOT, "upload larger than the limit of %.1f MB", config.maxUploadBytes() / 1048576.0);
    }

    private static String message(Throwable e) {
        String m = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
        int nl = m.indexOf('\n');
        return nl < 0 ? m : m.substring(0, nl);
    }

    private static void error(Context ctx, int status, String message) {
        ctx.status(status).json(Map.of("error", message));
    }

    /**
     * Stops taking new requests (they get 503), waits for in-flight ones to finish, then stops.
     *
     * @param timeout how long to wait for in-flight requests
     */
    public void stopGracefully(Duration timeout) {
        draining = true;
        long deadline = System.nanoTime() + timeout.toNanos();
        try {
            while (inFlight.get() > 0 && System.nanoTime() < deadline) {
                Thread.sleep(20);
            }
            // The last answers are written just after their handlers return: let them flush.
            Thread.sleep(250);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        close();
    }

    /** Waits until the server has stopped. */
    public void awaitStop() throws InterruptedException {
        stopped.await();
    }

    @Override
    public void close() {
        try {
            app.stop();
        } finally {
            pool.shutdownNow();
            stopped.countDown();
        }
    }
}
