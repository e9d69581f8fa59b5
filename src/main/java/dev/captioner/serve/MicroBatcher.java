package dev.captioner.serve;

import dev.captioner.decode.Caption;
import dev.captioner.util.Torch;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.IntConsumer;
import java.util.function.IntSupplier;

/**
 * Dynamic micro-batching, as TorchServe and Triton do it: a request waits at most
 * {@code wait} for others to join it, up to {@code maxBatch}, and the batch goes through the
 * encoder and the decoder in one call. Under load the network sees large batches; a request
 * waits only while others are on their way, and never longer than the wait. Requests with
 * different beam widths are batched apart.
 */
final class MicroBatcher implements AutoCloseable {

    private record Request(float[] input, int beam, CompletableFuture<List<Caption>> result) {}

    private final BatchCaptionService service;
    private final IntSupplier arriving;
    private final int maxBatch;
    private final long waitNanos;
    private final BlockingQueue<Request> queue;
    private final ExecutorService runners;
    private final AtomicInteger batches = new AtomicInteger();
    private final AtomicInteger images = new AtomicInteger();
    private final IntConsumer onBatch;
    private volatile boolean closing;

    /**
     * @param service the model
     * @param arriving how many requests are on their way (being read or decoded): a batch stops
     *     waiting when none are, so a lone request is not held for company that is not coming
     * @param maxBatch most images per network call
     * @param wait longest a request waits for others
     * @param runners threads running batches
     * @param capacity requests that may wait before {@link #submit} refuses
     * @param onBatch told the size of every batch run
     */
    MicroBatcher(BatchCaptionService service, IntSupplier arriving, int maxBatch, Duration wait, int runners,
            int capacity, IntConsumer onBatch) {
        this.service = service;
        this.arriving = arriving;
        this.maxBatch = maxBatch;
        this.waitNanos = wait.toNanos();
        this.queue = new ArrayBlockingQueue<>(capacity);
        this.onBatch = onBatch;
        AtomicInteger n = new AtomicInteger();
        this.runners = Executors.newFixedThreadPool(runners, r -> {
            Thread t = new Thread(r, "captioner-batch-" + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        });
        for (int i = 0; i < runners; i++) {
            this.runners.submit(this::run);
        }
    }

    /**
     * @param input a prepared image
     * @param beam beam width
     * @return its captions, when its batch has run
     * @throws RejectedExecutionException if too many requests wait already, or the batcher is closing
     */
    CompletableFuture<List<Caption>> submit(float[] input, int beam) {
        CompletableFuture<List<Caption>> f = new CompletableFuture<>();
        if (closing || !queue.offer(new Request(input, beam, f))) {
            throw new RejectedExecutionException("busy");
        }
        return f;
    }

    /** @return requests waiting for a batch */
    int waiting() {
        return queue.size();
    }

    /** @return mean images per network call so far (for benchmarks and tests) */
    double meanBatch() {
        int b = batches.get();
        return b == 0 ? 0 : (double) images.get() / b;
    }

    private Object run() throws InterruptedException {
        Torch.noGrad();
        while (true) {
            Request first = queue.poll(100, TimeUnit.MILLISECONDS);
            if (first == null) {
                if (closing) {
                    return null;
                }
                continue;
            }
            List<Request> batch = new ArrayList<>();
            batch.add(first);
            long deadline = System.nanoTime() + waitNanos;
            while (batch.size() < maxBatch) {
                Request next = queue.poll();
                if (next == null) {
                    long left = deadline - System.nanoTime();
                    if (left <= 0 || arriving.getAsInt() == 0) {
                        break;
                    }
                    // Someone is being decoded: wait for them a little at a time, up to the deadline.
                    next = queue.poll(Math.min(left, TimeUnit.MILLISECONDS.toNanos(1)), TimeUnit.NANOSECONDS);
                    if (next == null) {
                        continue;
                    }
                }
                batch.add(next);
            }
            Map<Integer, List<Request>> byBeam = new LinkedHashMap<>();
            for (Request r : batch) {
                byBeam.computeIfAbsent(r.beam(), k -> new ArrayList<>()).add(r);
            }
            for (Map.Entry<Integer, List<Request>> e : byBeam.entrySet()) {
                runBatch(e.getValue(), e.getKey());
            }
        }
    }

    private void runBatch(List<Request> batch, int beam) {
        try {
            List<List<Caption>> out = service.caption(batch.stream().map(Request::input).toList(), beam);
            batches.incrementAndGet();
            images.addAndGet(batch.size());
            onBatch.accept(batch.size());
            for (int i = 0; i < batch.size(); i++) {
                batch.get(i).result().complete(out.get(i));
            }
        } catch (RuntimeException | Error e) {
            for (Request r : batch) {
                r.result().completeExceptionally(e);
            }
        }
    }

    /** Runs every request already submitted (waiting up to a minute), then stops the runners. */
    @Override
    public void close() {
        close(Duration.ofSeconds(60));
    }

    /**
     * Runs the requests already submitted for at most {@code grace}, then stops the runners; the
     * requests left get a {@link RejectedExecutionException}.
     *
     * @param grace how long to let the runners work on
     */
    void close(Duration grace) {
        closing = true;
        runners.shutdown();
        try {
            if (!runners.awaitTermination(grace.toNanos(), TimeUnit.NANOSECONDS)) {
                runners.shutdownNow();
            }
        } catch (InterruptedException e) {
            runners.shutdownNow();
            Thread.currentThread().interrupt();
        }
        for (Request r = queue.poll(); r != null; r = queue.poll()) {
            r.result().completeExceptionally(new RejectedExecutionException("the server stopped"));
        }
    }
}
