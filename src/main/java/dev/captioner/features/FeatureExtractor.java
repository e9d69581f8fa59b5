package dev.captioner.features;

import dev.captioner.data.Dataset;
import dev.captioner.data.ImageRecord;
import dev.captioner.util.CaptionerException;
import dev.captioner.util.Progress;
import dev.captioner.util.Torch;
import dev.captioner.vision.ImageEncoder;
import dev.captioner.vision.ImageLoader;
import dev.captioner.vision.KerasResize;
import dev.captioner.vision.RgbImage;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Computes the features of a dataset's images into a feature file. Decoding and resizing run on
 * their own threads, ahead of the network, through a bounded queue; several workers run the
 * network at once, each operation on one core. Finished rows are checkpointed as they come, so
 * an interrupted run continues where it stopped, and images already in the output file are never
 * recomputed. An image that cannot be read is reported and skipped; the rest are still written.
 */
public final class FeatureExtractor {

    /**
     * How to run.
     *
     * @param batch images per network call
     * @param threads workers running the network at once
     * @param maxPixels largest image accepted, in pixels
     */
    public record Options(int batch, int threads, long maxPixels) {

        /** Validates the settings. */
        public Options {
            if (batch < 1 || batch > 1024) {
                throw new IllegalArgumentException("batch must be between 1 and 1024, was " + batch);
            }
            if (threads < 1 || threads > 256) {
                throw new IllegalArgumentException("threads must be between 1 and 256, was " + threads);
            }
            if (maxPixels < 1) {
                throw new IllegalArgumentException("max pixels must be positive, was " + maxPixels);
            }
        }

        /** @return one image per call and one worker per core: fastest on CPUs (see README) */
        public static Options defaults() {
            return new Options(1, Runtime.getRuntime().availableProcessors(), ImageLoader.DEFAULT_MAX_PIXELS);
        }
    }

    /**
     * An image that could not be encoded.
     *
     * @param image its name
     * @param reason why
     */
    public record Failure(String image, String reason) {}

    /**
     * What a run did.
     *
     * @param features everything now in the output file
     * @param computed images encoded by this run
     * @param reused images taken from the earlier output or checkpoint
     * @param failures images skipped for errors
     * @param missingFiles images named by captions whose files do not exist (not attempted)
     */
    public record Result(FeatureSet features, int computed, int reused, List<Failure> failures, int missingFiles) {}

    private record Prepared(String id, float[] input) {}

    private static final Prepared END = new Prepared(null, null);
    private final PrintStream log;
    private final int checkpointRows;

    /** @param log where skipped images and progress lines are reported */
    public FeatureExtractor(PrintStream log) {
        this(log, 64);
    }

    FeatureExtractor(PrintStream log, int checkpointRows) {
        this.log = log;
        this.checkpointRows = checkpointRows;
    }

    /**
     * Extracts features into {@code out}.
     *
     * @param dataset where the images are
     * @param images the images wanted, in the order rows should have
     * @param encoder the network
     * @param out the feature file to write (atomically)
     * @param options batch, threads, pixel limit
     * @return counts, failures, and the features written
     */
    public Result extract(Dataset dataset, List<ImageRecord> images, ImageEncoder encoder, Path out, Options options) {
        FeatureCheckpoint.Meta meta = new FeatureCheckpoint.Meta(encoder.name(), encoder.weightsSha256(),
                encoder.featureDim(), encoder.imageSize());
        Map<String, float[]> done = new LinkedHashMap<>(previous(out, meta));
        FeatureCheckpoint checkpoint = FeatureCheckpoint.open(out, meta);
        done.putAll(checkpoint.rows());
        int reused = 0;
        int missing = 0;
        List<ImageRecord> todo = new ArrayList<>();
        for (ImageRecord r : images) {
            if (done.containsKey(r.name())) {
                reused++;
            } else if (!r.present()) {
                missing++;
            } else {
                todo.add(r);
            }
        }
        if (missing > 0) {
            log.println("features: " + missing + " image" + (missing == 1 ? "" : "s")
                    + " named by the captions have no file; skipped");
        }
        List<Failure> failures = Collections.synchronizedList(new ArrayList<>());
        int computed = todo.isEmpty() ? 0 : run(dataset, todo, encoder, checkpoint, options, failures);
        done.putAll(checkpoint.rows());

        List<String> ids = new ArrayList<>();
        List<float[]> rows = new ArrayList<>();
        for (ImageRecord r : images) {
            float[] row = done.get(r.name());
            if (row != null) {
                ids.add(r.name());
                rows.add(row);
            }
        }
        FeatureSet set = new FeatureSet(ids, rows.toArray(float[][]::new), encoder.name(), encoder.featureDim(),
                encoder.weightsSha256(), encoder.imageSize(),
                encoder.weightsLocation() == null ? null : encoder.weightsLocation().toString());
        FeatureStore.write(out, set);
        checkpoint.delete();
        return new Result(set, computed, reused, List.copyOf(failures), missing);
    }

