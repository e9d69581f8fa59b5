package dev.captioner.serve;

import dev.captioner.image.MemoryBudget;
import dev.captioner.util.CaptionerException;
import io.javalin.Javalin;
import io.javalin.config.JavalinConfig;
import io.javalin.http.Context;
import io.javalin.http.HttpResponseException;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import org.eclipse.jetty.http.UriCompliance;
import org.eclipse.jetty.server.HttpConnectionFactory;
import org.eclipse.jetty.server.NetworkConnectionLimit;
import org.eclipse.jetty.server.ServerConnector;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The HTTP API and web page, built to face the open network behind a proxy. The routes and who
 * may call them are {@link Routes}' table: with an API key, every route but health, readiness
 * and the page needs it, decided on the matched route ({@link AccessGuard}). A caption request
 * ({@link CaptionRoute}) is admitted while the queue has room, and holds its upload, decoder and
 * image memory in one budget ({@link Admission}); the model loads in the background
 * ({@link ModelLifecycle}); every error is JSON with a 4xx status, or 503/504 for a busy or late
 * server, 500 only for a bug ({@link ErrorMapping}, {@link JsonErrorHandler}). Connections are
 * capped and must send their headers in time ({@link HeaderDeadline}); every answer carries an
 * {@code X-Request-Id} and the {@link SecurityHeaders}. {@link #stopGracefully} stops admitting,
 * lets the requests in flight finish, and returns once no worker runs.
 */
public final class CaptionServer implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(CaptionServer.class);
    /** Request attribute: when the request's handling began ({@link System#nanoTime()}). */
    static final String STARTED = "captioner.started";

    private final Javalin app;
    private final ServeSpec config;
    private final AccessGuard guard;
    private final ServerMetrics metrics;
    private final AccessLog access = new AccessLog();
    private final UploadReader uploads;
    private final Admission admission;
    private final ModelLifecycle model;
    private final Routes routes;
    private final ScheduledExecutorService timer;
    private final CountDownLatch stopped = new CountDownLatch(1);
    private volatile org.eclipse.jetty.server.Server jetty;

    private CaptionServer(ServeSpec config, MemoryBudget budget) {
        this.config = config;
        this.guard = new AccessGuard(config);
        this.admission = new Admission(config, budget);
        MemoryBudget b = admission.budget();
        this.timer = Executors.newSingleThreadScheduledExecutor(Admission.daemon(() -> "captioner-serve-timer"));
        this.uploads = new UploadReader(timer, config.limits().maxUploadBytes(), config.limits().minUploadRate(), b);
        this.metrics = new ServerMetrics(() -> admission.queueDepth(modelBatcher()), uploads::inFlight, b::inUse,
                b.capacity());
        this.model = new ModelLifecycle(config.work(), metrics, admission::arriving);
        ErrorMapping errors = new ErrorMapping(config.limits().requestTimeout().toMillis() / 1000.0, model::draining);
        this.routes = Routes.of(ctx -> ctx.json(Map.of("status", model.draining() ? "stopping" : "ok")), this::ready,
                ctx -> ctx.json(model.description()),
                ctx -> ctx.contentType(ServerMetrics.CONTENT_TYPE).result(metrics.scrape()),
                new CaptionRoute(config, model, admission, uploads, errors, metrics));
        HeaderDeadline headers = new HeaderDeadline(config.network().headerTimeout(), timer);
        this.app = Javalin.create(c -> configure(c, headers));
    }

    private MicroBatcher modelBatcher() {
        return model == null ? null : model.batcher();
    }

    private void configure(JavalinConfig c, HeaderDeadline headers) {
        c.startup.showJavalinBanner = false;
        c.http.maxRequestSize = config.limits().maxUploadBytes();
        c.http.prefer405over404 = true;
        c.jetty.modifyHttpConfiguration(http -> {
            // Dispatch on the headers, not on the first body bytes: a slow upload is then a
            // request in flight that a graceful stop waits for, and its body is read by the
            // upload reader, which enforces the rate.
            http.setDelayDispatchUntilContent(false);
            // Strict RFC 3986: ambiguous paths (%2e%2e, encoded slashes, empty segments, path
            // parameters) are refused with 400, never handed on in another spelling.
            http.setUriCompliance(UriCompliance.DEFAULT);
            http.setSendServerVersion(false);
        });
        c.jetty.modifyServer(server -> {
            server.insertHandler(headers);
            server.setErrorHandler(new JsonErrorHandler());
            server.addBean(new NetworkConnectionLimit(config.network().maxConnections(), server));
            jetty = server;
        });
        c.jetty.modifyServletContextHandler(h -> h.setErrorHandler(new JsonErrorHandler.ForServlets()));
        c.jetty.addConnector((server, http) -> {
            ServerConnector connector = new ServerConnector(server, new HttpConnectionFactory(http));
            connector.setHost(config.network().host());
            connector.setPort(config.network().port());
            connector.addEventListener(headers);
            return connector;
        });
        if (config.access().corsOrigin() != null) {
            c.bundledPlugins.enableCors(cors -> cors.addRule(rule -> {
                rule.allowHost(config.access().corsOrigin());
                rule.exposeHeader(RequestIds.HEADER);
            }));
        }
        c.requestLogger.http(this::logged);
        c.routes.before(this::admit);
        c.routes.beforeMatched(this::authorize);
        routes.register(c.routes);
        c.routes.exception(HttpResponseException.class, (e, ctx) -> ErrorMapping.error(ctx, e.getStatus(), e.getMessage()));
        c.routes.exception(Exception.class, (e, ctx) -> ErrorMapping.bug(ctx, e));
        c.routes.error(404, ctx -> ErrorMapping.error(ctx, 404, "no such endpoint: " + ctx.method() + " " + ctx.path()));
        c.routes.error(405, ctx -> ErrorMapping.error(ctx, 405, "method not allowed: " + ctx.method() + " " + ctx.path()));
    }

    /** Before every request: its id, the security headers, the host check and the CORS origin. */
    private void admit(Context ctx) {
        ctx.attribute(STARTED, System.nanoTime());
        String id = RequestIds.of(ctx.header(RequestIds.HEADER));
        ctx.attribute(RequestIds.ATTRIBUTE, id);
        ctx.req().setAttribute(RequestIds.ATTRIBUTE, id);
        ctx.header(RequestIds.HEADER, id);
        SecurityHeaders.apply(ctx::header);
        if (!guard.hostAllowed(ctx.header("Host"))) {
            throw new HttpResponseException(403, "this server answers only requests addressed to a loopback name "
                    + "(localhost, 127.0.0.1, [::1]); bind it with --host to serve others");
        }
        String origin = ctx.header("Origin");
        if (config.access().corsOrigin() != null && origin != null && !origin.equals(config.access().corsOrigin())) {
            throw new HttpResponseException(403, "origin " + origin + " is not allowed (--cors)");
        }
    }

    /** Before a matched route: the key, unless the route table marks the route open. */
    private void authorize(Context ctx) {
        if (!guard.allows(ctx.routeRoles(), ctx.header("Authorization"))) {
            ctx.header("WWW-Authenticate", "Bearer realm=\"captioner\"");
            throw new HttpResponseException(401, "an API key is required: send 'Authorization: Bearer KEY'");
        }
    }

    private void ready(Context ctx) {
        String status = model.status();
        if (status.equals("ready") && config.work().queue() > 0
                && admission.queueDepth(model.batcher()) >= config.work().queue()) {
            status = "busy";
        }
        ctx.status(status.equals("ready") ? 200 : 503).json(Map.of("status", status));
    }

    /** After every answer: the access log line and the request metrics. */
    private void logged(Context ctx, Float ms) {
        String route = "other";
        var endpoint = ctx.endpoints().lastHttpEndpoint();
        if (ctx.statusCode() != 404 && endpoint != null && !endpoint.path.isEmpty() && !endpoint.path.equals("*")) {
            route = endpoint.path;
        }
        Long started = ctx.attribute(STARTED);
        double seconds = started == null ? ms / 1000.0 : (System.nanoTime() - started) / 1e9;
        metrics.request(route, ctx.method().name(), ctx.statusCode(), seconds);
        access.log(ctx.method().name(), ctx.path(), ctx.statusCode(), bytesWritten(ctx), seconds * 1000,
                ctx.<String>attribute(RequestIds.ATTRIBUTE));
    }

    private static long bytesWritten(Context ctx) {
        var request = org.eclipse.jetty.ee10.servlet.ServletContextRequest.getServletContextRequest(ctx.req());
        // Written to the servlet's output, buffered or not: the logger runs before the last flush.
        return request == null ? -1 : request.getServletContextResponse().getHttpOutput().getWritten();
    }

    /**
     * Starts a server with a model already loaded.
     *
     * @param service the model
     * @param config address, limits, pool
     * @return the running server
     */
    public static CaptionServer start(CaptionService service, ServeSpec config) {
        return start(service, config, null);
    }

    /** Starts a server with a given memory budget (tests use a small one). */
    static CaptionServer start(CaptionService service, ServeSpec config, MemoryBudget budget) {
        CaptionServer s = listen(config, budget);
        s.model.loaded(service, 0);
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
    public static CaptionServer startLoading(Callable<? extends CaptionService> load, ServeSpec config) {
        CaptionServer s = listen(config, null);
        s.model.startLoading(load);
        return s;
    }

    private static CaptionServer listen(ServeSpec config, MemoryBudget budget) {
        CaptionServer s = new CaptionServer(config, budget);
        long capacity = s.admission.budget().capacity();
        if (config.limits().maxPixels() * MemoryBudget.BYTES_PER_PIXEL > capacity) {
            LOG.warn("images over {} megapixels cannot be decoded with this heap (-Xmx); they will be refused",
                    String.format(Locale.ROOT, "%.1f", capacity / (double) MemoryBudget.BYTES_PER_PIXEL / 1e6));
        }
        try {
            s.app.start();
        } catch (RuntimeException e) {
            s.admission.stopNow();
            s.timer.shutdownNow();
            throw new CaptionerException("cannot listen on " + config.network().host() + ":" + config.network().port()
                    + ": " + (e.getCause() != null ? e.getCause().getMessage() : e.getMessage()), e);
        }
        return s;
    }

    /** @throws CaptionerException with the reason if the model could not be loaded */
    public void awaitLoaded() throws InterruptedException {
        model.awaitLoaded();
    }

    /** @return the port the server listens on */
    public int port() {
        return app.port();
    }

    /** @return every route and whether it is open without the key (for tests and docs) */
    List<Routes.Route> routes() {
        return routes.all();
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
        model.drain();
        long deadline = System.nanoTime() + timeout.toNanos();
        try {
            if (jetty != null) {
                jetty.setStopTimeout(timeout.toMillis());
            }
            app.stop();
        } finally {
            admission.stop(deadline - System.nanoTime());
            model.stopBatching(Duration.ofNanos(Math.max(0, deadline - System.nanoTime())));
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
        model.closeService();
    }

    /** Waits until the server has stopped. */
    public void awaitStop() throws InterruptedException {
        stopped.await();
    }

    /** @return mean requests per network call so far, or 0 without batching */
    public double meanBatch() {
        MicroBatcher b = model.batcher();
        return b == null ? 0 : b.meanBatch();
    }

    @Override
    public void close() {
        model.drain();
        try {
            app.stop();
        } finally {
            admission.stopNow();
            model.stopBatching(Duration.ZERO);
            timer.shutdownNow();
            access.close();
            stopped.countDown();
        }
    }
}
