package dev.captioner.bench;

import dev.captioner.util.EngineThreads;
import dev.captioner.vision.ImageEncoder;
import dev.captioner.image.RgbImage;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Measures an encoder's throughput the way {@code captioner features} runs it: {@code threads}
 * workers, each calling the network on batches of {@code batch} images, PyTorch's intra-op
 * threads set to cores / workers. Input is random 224×224 data (decoding is measured apart).
 */
public final class FeatureBenchmark {

    /**
     * A measurement.
     *
     * @param encoder encoder name
     * @param batch images per call
     * @param threads workers
     * @param intraOpThreads PyTorch threads per operation
     * @param images images timed (after one warm-up call per worker)
     * @param seconds wall time
     * @param imagesPerSecond throughput
     */
    public record Result(String encoder, int batch, int threads, int intraOpThreads, int images, double seconds,
            double imagesPerSecond) {}

    private FeatureBenchmark() {}

    /**
     * @param encoder the network
     * @param batch images per call
     * @param threads workers
     * @param images how many images to time (rounded up to whole batches per worker)
     * @return the measurement
     */
    public static Result run(ImageEncoder encoder, int batch, int threads, int images) throws Exception {
        int cores = Runtime.getRuntime().availableProcessors();
        int intra = Math.max(1, cores / threads);
        EngineThreads.set(intra);
        // One image's input as the encoder prepares it (not always square: an exported model's card).
        int per = encoder.prepare(new RgbImage(8, 8, new byte[8 * 8 * 3])).length;
        float[] input = new float[batch * per];
        Random r = new Random(1);
        for (int i = 0; i < input.length; i++) {
            input[i] = (float) (r.nextDouble() * 255 - 128);
        }
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        try {
            List<Future<?>> warm = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                warm.add(pool.submit(() -> encoder.encode(input, batch)));
            }
            for (Future<?> f : warm) {
                f.get();
            }
            int calls = (images + batch - 1) / batch;
            AtomicInteger next = new AtomicInteger();
            long start = System.nanoTime();
            List<Future<?>> work = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                work.add(pool.submit(() -> {
                    while (next.getAndIncrement() < calls) {
                        encoder.encode(input, batch);
                    }
                    return null;
                }));
            }
            for (Future<?> f : work) {
                f.get();
            }
            double seconds = (System.nanoTime() - start) / 1e9;
            int done = calls * batch;
            return new Result(encoder.name(), batch, threads, intra, done, seconds, done / seconds);
        } finally {
            pool.shutdownNow();
        }
    }
}
