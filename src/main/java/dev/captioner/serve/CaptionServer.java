package dev.captioner.serve;

import dev.captioner.decode.Caption;
import dev.captioner.decode.WordAttention;
import dev.captioner.util.CaptionerException;
import dev.captioner.util.EngineThreads;
import dev.captioner.util.Torch;
import dev.captioner.image.DecoderBusyException;
import dev.captioner.image.ImageLoader;
import dev.captioner.image.ImageTooLargeException;
import dev.captioner.image.PixelBudget;
import io.javalin.Javalin;
import io.javalin.http.Context;
import io.javalin.http.HttpResponseException;
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
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.Semaphore;
import java.util.concurrent.SynchronousQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.eclipse.jetty.http.UriCompliance;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.handler.StatisticsHandler;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The HTTP API and web page, built to face the open network behind a proxy.
 * <ul>
 *   <li>{@code POST /api/caption}: an image (multipart field {@code image}, or the raw body with
 *       an {@code image/*} type) → its caption, the beam's alternatives and, for a model with
 *       attention maps, {@code attention} per word.</li>
 *   <li>{@code GET /api/health} (the process answers), {@code GET /api/ready} (the model is
 *       loaded, the server is not stopping and its queue has room), {@code GET /api/model},
 *       {@code GET /metrics} (Prometheus), {@code GET /openapi.json}, and the page at {@code /}.</li>
 * </ul>
 * Every answer carries an {@code X-Request-Id}; every error is JSON {@code {"error",
 * "request_id"}} with a 4xx status (5xx only for a busy or stopping server, a deadline, or a real
 * bug, which is logged with its id), Jetty's own errors included. Hostile clients cost little:
 * at most {@code maxUploads} bodies are read at once (the rest get 503 before their body is
 * read), bodies are read without holding a thread and must keep up a minimum rate, every request
 * has a deadline, images are decoded within a pixel budget and a time limit, and a loopback
 * server answers only loopback host names. {@link #stopGracefully} stops admitting, lets the
 * requests in flight finish within the grace period, and returns once no worker runs, so that
 * the caller may then free the model.
 */
public final class CaptionServer implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(CaptionServer.class);
    /** How long a decode waits for room in the pixel budget before the answer is 503. */
    private static final Duration BUDGET_WAIT = Duration.ofSeconds(2);
    private static final String STARTED = "captioner.started";

    private final Javalin app;
    private final ThreadPoolExecutor pool;
    private final ServeConfig config;
    private final ImageLoader loader;
    private final PixelBudget budget;
    private final AccessGuard guard;
    private final ServerMetrics metrics;
    private final AccessLog access = new AccessLog();
    private final UploadReader uploads;
    private final Semaphore uploadSlots;
    private final ScheduledExecutorService timer;
    /** Caption requests read or being decoded, not yet handed to the batcher. */
    private final AtomicInteger arriving = new AtomicInteger();
    private final CountDownLatch stopped = new CountDownLatch(1);
    private final CountDownLatch loaded = new CountDownLatch(1);
    private volatile CaptionService service;
    /** Batches concurrent requests, or null when batching is off or the service cannot batch. */
    private volatile MicroBatcher batcher;
    private volatile Throwable loadFailure;
    private volatile Server jetty;
    private volatile boolean draining;
    /** Whether the server loaded the model itself ({@link #startLoading}) and so frees it. */
    private volatile boolean ownsService;

    private CaptionServer(ServeConfig config, PixelBudget budget) {
        this.config = config;
        this.budget = budget;
        this.loader = new ImageLoader(config.maxPixels(), config.maxUploadBytes(), budget, config.decodeTimeout());
        this.guard = new AccessGuard(config);
        this.uploadSlots = new Semaphore(config.maxUploads());
        this.timer = Executors.newSingleThreadScheduledExecutor(daemon("captioner-serve-timer"));
        this.uploads = new UploadReader(timer, config.maxUploadBytes(), config.minUploadRate());
        BlockingQueue<Runnable> queue = config.queue() == 0 ? new SynchronousQueue<>() : new ArrayBlockingQueue<>(config.queue());
        AtomicInteger n = new AtomicInteger();
        this.pool = new ThreadPoolExecutor(config.workers(), config.workers(), 0, TimeUnit.SECONDS, queue,
                r -> daemon("captioner-serve-" + n.incrementAndGet()).newThread(r));
        this.metrics = new ServerMetrics(this::queueDepth, () -> config.maxUploads() - uploadSlots.availablePermits(),
                budget::inUse, budget.capacity());
        this.app = Javalin.create(c -> {
            c.showJavalinBanner = false;
            c.http.maxRequestSize = config.maxUploadBytes();
            c.http.prefer405over404 = true;
            c.jetty.modifyHttpConfiguration(http -> {
                // Dispatch on the headers, not on the first body bytes: a slow upload is then a
                // request in flight that a graceful stop waits for, and its body is read by the
                // upload reader, which enforces the rate.
                http.setDelayDispatchUntilContent(false);
                // Ambiguous paths (%2e%2e, encoded slashes) are refused with 400, not passed on.
                http.setUriCompliance(UriCompliance.RFC3986_UNAMBIGUOUS);
                http.setSendServerVersion(false);
            });
            c.jetty.modifyServer(server -> {
                // Jetty's graceful stop: connectors stop accepting, and the statistics handler
                // (which counts a request from its dispatch until its answer is written, async
                // ones too) lets those in flight finish. Javalin nests its handlers inside it.
                server.setHandler(new StatisticsHandler());
                server.setErrorHandler(new JsonErrorHandler());
                jetty = server;
            });
            c.staticFiles.add(st -> {
                st.hostedPath = "/";
                st.directory = "/web";
                st.location = Location.CLASSPATH;
            });
            if (config.corsOrigin() != null) {
                c.bundledPlugins.enableCors(cors -> cors.addRule(rule -> {
                    rule.allowHost(config.corsOrigin());
                    rule.exposeHeader(RequestIds.HEADER);
                }));
            }
            c.requestLogger.http(this::logged);
        });
        routes();
    }

    private static java.util.concurrent.ThreadFactory daemon(String name) {
        return r -> {
            Thread t = new Thread(r, name);
            t.setDaemon(true);
            return t;
        };
    }

    private void routes() {
        app.before(this::admit);
        app.get("/api/health", ctx -> ctx.json(Map.of("status", draining ? "stopping" : "ok")));
        app.get("/api/ready", this::ready);
        app.get("/api/model", ctx -> ctx.json(loadedService().describe()));
        app.get("/metrics", ctx -> ctx.contentType(ServerMetrics.CONTENT_TYPE).result(metrics.scrape()));
        app.get("/openapi.json", ctx -> {
            try (InputStream in = CaptionServer.class.getResourceAsStream("openapi.json")) {
                ctx.contentType("application/json").result(in.readAllBytes());
            }
        });
        app.post("/api/caption", this::caption);
        app.exception(HttpResponseException.class, (e, ctx) -> error(ctx, e.getStatus(), e.getMessage()));
        app.exception(Exception.class, (e, ctx) -> {
            LOG.error("request {} failed", ctx.attribute(RequestIds.ATTRIBUTE), e);
            error(ctx, 500, "internal error (request " + ctx.attribute(RequestIds.ATTRIBUTE) + " is in the server's log)");
        });
        app.error(404, ctx -> error(ctx, 404, "no such endpoint: " + ctx.method() + " " + ctx.path()));
        app.error(405, ctx -> error(ctx, 405, "method not allowed: " + ctx.method() + " " + ctx.path()));
    }

    /** Before every route: the request's id, the host check, the API key, and the CORS origin. */
    private void admit(Context ctx) {
        ctx.attribute(STARTED, System.nanoTime());
        String id = RequestIds.of(ctx.header(RequestIds.HEADER));
        ctx.attribute(RequestIds.ATTRIBUTE, id);
        ctx.req().setAttribute(RequestIds.ATTRIBUTE, id);
        ctx.header(RequestIds.HEADER, id);
        if (!guard.hostAllowed(ctx.header("Host"))) {
            throw new HttpResponseException(403, "this server answers only requests addressed to a loopback name "
                    + "(localhost, 127.0.0.1, [::1]); bind it with --host to serve others");
        }
        String origin = ctx.header("Origin");
        if (config.corsOrigin() != null && origin != null && !origin.equals(config.corsOrigin())) {
            throw new HttpResponseException(403, "origin " + origin + " is not allowed (--cors)");
        }
        if (guard.keyed() && needsKey(ctx.path()) && !"OPTIONS".equals(ctx.method().name())
                && !guard.authorized(ctx.header("Authorization"))) {
            ctx.header("WWW-Authenticate", "Bearer realm=\"captioner\"");
            throw new HttpResponseException(401, "an API key is required: send 'Authorization: Bearer KEY'");
        }
    }

    private static boolean needsKey(String path) {
        return path.equals("/api/caption") || path.equals("/metrics");
    }

    /** After every answer: the access log line and the request metrics. */
    private void logged(Context ctx, Float ms) {
        String route = "other";
        try {
            if (ctx.statusCode() != 404 && !ctx.endpointHandlerPath().equals("*")) {
                route = ctx.endpointHandlerPath();
            }
        } catch (RuntimeException noEndpoint) {
            // a static file, or no route matched: counted as "other"
        }
        Long started = ctx.attribute(STARTED);
        double seconds = started == null ? ms / 1000.0 : (System.nanoTime() - started) / 1e9;
        metrics.request(route, ctx.method().name(), ctx.statusCode(), seconds);
        long bytes = ctx.res() instanceof org.eclipse.jetty.server.Response r ? r.getHttpChannel().getBytesWritten() : -1;
        access.log(ctx.method().name(), ctx.path(), ctx.statusCode(), bytes, seconds * 1000,
                ctx.<String>attribute(RequestIds.ATTRIBUTE));
    }

    /**
     * Starts a server with a model already loaded.
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
        CaptionServer s = listen(config, budget);
        s.loaded(service, 0);
        return s;
    }

    /**
     * Starts listening at once and loads the model in the background: {@code /api/health}
     * answers from the start, {@code /api/ready} and captions wait for the model (503).
     *
     * @param load loads the model
     * @param config address, limits, pool
     * @return the running server; {@link #awaitLoaded()} says when the model is in
     */
    public static CaptionServer startLoading(Callable<? extends CaptionService> load, ServeConfig config) {
        CaptionServer s = listen(config, PixelBudget.ofHeap(0.5, BUDGET_WAIT));
        s.ownsService = true;
        Thread t = new Thread(() -> {
            long start = System.nanoTime();
            // Before the model opens: an engine may fix its threads at load time.
            EngineThreads.share(config.maxBatch() > 1 ? 1 : config.workers());
            try {
                s.loaded(load.call(), (System.nanoTime() - start) / 1e9);
            } catch (Throwable e) {
                s.loadFailure = e;
                s.loaded.countDown();
            }
        }, "captioner-model-load");
        t.setDaemon(true);
        t.start();
        return s;
    }

    private static CaptionServer listen(ServeConfig config, PixelBudget budget) {
        if (config.maxPixels() > budget.capacity()) {
            LOG.warn("images over {} megapixels cannot be decoded with this heap (-Xmx); they will be refused",
                    String.format(Locale.ROOT, "%.1f", budget.capacity() / 1e6));
        }
        CaptionServer s = new CaptionServer(config, budget);
        try {
            s.app.start(config.host(), config.port());
        } catch (RuntimeException e) {
            s.pool.shutdownNow();
            s.timer.shutdownNow();
            throw new CaptionerException("cannot listen on " + config.host() + ":" + config.port() + ": "
                    + (e.getCause() != null ? e.getCause().getMessage() : e.getMessage()), e);
        }
        return s;
    }

    private void loaded(CaptionService loadedService, double seconds) {
        // Batched, one runner uses every core; unbatched, the workers share them.
        EngineThreads.share(config.maxBatch() > 1 ? 1 : config.workers());
        loadedService.timeStages(metrics::stage);
        if (config.maxBatch() > 1 && loadedService instanceof BatchCaptionService batching) {
            batcher = new MicroBatcher(batching, arriving::get, config.maxBatch(), Duration.ofMillis(config.batchWaitMs()),
                    1, config.queue() + config.workers() * config.maxBatch() + 1, metrics::batch);
        }
        metrics.modelLoaded(seconds);
        service = loadedService;
        loaded.countDown();
    }

    /**
     * Waits for the model to load.
     *
     * @throws CaptionerException with the reason if it could not be loaded
     */
    public void awaitLoaded() throws InterruptedException {
        loaded.await();
        if (loadFailure != null) {
            throw loadFailure instanceof CaptionerException ce ? ce
                    : new CaptionerException("cannot load the model: " + loadFailure.getMessage(), loadFailure);
        }
    }

    /** @return the port the server listens on */
    public int port() {
        return app.port();
    }

    private CaptionService loadedService() {
        CaptionService s = service;
        if (s == null) {
            throw new HttpResponseException(503, loadFailure != null ? "the model could not be loaded"
                    : "the model is loading; try again shortly");
        }
        return s;
    }

    private int queueDepth() {
        MicroBatcher b = batcher;
        return pool.getQueue().size() + (b == null ? 0 : b.waiting());
    }

    private void ready(Context ctx) {
        String status = loadFailure != null ? "failed" : service == null ? "loading" : draining ? "stopping"
                : config.queue() > 0 && queueDepth() >= config.queue() ? "busy" : "ready";
        ctx.status(status.equals("ready") ? 200 : 503).json(Map.of("status", status));
    }

    /** {@code POST /api/caption}: checks, admission, the body read without a thread, captioning, the answer. */
    private void caption(Context ctx) {
        long start = System.nanoTime();
        long deadline = start + config.requestTimeout().toNanos();
        if (draining) {
            throw new HttpResponseException(503, "the server is shutting down");
        }
        CaptionService s = loadedService();
        int beam = beam(ctx);
        Upload kind = kind(ctx);
        long length = ctx.req().getContentLengthLong();
        if (length > config.maxUploadBytes()) {
            throw new HttpResponseException(413, tooLarge());
        }
        // A slot, or the slot of an upload that trickles below the minimum rate.
        if (!uploadSlots.tryAcquire() && !(uploads.evictSlowest() && uploadSlots.tryAcquire())) {
            ctx.header("Retry-After", "1");
            throw new HttpResponseException(503, "busy: too many uploads are being received; try again shortly");
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
        ctx.future(() -> {
            CompletableFuture<byte[]> body;
            try {
                body = uploads.read(ctx.req().getInputStream(), length, deadline);
            } catch (IOException | RuntimeException e) {
                body = CompletableFuture.failedFuture(new UploadReader.UploadFailure(400, "cannot read the upload: "
                        + message(e)));
            }
            return body.whenComplete((b, e) -> uploadSlots.release())
                    .thenApply(b -> kind.image(b, ctx.contentType(), config.maxUploadBytes()))
                    // The upload reader enforces the deadline while the body arrives (408); from
                    // then on the caption must be ready by it (504).
                    .thenCompose(image -> captionOnPool(s, image, beam, arrived)
                            .orTimeout(Math.max(1, deadline - System.nanoTime()), TimeUnit.NANOSECONDS))
                    .handle((captions, failure) -> {
                        arrived.run();
                        if (failure == null) {
                            ctx.json(answer(captions, s, start));
                        } else {
                            failed(ctx, failure);
                        }
                        return null;
                    });
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

    private Upload kind(Context ctx) {
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
        throw new HttpResponseException(400, "beam must be a whole number from 1 to " + config.maxBeam() + ", was '" + b
                + "'");
    }

    /**
     * Decodes on the pool; without batching the pool also captions, with batching it hands the
     * small prepared input to the batcher and is free for the next upload at once. The decoded
     * photo counts against the pixel budget until it has been made into the network's input.
     */
    private CompletableFuture<List<Caption>> captionOnPool(CaptionService s, byte[] bytes, int beam, Runnable arrived) {
        CompletableFuture<List<Caption>> result = new CompletableFuture<>();
        MicroBatcher b = batcher;
        try {
            pool.execute(() -> {
                try {
                    Torch.noGrad();
                    long t0 = System.nanoTime();
                    if (b == null) {
                        List<Caption> captions = loader.decode(bytes, "upload", s.decodeScale(), image -> {
                            metrics.stage("decode", (System.nanoTime() - t0) / 1e9);
                            return s.caption(image, beam);
                        });
                        result.complete(captions);
                        return;
                    }
                    float[] input = loader.decode(bytes, "upload", s.decodeScale(), ((BatchCaptionService) s)::prepare);
                    metrics.stage("decode", (System.nanoTime() - t0) / 1e9);
                    arrived.run();
                    b.submit(input, beam).whenComplete((captions, e) -> {
                        if (e == null) {
                            result.complete(captions);
                        } else {
                            result.completeExceptionally(e);
                        }
                    });
                } catch (Throwable e) {
                    result.completeExceptionally(e);
                }
            });
        } catch (RejectedExecutionException e) {
            result.completeExceptionally(e);
        }
        return result;
    }

    /** Answers a failed caption request with the status its cause deserves. */
    private void failed(Context ctx, Throwable failure) {
        Throwable cause = failure;
        while ((cause instanceof CompletionException || cause instanceof ExecutionException) && cause.getCause() != null) {
            cause = cause.getCause();
        }
        if (cause instanceof UploadReader.UploadFailure u) {
            if (u.status() == 408 || u.status() == 413) {
                // The rest of the body is not read: the connection cannot be reused.
                ctx.header("Connection", "close");
            }
            error(ctx, u.status(), message(u));
        } else if (cause instanceof HttpResponseException h) {
            error(ctx, h.getStatus(), h.getMessage());
        } else if (cause instanceof RejectedExecutionException) {
            ctx.header("Retry-After", "1");
            error(ctx, 503, draining ? "the server is shutting down" : "busy: too many requests waiting; try again shortly");
        } else if (cause instanceof DecoderBusyException) {
            ctx.header("Retry-After", "2");
            error(ctx, 503, "busy: " + message(cause));
        } else if (cause instanceof TimeoutException) {
            error(ctx, 504, String.format(Locale.ROOT, "the caption was not ready within the request timeout of %.0f s",
                    config.requestTimeout().toMillis() / 1000.0));
        } else if (cause instanceof ImageTooLargeException) {
            error(ctx, 422, message(cause));
        } else if (cause instanceof CaptionerException) {
            error(ctx, 400, message(cause));
        } else {
            LOG.error("request {} failed", ctx.<String>attribute(RequestIds.ATTRIBUTE), cause);
            error(ctx, 500, "internal error (request " + ctx.attribute(RequestIds.ATTRIBUTE) + " is in the server's log)");
        }
    }

    private static Map<String, Object> answer(List<Caption> captions, CaptionService s, long startNanos) {
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

    private String tooLarge() {
        return String.format(Locale.ROOT, "upload larger than the limit of %.1f MB", config.maxUploadBytes() / 1048576.0);
    }

    private static String message(Throwable e) {
        String m = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
        int nl = m.indexOf('\n');
        return nl < 0 ? m : m.substring(0, nl);
    }

    private static void error(Context ctx, int status, String message) {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("error", message);
        body.put("request_id", ctx.attribute(RequestIds.ATTRIBUTE));
        ctx.status(status).json(body);
    }

    /**
     * Stops gracefully: from now on caption requests get 503 and {@code /api/ready} says
     * stopping, the listening socket closes, requests in flight finish and their answers are
     * written (or fail when the grace period ends), and the workers and the batcher are stopped;
     * only then does this method return. The model's own close waits for any network call still
     * running.
     *
     * @param timeout the grace period
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
            MicroBatcher b = batcher;
            if (b != null) {
                b.close(Duration.ofNanos(Math.max(0, deadline - System.nanoTime())));
            }
            timer.shutdownNow();
            access.close();
            stopped.countDown();
        }
    }

    /**
     * Frees the model a server started with {@link #startLoading} loaded, after
     * {@link #stopGracefully}; a model given to {@link #start} stays the caller's to close.
     */
    public void closeService() {
        if (ownsService && service instanceof AutoCloseable c) {
            try {
                c.close();
            } catch (Exception e) {
                LOG.warn("closing the model failed", e);
            }
        }
    }

    /** Waits until the server has stopped. */
    public void awaitStop() throws InterruptedException {
        stopped.await();
    }

    /** @return mean requests per network call so far, or 0 without batching */
    public double meanBatch() {
        MicroBatcher b = batcher;
        return b == null ? 0 : b.meanBatch();
    }

    @Override
    public void close() {
        draining = true;
        try {
            app.stop();
        } finally {
            pool.shutdownNow();
            MicroBatcher b = batcher;
            if (b != null) {
                b.close(Duration.ZERO);
            }
            timer.shutdownNow();
            access.close();
            stopped.countDown();
        }
    }
}
