package dev.captioner.features;

import dev.captioner.data.Dataset;
import dev.captioner.data.ImageRecord;
import dev.captioner.util.AtomicFiles;
import dev.captioner.util.CaptionerException;
import dev.captioner.util.EngineThreads;
import dev.captioner.util.Progress;
import dev.captioner.vision.ImageEncoder;
import dev.captioner.image.ImageLoader;
import dev.captioner.vision.ImageInputs;
import dev.captioner.image.MemoryBudget;
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
     * @param threads workers running the network at once (they share the cores, see
     *     {@link EngineThreads})
     * @param maxPixels largest image accepted, in pixels
     */
    public record Spec(int batch, int threads, long maxPixels) {

        /** Validates the settings. */
        public Spec {
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

        /** @return one image per call and one worker per core (fastest on CPUs, see README) */
        public static Spec defaults() {
            return new Spec(1, Runtime.getRuntime().availableProcessors(), ImageLoader.DEFAULT_MAX_PIXELS);
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

    /** A batch's decoded images; the empty batch tells a worker to stop. */
    private static final List<Prepared> END = List.of();
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
    public Result extract(Dataset dataset, List<ImageRecord> images, ImageEncoder encoder, Path out, Spec options) {
        FeatureCheckpoint.Meta meta = new FeatureCheckpoint.Meta(encoder.name(), encoder.weightsSha256(),
                encoder.featureDim(), encoder.imageSize(), encoder.grid() == null ? "pooled" : encoder.grid().toString());
        // A kill during the final write leaves a temporary store behind; each rerun would add one.
        int stale = AtomicFiles.removeStaleTemporaries(out);
        if (stale > 0) {
            log.println("features: removed " + stale + " unfinished temporary file" + (stale == 1 ? "" : "s") + " of "
                    + out.getFileName() + " left by an interrupted run");
        }
        Map<String, RowRef> done = new LinkedHashMap<>(previous(out, meta));
        FeatureCheckpoint checkpoint = FeatureCheckpoint.open(out, meta, log);
        done.putAll(checkpoint.rows());
        Plan plan = Plan.of(images, done, options.batch());
        int reused = plan.reused();
        int missing = plan.missing();
        List<List<ImageRecord>> todo = plan.todo();
        int todoImages = plan.todoImages();
        if (missing > 0) {
            log.println("features: " + missing + " image" + (missing == 1 ? "" : "s")
                    + " named by the captions have no file; skipped");
        }
        List<Failure> failures = Collections.synchronizedList(new ArrayList<>());
        if (!todo.isEmpty()) {
            log.printf(java.util.Locale.ROOT, "features: encoding %d images with %s (%d reused)%n", todoImages,
                    encoder.name(), reused);
        }
        int computed = todo.isEmpty() ? 0 : run(dataset, todo, todoImages, encoder, checkpoint, options, failures);
        done.putAll(checkpoint.rows());

        FeatureSet set = assemble(images, done, encoder);
        FeatureStore.write(out, set);
        checkpoint.delete();
        return new Result(FeatureStore.read(out), computed, reused, List.copyOf(failures), missing);
    }

    /**
     * The images still to encode, in fixed slices of the image list.
     *
     * @param todo batches to encode
     * @param todoImages images in them
     * @param reused images an earlier run or checkpoint already holds
     * @param missing images named by the captions with no file
     */
    private record Plan(List<List<ImageRecord>> todo, int todoImages, int reused, int missing) {

        static Plan of(List<ImageRecord> images, Map<String, RowRef> done, int batch) {
            int reused = 0;
            int missing = 0;
            // Batches are fixed slices of the image list, whatever was done before and whichever
            // worker takes them: a network's numerics depend on the batch an image is in, so an
            // interrupted and resumed run (which checkpoints whole batches) makes the same rows.
            List<List<ImageRecord>> todo = new ArrayList<>();
            int todoImages = 0;
            int lastSlice = -1;
            for (int i = 0; i < images.size(); i++) {
                ImageRecord r = images.get(i);
                if (done.containsKey(r.name())) {
                    reused++;
                } else if (!r.present()) {
                    missing++;
                } else {
                    if (i / batch != lastSlice) {
                        todo.add(new ArrayList<>());
                        lastSlice = i / batch;
                    }
                    todo.get(todo.size() - 1).add(r);
                    todoImages++;
                }
            }
            return new Plan(todo, todoImages, reused, missing);
        }
    }

    /** The rows of the wanted images, in their order, as one feature set that streams from where they are. */
    private static FeatureSet assemble(List<ImageRecord> images, Map<String, RowRef> done, ImageEncoder encoder) {
        List<String> ids = new ArrayList<>();
        List<RowRef> rows = new ArrayList<>();
        for (ImageRecord r : images) {
            RowRef row = done.get(r.name());
            if (row != null) {
                ids.add(r.name());
                rows.add(row);
            }
        }
        // Rows stream from the earlier file and the checkpoint chunks into the new file; then the
        // result is read back from it, so no step holds every row in the heap.
        return new FeatureSet(ids, RowRef.concat(rows, encoder.featureDim()),
                encoder.name(), encoder.featureDim(), encoder.weightsSha256(), encoder.imageSize(),
                encoder.weightsLocation() == null ? null : encoder.weightsLocation().toString(), encoder.grid(),
                encoder.card() == null ? null : encoder.card().toJson());
    }

    /** Rows of an earlier output file made with the same encoder and weights. */
    private Map<String, RowRef> previous(Path out, FeatureCheckpoint.Meta meta) {
        Map<String, RowRef> rows = new LinkedHashMap<>();
        if (!Files.isRegularFile(out)) {
            return rows;
        }
        try {
            FeatureSet old = FeatureStore.read(out);
            String oldGrid = old.grid() == null ? "pooled" : old.grid().toString();
            if (old.encoder().equals(meta.encoder()) && old.weightsSha256().equals(meta.weightsSha256())
                    && old.featureDim() == meta.featureDim() && old.imageSize() == meta.imageSize()
                    && oldGrid.equals(meta.grid())) {
                for (int i = 0; i < old.size(); i++) {
                    rows.put(old.ids().get(i), new RowRef(old.rows(), i));
                }
            } else {
                log.println("features: " + out + " was made with another encoder or weights; recomputing");
            }
        } catch (CaptionerException e) {
            log.println("features: ignoring unreadable " + out + ": " + e.getMessage());
        }
        return rows;
    }

    private int run(Dataset dataset, List<List<ImageRecord>> todo, int todoImages, ImageEncoder encoder,
            FeatureCheckpoint checkpoint, Spec options, List<Failure> failures) {
        int workers = Math.min(options.threads(), todo.size());
        EngineThreads.share(options.threads());
        // Decoders wait for room rather than fail: large images simply take turns.
        ImageLoader loader = new ImageLoader(options.maxPixels(), ImageLoader.DEFAULT_MAX_BYTES,
                MemoryBudget.ofHeap(0.5, null));
        try (Progress progress = Progress.start(log, "features", todoImages, "images");
                Extraction run = new Extraction(dataset, todo, encoder, checkpoint, options, loader, failures, progress,
                        workers)) {
            run.startDecoders();
            run.startWorkers();
            run.awaitDecoders();
            run.endWorkers();
            run.awaitWorkers();
            return run.computed.get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new CaptionerException("feature extraction interrupted (run again to continue)", e);
        } catch (ExecutionException e) {
            Throwable cause = e.getCause();
            if (cause instanceof RuntimeException re) {
                throw re;
            }
            throw new CaptionerException("feature extraction failed: " + cause.getMessage(), cause);
        }
    }

    /**
     * One extraction: decoder threads read, decode and prepare whole batches into a bounded
     * queue; workers take batches off it, run the network and collect rows, which are checkpointed
     * every {@link #checkpointRows} rows and, whatever happens, when the run closes, so that no
     * finished row is lost when a worker fails.
     */
    private final class Extraction implements AutoCloseable {
        private final Dataset dataset;
        private final List<List<ImageRecord>> todo;
        private final ImageEncoder encoder;
        private final FeatureCheckpoint checkpoint;
        private final Spec options;
        private final ImageLoader loader;
        private final List<Failure> failures;
        private final Progress progress;
        private final int decoders;
        private final int workers;
        private final BlockingQueue<List<Prepared>> queue;
        private final ExecutorService decodePool;
        private final ExecutorService workerPool;
        private final List<Future<?>> decoding = new ArrayList<>();
        private final List<Future<?>> encoding = new ArrayList<>();
        private final AtomicInteger next = new AtomicInteger();
        private final AtomicInteger computed = new AtomicInteger();
        private final Map<String, float[]> pending = new LinkedHashMap<>();
        /** Set when a worker fails, so that decoders stop waiting for room in the queue. */
        private final AtomicBoolean abort = new AtomicBoolean();

        Extraction(Dataset dataset, List<List<ImageRecord>> todo, ImageEncoder encoder, FeatureCheckpoint checkpoint,
                Spec options, ImageLoader loader, List<Failure> failures, Progress progress, int workers) {
            this.dataset = dataset;
            this.todo = todo;
            this.encoder = encoder;
            this.checkpoint = checkpoint;
            this.options = options;
            this.loader = loader;
            this.failures = failures;
            this.progress = progress;
            this.decoders = Math.max(1, Math.min(4, Runtime.getRuntime().availableProcessors() / 2));
            this.workers = workers;
            this.queue = new ArrayBlockingQueue<>(Math.max(2, 2 * workers));
            this.decodePool = Executors.newFixedThreadPool(decoders, daemon("decode"));
            this.workerPool = Executors.newFixedThreadPool(workers, daemon("encode"));
        }

        void startDecoders() {
            for (int d = 0; d < decoders; d++) {
                decoding.add(decodePool.submit(this::decodeAll));
            }
        }

        private Object decodeAll() throws InterruptedException {
            for (int i = next.getAndIncrement(); i < todo.size(); i = next.getAndIncrement()) {
                List<Prepared> batch = new ArrayList<>();
                for (ImageRecord r : todo.get(i)) {
                    try {
                        batch.add(new Prepared(r.name(), prepare(r)));
                    } catch (IOException | RuntimeException e) {
                        String reason = e instanceof CaptionerException ? e.getMessage() : dataset.describe(r) + ": " + e;
                        failures.add(new Failure(r.name(), reason));
                        log.println("features: skipped " + reason);
                        progress.step();
                    }
                }
                if (batch.isEmpty()) {
                    continue;
                }
                while (!queue.offer(batch, 100, TimeUnit.MILLISECONDS)) {
                    if (abort.get()) {
                        return null;
                    }
                }
            }
            return null;
        }

        private float[] prepare(ImageRecord r) throws IOException {
            try (InputStream in = dataset.open(r)) {
                return ImageInputs.of(loader.read(in, dataset.describe(r)), encoder);
            }
        }

        void startWorkers() {
            for (int w = 0; w < workers; w++) {
                encoding.add(workerPool.submit(() -> {
                    try {
                        return work();
                    } catch (RuntimeException e) {
                        abort.set(true);
                        throw e;
                    }
                }));
            }
        }

        /** One worker: takes batches off the queue until it meets {@link #END} or the run aborts. */
        private Object work() throws InterruptedException {
            while (true) {
                List<Prepared> batch = queue.poll(100, TimeUnit.MILLISECONDS);
                if (batch == null) {
                    if (abort.get()) {
                        return null;
                    }
                    continue;
                }
                if (batch.isEmpty()) {
                    return null;
                }
                encode(batch);
                computed.addAndGet(batch.size());
                progress.stepBy(batch.size());
            }
        }

        private void encode(List<Prepared> batch) {
            float[][] features = encoder.encode(batch.stream().map(Prepared::input).toList());
            synchronized (pending) {
                for (int i = 0; i < batch.size(); i++) {
                    pending.put(batch.get(i).id(), features[i]);
                }
                if (pending.size() >= checkpointRows) {
                    flush();
                }
            }
        }

        void awaitDecoders() throws InterruptedException, ExecutionException {
            for (Future<?> f : decoding) {
                f.get();
            }
        }

        void endWorkers() throws InterruptedException {
            for (int w = 0; w < workers && !abort.get(); w++) {
                while (!queue.offer(END, 100, TimeUnit.MILLISECONDS) && !abort.get()) {
                    // a worker is still busy; wait for room
                }
            }
        }

        void awaitWorkers() throws InterruptedException, ExecutionException {
            for (Future<?> f : encoding) {
                f.get();
            }
        }

        private void flush() {
            synchronized (pending) {
                checkpoint.append(pending);
                pending.clear();
            }
        }

        /** Stops the threads and checkpoints every row finished so far, failed run or not. */
        @Override
        public void close() {
            abort.set(true);
            decodePool.shutdownNow();
            workerPool.shutdownNow();
            try {
                workerPool.awaitTermination(60, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            flush();
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
