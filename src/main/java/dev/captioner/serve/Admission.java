package dev.captioner.serve;

import dev.captioner.decode.Caption;
import dev.captioner.image.ImageLoader;
import dev.captioner.image.MemoryBudget;
import dev.captioner.util.Torch;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.SynchronousQueue;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Who gets in, and what they may hold. Everything a caption request holds comes from one
 * {@link MemoryBudget}: its upload as it arrives, its decoder's working memory and its decoded
 * image; when the budget is full the answer is 503, never an OutOfMemoryError. Once its body is
 * in, a request waits for a worker in a queue of {@link ServeSpec.Work#queue()} places; when the
 * queue is really full the answer is 503 too (before the body is read, if it was full already).
 * Uploads being read take no place in the queue: a slow client costs a connection (at most
 * {@code --max-connections}) and the bytes it sent, and the minimum rate cuts it off. Decoding
 * and (unbatched) captioning run on the worker pool.
 */
final class Admission {

    /** How long a decode waits for room in the memory budget before the answer is 503. */
    static final Duration BUDGET_WAIT = Duration.ofSeconds(2);

    private final ServeSpec.Work work;
    private final MemoryBudget budget;
    private final ImageLoader loader;
    private final ThreadPoolExecutor pool;
    /** Caption requests read or being decoded, not yet handed to the batcher. */
    private final AtomicInteger arriving = new AtomicInteger();

    /**
     * @param config the server's settings
     * @param budget the memory budget (null: half the heap)
     */
    Admission(ServeSpec config, MemoryBudget budget) {
        this.work = config.work();
        ServeSpec.Limits limits = config.limits();
        this.budget = budget != null ? budget : limits.memoryBytes() > 0 ? new MemoryBudget(limits.memoryBytes(), BUDGET_WAIT)
                : MemoryBudget.ofHeap(0.5, BUDGET_WAIT);
        this.loader = new ImageLoader(limits.maxPixels(), limits.maxUploadBytes(), this.budget, limits.decodeTimeout());
        BlockingQueue<Runnable> queue = work.queue() == 0 ? new SynchronousQueue<>() : new ArrayBlockingQueue<>(work.queue());
        AtomicInteger n = new AtomicInteger();
        this.pool = new ThreadPoolExecutor(work.workers(), work.workers(), 0, TimeUnit.SECONDS, queue,
                daemon(() -> "captioner-serve-" + n.incrementAndGet()));
    }

    static ThreadFactory daemon(java.util.function.Supplier<String> name) {
        return r -> {
            Thread t = new Thread(r, name.get());
            t.setDaemon(true);
            return t;
        };
    }

    /** @return the memory budget */
    MemoryBudget budget() {
        return budget;
    }

    /**
     * A new caption request, from its headers: refused if the queue is full already, else counted
     * as arriving until {@link #arrived()}.
     *
     * @return whether it may go on
     */
    boolean tryEnter() {
        if (work.queue() > 0 && pool.getQueue().remainingCapacity() == 0) {
            return false;
        }
        arriving.incrementAndGet();
        return true;
    }

    /** An admitted request has reached the batcher, or failed before it. */
    void arrived() {
        arriving.decrementAndGet();
    }

    /** @return requests read or being decoded, on their way to the batcher */
    int arriving() {
        return arriving.get();
    }

    /** @return requests waiting for a worker or a batch */
    int queueDepth(MicroBatcher batcher) {
        return pool.getQueue().size() + (batcher == null ? 0 : batcher.waiting());
    }

    /**
     * Decodes on the pool; without batching the pool also captions, with batching it hands the
     * small prepared input to the batcher and is free for the next upload at once. The decoded
     * photo counts against the budget until it has been made into the network's input.
     *
     * @param arrived run once the request has reached the batcher (or failed)
     */
    CompletableFuture<List<Caption>> caption(CaptionService s, MicroBatcher batcher, byte[] bytes, int beam,
            Runnable arrived, ServerMetrics metrics) {
        CompletableFuture<List<Caption>> result = new CompletableFuture<>();
        try {
            pool.execute(() -> {
                try {
                    Torch.noGrad();
                    long t0 = System.nanoTime();
                    if (batcher == null) {
                        result.complete(loader.decode(bytes, "upload", s.decodeScale(), image -> {
                            metrics.stage("decode", (System.nanoTime() - t0) / 1e9);
                            return s.caption(image, beam);
                        }));
                        return;
                    }
                    float[] input = loader.decode(bytes, "upload", s.decodeScale(), ((BatchCaptionService) s)::prepare);
                    metrics.stage("decode", (System.nanoTime() - t0) / 1e9);
                    arrived.run();
                    batcher.submit(input, beam).whenComplete((captions, e) -> {
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

    /** Lets running work finish within {@code nanos}, then stops the pool. */
    void stop(long nanos) {
        pool.shutdown();
        try {
            if (!pool.awaitTermination(Math.max(0, nanos), TimeUnit.NANOSECONDS)) {
                pool.shutdownNow();
            }
        } catch (InterruptedException e) {
            pool.shutdownNow();
            Thread.currentThread().interrupt();
        }
    }

    /** Stops the pool at once. */
    void stopNow() {
        pool.shutdownNow();
    }
}
