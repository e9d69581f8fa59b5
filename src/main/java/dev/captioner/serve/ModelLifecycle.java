package dev.captioner.serve;

import dev.captioner.util.CaptionerException;
import dev.captioner.util.EngineThreads;
import io.javalin.http.HttpResponseException;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.function.IntSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The model's life in the server: loading (in the background, so that health answers at once),
 * loaded (with its batcher, and its description read once), failed, or stopping. Readiness is
 * read from here; so is the description {@code GET /api/model} answers, which holds no file
 * system paths.
 */
final class ModelLifecycle {

    private static final Logger LOG = LoggerFactory.getLogger(CaptionServer.class);

    private final ServeSpec.Work work;
    private final ServerMetrics metrics;
    private final IntSupplier arriving;
    private final CountDownLatch loaded = new CountDownLatch(1);
    private volatile CaptionService service;
    /** Batches concurrent requests, or null when batching is off or the service cannot batch. */
    private volatile MicroBatcher batcher;
    private volatile Map<String, Object> description;
    private volatile Throwable failure;
    private volatile boolean draining;
    /** Whether the server loaded the model itself and so frees it. */
    private volatile boolean owned;

    /**
     * @param work workers and batching
     * @param metrics told the load time, stage times and batch sizes
     * @param arriving requests on their way to the batcher
     */
    ModelLifecycle(ServeSpec.Work work, ServerMetrics metrics, IntSupplier arriving) {
        this.work = work;
        this.metrics = metrics;
        this.arriving = arriving;
    }

    /** Loads the model on a background thread; the server owns it and frees it. */
    void startLoading(Callable<? extends CaptionService> load) {
        owned = true;
        Thread t = new Thread(() -> {
            long start = System.nanoTime();
            // Before the model opens: an engine may fix its threads at load time.
            EngineThreads.share(work.maxBatch() > 1 ? 1 : work.workers());
            try {
                loaded(load.call(), (System.nanoTime() - start) / 1e9);
            } catch (Throwable e) {
                failure = e;
                loaded.countDown();
            }
        }, "captioner-model-load");
        t.setDaemon(true);
        t.start();
    }

    /** Takes a loaded model. */
    void loaded(CaptionService s, double seconds) {
        // Batched, one runner uses every core; unbatched, the workers share them.
        EngineThreads.share(work.maxBatch() > 1 ? 1 : work.workers());
        s.timeStages(metrics::stage);
        if (work.maxBatch() > 1 && s instanceof BatchCaptionService batching) {
            batcher = new MicroBatcher(batching, arriving, work.maxBatch(), Duration.ofMillis(work.batchWaitMs()), 1,
                    work.batchable() + 1, metrics::batch);
        }
        description = Map.copyOf(s.describe());
        metrics.modelLoaded(seconds);
        service = s;
        loaded.countDown();
    }

    /** @throws CaptionerException with the reason if the model could not be loaded */
    void awaitLoaded() throws InterruptedException {
        loaded.await();
        Throwable f = failure;
        if (f != null) {
            throw f instanceof CaptionerException ce ? ce : new CaptionerException("cannot load the model: " + f.getMessage(), f);
        }
    }

    /** @return the loaded model; 503 while it loads or if it failed */
    CaptionService service() {
        CaptionService s = service;
        if (s == null) {
            throw new HttpResponseException(503, failure != null ? "the model could not be loaded"
                    : "the model is loading; try again shortly");
        }
        return s;
    }

    /** @return the batcher, or null */
    MicroBatcher batcher() {
        return batcher;
    }

    /** @return what {@code GET /api/model} answers, read once at load */
    Map<String, Object> description() {
        service();
        return description;
    }

    /** @return loading, failed, stopping or ready */
    String status() {
        return failure != null ? "failed" : service == null ? "loading" : draining ? "stopping" : "ready";
    }

    /** @return whether the server is stopping */
    boolean draining() {
        return draining;
    }

    /** From now on, caption requests are refused. */
    void drain() {
        draining = true;
    }

    /** Stops the batcher, letting its batches finish within {@code grace}. */
    void stopBatching(Duration grace) {
        MicroBatcher b = batcher;
        if (b != null) {
            b.close(grace);
        }
    }

    /** Frees a model the server loaded itself; one given to it stays the caller's. */
    void closeService() {
        if (owned && service instanceof AutoCloseable c) {
            try {
                c.close();
            } catch (Exception e) {
                LOG.warn("closing the model failed", e);
            }
        }
    }
}
