package dev.captioner.serve;

import dev.captioner.decode.Caption;
import dev.captioner.decode.WordAttention;
import dev.captioner.util.CaptionerException;
import dev.captioner.util.EngineThreads;
import dev.captioner.util.Torch;
import dev.captioner.vision.DecoderBusyException;
import dev.captioner.vision.GridShape;
import dev.captioner.vision.ImageLoader;
import dev.captioner.vision.ImageTooLargeException;
import dev.captioner.vision.PixelBudget;
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
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.SynchronousQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.handler.StatisticsHandler;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The HTTP API and web page. {@code POST /api/caption} takes an image (multipart field
 * {@code image}, or the raw body with an {@code image/*} type) and answers its caption with the
 * beam's alternatives (and, for an attention model, {@code attention}: per word of the best
 * caption {@code {word, weights, height, width}}); {@code GET /api/health}; {@code GET /api/model}; the page at {@code /}.
 * Images are decoded and captioned on a bounded pool: when its queue is full the answer is 503.
 * Hostile input costs little: bodies are read only up to the upload limit (chunked ones too),
 * images over the pixel limit are refused from their header, and a {@link PixelBudget} derived
 * from the heap bounds the pixels decoded at once (over it: 503 with {@code Retry-After}). Bad
 * input gets a JSON error with a 4xx status and never a stack trace; no request names a file and
 * uploads are never written to disk. {@link #stopGracefully} stops accepting, lets every request
 * in flight finish and be answered, and waits for the pool before returning.
 */
public final class CaptionServer implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(CaptionServer.class);
    /** How long a decode waits for room in the pixel budget before the answer is 503. */
    private static final Duration BUDGET_WAIT = Duration.ofSeconds(2);

    private final Javalin app;
    private final ThreadPoolExecutor pool;
    private final CaptionService service;
    private final ServeConfig config;
    private final ImageLoader loader;
    /** Caption requests read or being decoded, not yet handed to the batcher. */
    private final AtomicInteger arriving = new AtomicInteger();
    /** Batches concurrent requests, or null when batching is off or the service cannot batch. */
    private final MicroBatcher batcher;
    private final CountDownLatch stopped = new CountDownLatch(1);
    private volatile Server jetty;
    private volatile boolean draining;

    private CaptionServer(CaptionService service, ServeConfig config, PixelBudget budget) {
        this.service = service;
        this.config = config;
        this.loader = new ImageLoader(config.maxPixels(), config.maxUploadBytes(), budget);
        BlockingQueue<Runnable> queue = config.queue() == 0 ? new SynchronousQueue<>() : new ArrayBlockingQueue<>(config.queue());
        AtomicInteger n = new AtomicInteger();
        this.pool = new ThreadPoolExecutor(config.workers(), config.workers(), 0, TimeUnit.SECONDS, queue, r -> {
            Thread t = new Thread(r, "captioner-serve-" + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        });
        // With batching, the pool only decodes and prepares; one runner feeds the network batches
        // on all the PyTorch threads.
        this.batcher = config.maxBatch() > 1 && service instanceof BatchCaptionService batching
                ? new MicroBatcher(batching, arriving::get, config.maxBatch(), Duration.ofMillis(config.batchWaitMs()), 1,
                        config.queue() + config.workers() * config.maxBatch() + 1)
                : null;
        int upload = (int) Math.min(Integer.MAX_VALUE, config.maxUploadBytes());
        this.app = Javalin.create(c -> {
            c.showJavalinBanner = false;
            c.http.maxRequestSize = config.maxUploadBytes();
            c.jetty.multipartConfig.maxFileSize(config.maxUploadBytes(), SizeUnit.BYTES);
            c.jetty.multipartConfig.maxTotalRequestSize(config.maxUploadBytes() + 64 * 1024, SizeUnit.BYTES);
            // Uploads stay in memory: nothing is written to disk.
            c.jetty.multipartConfig.maxInMemoryFileSize(upload, SizeUnit.BYTES);
            // Jetty's graceful stop: connectors stop accepting, and the statistics handler (which
            // counts a request from the moment it is dispatched until its answer is written)
            // lets those in flight finish. Javalin nests its handlers inside this one.
            // Dispatch on the headers, not on the first body bytes: a slow upload is then a request
            // in flight that a graceful stop waits for and answers, not an idle connection it drops.
            c.jetty.modifyHttpConfiguration(http -> http.setDelayDispatchUntilContent(false));
            c.jetty.modifyServer(server -> {
                server.setHandler(new StatisticsHandler());
                server.setErrorHandler(new JsonErrorHandler());
                jetty = server;
            });
            c.staticFiles.add(st -> {
                st.hostedPath = "/";
                st.directory = "/web";
                st.location = Location.CLASSPATH;
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
        return start(service, config, PixelBudget.ofHeap(0.5, BUDGET_WAIT));
    }

    /** Starts a server with a given decoding budget (tests use a small one). */
    static CaptionServer start(CaptionService service, ServeConfig config, PixelBudget budget) {
        // Batched, one runner uses every core; unbatched, the workers share them.
        EngineThreads.share(config.maxBatch() > 1 ? 1 : config.workers());
        if (config.maxPixels() > budget.capacity()) {
            LOG.warn("images over {} megapixels cannot be decoded with this heap (-Xmx); they will be refused",
                    String.format(Locale.ROOT, "%.1f", budget.capacity() / 1e6));
        }
        CaptionServer s = new CaptionServer(service, config, budget);
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

    /** {@code POST /api/caption}: check the request, read the upload, caption it on the pool, answer. */
    private void caption(Context ctx) throws InterruptedException {
        long start = System.nanoTime();
        if (draining) {
            error(ctx, 503, "the server is shutting down");
            return;
        }
        // Counted as arriving until its prepared image reaches the batcher (or it fails), so a
        // waiting batch knows whether company is coming.
        AtomicBoolean counted = new AtomicBoolean(true);
        arriving.incrementAndGet();
        Runnable arrived = () -> {
            if (counted.compareAndSet(true, false)) {
                arriving.decrementAndGet();
            }
        };
        try {
            caption(ctx, start, arrived);
        } finally {
            arrived.run();
        }
    }

    private void caption(Context ctx, long start, Runnable arrived) throws InterruptedException {
        int beam = beam(ctx);
        if (beam < 0) {
            return;
        }
        byte[] bytes = upload(ctx);
        if (bytes == null) {
            return;
        }
        List<Caption> captions = captionOnPool(ctx, bytes, beam, arrived);
        if (captions != null) {
            ctx.json(answer(captions, service.attentionGrid(), start));
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
    private byte[] upload(Context ctx) {
        if (ctx.req().getContentLengthLong() > config.maxUploadBytes()) {
            error(ctx, 413, tooLarge());
            return null;
        }
        String type = ctx.contentType() == null ? "" : ctx.contentType().toLowerCase(Locale.ROOT);
        byte[] bytes;
        try {
            if (type.startsWith("multipart/form-data")) {
                bytes = multipartImage(ctx);
            } else if (type.startsWith("image/") || type.equals("application/octet-stream")) {
                bytes = bounded(ctx.req().getInputStream());
            } else {
                error(ctx, 415, "unsupported content type '" + (type.isEmpty() ? "none" : type) + "': send the image "
                        + "as multipart field 'image' or as the body with an image/* type");
                return null;
            }
        } catch (UploadTooLarge | IllegalStateException e) {
            // Jetty refuses a multipart part over the limit with an IllegalStateException.
            error(ctx, 413, tooLarge());
            return null;
        } catch (IOException e) {
            if (e.getCause() instanceof java.util.concurrent.TimeoutException) {
                error(ctx, 408, "the upload stalled and timed out");
            } else {
                error(ctx, 400, "cannot read the upload: " + e.getMessage());
            }
            return null;
        }
        if (bytes == null) {
            error(ctx, 400, "multipart field 'image' is missing");
        } else if (bytes.length == 0) {
            error(ctx, 400, "empty image");
            return null;
        }
        return bytes;
    }

    private byte[] multipartImage(Context ctx) throws IOException {
        UploadedFile file = ctx.uploadedFile("image");
        if (file == null) {
            return null;
        }
        if (file.size() > config.maxUploadBytes()) {
            throw new UploadTooLarge();
        }
        try (InputStream in = file.content()) {
            return bounded(in);
        }
    }

    /** Reads a body without trusting its declared length: at most one byte over the limit. */
    private byte[] bounded(InputStream in) throws IOException {
        byte[] bytes = in.readNBytes((int) Math.min(Integer.MAX_VALUE - 8, config.maxUploadBytes() + 1));
        if (bytes.length > config.maxUploadBytes()) {
            throw new UploadTooLarge();
        }
        return bytes;
    }

    /** An upload over the limit, found while reading it. */
    private static final class UploadTooLarge extends IOException {
        private static final long serialVersionUID = 1L;
    }

    /** @return the captions, or null after answering with an error */
    private List<Caption> captionOnPool(Context ctx, byte[] bytes, int beam, Runnable arrived)
            throws InterruptedException {
        // The pool decodes; without batching it also captions, with batching it hands the small
        // prepared input to the batcher and is free for the next upload at once.
        Future<CompletableFuture<List<Caption>>> job;
        try {
            job = pool.submit(() -> {
                Torch.noGrad();
                RgbImage image = loader.decode(bytes, "upload");
                if (batcher == null) {
                    return CompletableFuture.completedFuture(service.caption(image, beam));
                }
                float[] input = ((BatchCaptionService) service).prepare(image);
                arrived.run();
                return batcher.submit(input, beam);
            });
        } catch (RejectedExecutionException e) {
            ctx.header("Retry-After", "1");
            error(ctx, 503, "busy: too many requests waiting; try again shortly");
            return null;
        }
        try {
            return job.get().get();
        } catch (ExecutionException e) {
            Throwable cause = e.getCause();
            if (cause instanceof RejectedExecutionException) {
                ctx.header("Retry-After", "1");
                error(ctx, 503, "busy: too many requests waiting; try again shortly");
            } else if (cause instanceof DecoderBusyException) {
                ctx.header("Retry-After", "2");
                error(ctx, 503, "busy: " + message(cause));
            } else if (cause instanceof ImageTooLargeException) {
                error(ctx, 422, message(cause));
            } else if (cause instanceof CaptionerException) {
                error(ctx, 400, message(cause));
            } else {
                LOG.warn("captioning failed", cause);
                error(ctx, 500, "internal error");
            }
            return null;
        }
    }

    private static Map<String, Object> answer(List<Caption> captions, GridShape grid, long startNanos) {
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("caption", captions.get(0).text());
        if (grid != null) {
            out.put("attention", WordAttention.of(captions.get(0), grid));
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
     * Stops gracefully: caption requests are refused with 503 from now on, the listening socket
     * closes, requests in flight finish and their answers are written, the pool finishes its
     * work, and only then does this method return, so that the caller may close the model.
     *
     * @param timeout how long to wait for requests in flight
     */
    public void stopGracefully(Duration timeout) {
        draining = true;
        long deadline = System.nanoTime() + timeout.toNanos();
        try {
            if (jetty != null) {
                jetty.setStopTimeout(timeout.toMillis());
            }
            app.stop();
        } finally {
            pool.shutdown();
            try {
                if (!pool.awaitTermination(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS)) {
                    pool.shutdownNow();
                }
            } catch (InterruptedException e) {
                pool.shutdownNow();
                Thread.currentThread().interrupt();
            }
            if (batcher != null) {
                batcher.close();
            }
            stopped.countDown();
        }
    }

    /** Waits until the server has stopped. */
    public void awaitStop() throws InterruptedException {
        stopped.await();
    }

    /** @return mean requests per network call so far, or 0 without batching */
    public double meanBatch() {
        return batcher == null ? 0 : batcher.meanBatch();
    }

    @Override
    public void close() {
        try {
            app.stop();
        } finally {
            pool.shutdownNow();
            if (batcher != null) {
                batcher.close();
            }
            stopped.countDown();
        }
    }
}