    /** Rows of an earlier output file made with the same encoder and weights. */
    private Map<String, float[]> previous(Path out, FeatureCheckpoint.Meta meta) {
        Map<String, float[]> rows = new LinkedHashMap<>();
        if (!Files.isRegularFile(out)) {
            return rows;
        }
        try {
            FeatureSet old = FeatureStore.read(out);
            if (old.encoder().equals(meta.encoder()) && old.weightsSha256().equals(meta.weightsSha256())
                    && old.featureDim() == meta.featureDim() && old.imageSize() == meta.imageSize()) {
                for (int i = 0; i < old.size(); i++) {
                    rows.put(old.ids().get(i), old.features()[i]);
                }
            } else {
                log.println("features: " + out + " was made with another encoder or weights; recomputing");
            }
        } catch (CaptionerException e) {
            log.println("features: ignoring unreadable " + out + ": " + e.getMessage());
        }
        return rows;
    }

    private int run(Dataset dataset, List<ImageRecord> todo, ImageEncoder encoder, FeatureCheckpoint checkpoint,
            Options options, List<Failure> failures) {
        int cores = Runtime.getRuntime().availableProcessors();
        int workers = Math.min(options.threads(), todo.size());
        Torch.intraOpThreads(Math.max(1, cores / workers));
        int decoders = Math.max(1, Math.min(4, cores / 2));
        BlockingQueue<Prepared> queue = new ArrayBlockingQueue<>(Math.max(8, 2 * options.batch() * workers));
        ImageLoader loader = new ImageLoader(options.maxPixels());
        AtomicInteger next = new AtomicInteger();
        AtomicInteger computed = new AtomicInteger();
        ExecutorService decodePool = Executors.newFixedThreadPool(decoders, daemon("decode"));
        ExecutorService workerPool = Executors.newFixedThreadPool(workers, daemon("encode"));
        Map<String, float[]> pending = new LinkedHashMap<>();
        // Set when a worker fails, so that decoders stop waiting for room in the queue.
        AtomicBoolean abort = new AtomicBoolean();
        try (Progress progress = Progress.start("features", todo.size(), "images")) {
            List<Future<?>> decoding = new ArrayList<>();
            for (int d = 0; d < decoders; d++) {
                decoding.add(decodePool.submit(() -> {
                    for (int i = next.getAndIncrement(); i < todo.size(); i = next.getAndIncrement()) {
                        ImageRecord r = todo.get(i);
                        try {
                            Prepared p = new Prepared(r.name(), prepare(dataset, r, encoder, loader));
                            while (!queue.offer(p, 100, TimeUnit.MILLISECONDS)) {
                                if (abort.get()) {
                                    return null;
                                }
                            }
                        } catch (IOException | RuntimeException e) {
                            String reason = e instanceof CaptionerException ? e.getMessage()
                                    : dataset.describe(r) + ": " + e;
                            failures.add(new Failure(r.name(), reason));
                            log.println("features: skipped " + reason);
                            progress.step();
                        }
                    }
                    return null;
                }));
            }
            List<Future<?>> encoding = new ArrayList<>();
            for (int w = 0; w < workers; w++) {
                encoding.add(workerPool.submit(() -> {
                    List<Prepared> batch = new ArrayList<>(options.batch());
                    try {
                        return work(queue, batch, options, encoder, pending, checkpoint, computed, progress, abort);
                    } catch (RuntimeException e) {
                        abort.set(true);
                        throw e;
                    }
                }));
            }
            for (Future<?> f : decoding) {
                f.get();
            }
            for (int w = 0; w < workers && !abort.get(); w++) {
                while (!queue.offer(END, 100, TimeUnit.MILLISECONDS) && !abort.get()) {
                    // a worker is still busy; wait for room
                }
            }
            for (Future<?> f : encoding) {
                f.get();
            }
            synchronized (pending) {
                checkpoint.append(pending);
                pending.clear();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new CaptionerException("feature extraction interrupted (run again to continue)", e);
        } catch (ExecutionException e) {
            Throwable cause = e.getCause();
            if (cause instanceof RuntimeException re) {
                throw re;
            }
            throw new CaptionerException("feature extraction failed: " + cause.getMessage(), cause);
        } finally {
            decodePool.shutdownNow();
            workerPool.shutdownNow();
            try {
                workerPool.awaitTermination(10, TimeUnit.SECONDS);
            } catch (InterruptedException ignored) {
                Thread.currentThread().interrupt();
            }
        }
        return computed.get();
    }

    /** One worker: takes batches off the queue until it meets {@link #END} or the run aborts. */
    private Object work(BlockingQueue<Prepared> queue, List<Prepared> batch, Options options, ImageEncoder encoder,
            Map<String, float[]> pending, FeatureCheckpoint checkpoint, AtomicInteger computed, Progress progress,
            AtomicBoolean abort) throws InterruptedException {
        while (true) {
            Prepared first = queue.poll(100, TimeUnit.MILLISECONDS);
            if (first == null) {
                if (abort.get()) {
                    return null;
                }
                continue;
            }
            if (first == END) {
                return null;
            }
            batch.clear();
            batch.add(first);
            queue.drainTo(batch, options.batch() - 1);
            int ends = 0;
            while (batch.remove(END)) {
                ends++;
            }
            // The end marks belong one to each worker: keep one, hand back the others.
            for (int i = 1; i < ends; i++) {
                queue.put(END);
            }
            if (!batch.isEmpty()) {
                encode(encoder, batch, pending, checkpoint);
                computed.addAndGet(batch.size());
                progress.stepBy(batch.size());
            }
            if (ends > 0) {
                return null;
            }
        }
    }

    private static float[] prepare(Dataset dataset, ImageRecord r, ImageEncoder encoder, ImageLoader loader)
            throws IOException {
        byte[] bytes;
        try (InputStream in = dataset.open(r)) {
            bytes = in.readAllBytes();
        }
        RgbImage img = loader.decode(bytes, dataset.describe(r));
        return encoder.preprocessing().toChw(KerasResize.nearest(img, encoder.imageSize(), encoder.imageSize()));
    }

    private void encode(ImageEncoder encoder, List<Prepared> batch, Map<String, float[]> pending,
            FeatureCheckpoint checkpoint) {
        int per = batch.get(0).input().length;
        float[] input = new float[batch.size() * per];
        for (int i = 0; i < batch.size(); i++) {
            System.arraycopy(batch.get(i).input(), 0, input, i * per, per);
        }
        float[][] features = encoder.encode(input, batch.size());
        synchronized (pending) {
            for (int i = 0; i < batch.size(); i++) {
                pending.put(batch.get(i).id(), features[i]);
            }
            if (pending.size() >= checkpointRows) {
                checkpoint.append(pending);
                pending.clear();
            }
        }
    }

    private static ThreadFactory daemon(String name) {
        AtomicInteger n = new AtomicInteger();
        return r -> {
            Thread t = new Thread(r, "captioner-" + name + "-" + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        };
    }
}
