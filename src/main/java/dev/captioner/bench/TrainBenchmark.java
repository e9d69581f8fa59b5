package dev.captioner.bench;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDManager;
import ai.djl.training.ParameterStore;
import dev.captioner.features.FeatureRows;
import dev.captioner.features.FeatureSet;
import dev.captioner.features.FeatureStore;
import dev.captioner.train.AdamOptimizer;
import dev.captioner.model.Architecture;
import dev.captioner.train.CaptionBatches;
import dev.captioner.train.CaptionExample;
import dev.captioner.model.CaptionNet;
import dev.captioner.train.CrossEntropyObjective;
import dev.captioner.model.ModelConfig;
import dev.captioner.model.ModelSpec;
import dev.captioner.train.Objective;
import dev.captioner.util.EngineThreads;
import dev.captioner.vision.GridShape;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/**
 * Training throughput on Flickr8k-shaped random data (by default 6,000 images × 5 captions, mean
 * length 12 and longest 34 tokens with markers, vocabulary 7,579, 4,096-d features, or for the
 * attention model 14 × 14 × 512 grids): next-word predictions per second ("tokens/s", the Keras tutorial's
 * prefix pairs per second) for each objective, the seconds a full epoch takes, and the memory
 * used. Grids are written to a scratch feature file and read from it on demand, as training on a
 * real grid store does.
 */
public final class TrainBenchmark {

    /**
     * Shape of the synthetic training set.
     *
     * @param images images
     * @param captionsPerImage captions per image
     * @param vocabulary vocabulary size
     * @param featureDim feature length
     * @param meanLength mean tokens per caption, markers included
     * @param maxLength longest caption
     * @param batchSize captions per step
     */
    public record Shape(int images, int captionsPerImage, int vocabulary, int featureDim, int meanLength, int maxLength,
            int batchSize) {

        /** @return Flickr8k's shape with the Keras tutorial's VGG16 features */
        public static Shape flickr8k() {
            return new Shape(6000, 5, 7579, 4096, 12, 34, 64);
        }

        /** @return Flickr8k's shape with VGG16 {@code block5_conv3} grids, 196 × 512 */
        public static Shape flickr8kGrid() {
            return new Shape(6000, 5, 7579, FLICKR8K_GRID.size(), 12, 34, 64);
        }
    }

    /** VGG16's {@code block5_conv3} grid at 224 px. */
    public static final GridShape FLICKR8K_GRID = new GridShape(14, 14, 512);

    /**
     * A measurement.
     *
     * @param objective sequence or pairs
     * @param batches batches timed
     * @param tokens next-word predictions trained
     * @param seconds wall time
     * @param tokensPerSecond throughput
     * @param epochSeconds time of a full epoch (measured, or extrapolated from the batches timed)
     */
    public record Result(String objective, int batches, long tokens, double seconds, double tokensPerSecond,
            double epochSeconds) {}

    /**
     * A measurement with the memory it took.
     *
     * @param architecture the model trained
     * @param result speed
     * @param peakHeapMib the most heap in use at once during the run
     * @param peakRssMib the process's peak resident memory, heap and native (PyTorch's tensors)
     *     together; the page cache holding the feature file is not in it ({@code -1} without
     *     Linux's {@code /proc})
     * @param featureFileMib the scratch feature file's size (0 when the features were in memory)
     */
    public record Measured(String architecture, Result result, long peakHeapMib, long peakRssMib, long featureFileMib) {}

    private TrainBenchmark() {}

    /**
     * @param shape the synthetic data's sizes
     * @param architecture the network
     * @param grid the grid the features are, or null for pooled vectors of {@code shape.featureDim()}
     * @return a 256-wide model of that architecture on that data
     */
    public static ModelConfig config(Shape shape, Architecture architecture, GridShape grid) {
        return ModelConfig.of(ModelSpec.defaults(architecture), shape.vocabulary(), shape.maxLength(),
                new ModelConfig.EncoderInfo("random", grid == null ? shape.featureDim() : grid.size(), 224, "random", null,
                        grid), null);
    }

    /**
     * @param config a model
     * @param shape the data it trains on
     * @return training FLOPs per predicted word (see {@link CaptionNet.MultiplyAdds})
     */
    public static double flopsPerWord(ModelConfig config, Shape shape) {
        return CaptionNet.create(config).multiplyAdds().trainingFlopsPerWord(shape.meanLength() - 1);
    }

    /**
     * A model that reads pooled vectors, trained on random 4,096-d features held in memory.
     *
     * @param shape the synthetic data
     * @param architecture a network that reads pooled vectors
     * @param objective what to train
     * @param maxBatches batches to time (0 for a whole epoch)
     * @param seed data and initialisation seed
     * @return the measurement
     */
    public static Result run(Shape shape, Architecture architecture, Objective objective, int maxBatches, long seed) {
        Random r = new Random(seed);
        float[][] features = new float[shape.images()][shape.featureDim()];
        FeatureRows rows = FeatureRows.of(features, shape.featureDim());
        for (float[] row : features) {
            for (int j = 0; j < row.length; j++) {
                row[j] = (float) Math.max(0, r.nextGaussian());
            }
        }
        return train(shape, config(shape, architecture, null), rows, objective, maxBatches, seed, r);
    }

    /**
     * A model that reads grids, on grids stored in a scratch feature file under {@code scratch}
     * (deleted afterwards) and read on demand, with the memory it took.
     *
     * @param shape the synthetic data; {@code featureDim} must be {@link #FLICKR8K_GRID}'s size or
     *     another square grid of 512-d annotations
     * @param architecture a network that reads grids
     * @param maxBatches batches to time (0 for a whole epoch)
     * @param seed data and initialisation seed
     * @param scratch a folder for the feature file
     * @return the measurement
     */
    public static Measured gridded(Shape shape, Architecture architecture, int maxBatches, long seed, Path scratch)
            throws IOException {
        int side = (int) Math.round(Math.sqrt(shape.featureDim() / 512.0));
        GridShape grid = new GridShape(side, side, 512);
        if (grid.size() != shape.featureDim()) {
            throw new IllegalArgumentException("feature_dim " + shape.featureDim() + " is not a square grid of 512-d vectors");
        }
        Path file = Files.createTempFile(Files.createDirectories(scratch), "bench-grid", ".h5");
        try {
            List<String> ids = new ArrayList<>();
            for (int i = 0; i < shape.images(); i++) {
                ids.add("image" + i);
            }
            // Each row drawn from its own seed, so the file is written without holding it all.
            FeatureRows generated = new FeatureRows() {
                @Override
                public int size() {
                    return shape.images();
                }

                @Override
                public int dim() {
                    return grid.size();
                }

                @Override
                public void copy(int row, float[] dst, int offset) {
                    Random g = new Random(seed * 1_000_003L + row);
                    for (int j = 0; j < grid.size(); j++) {
                        // ReLU outputs: about half zeros, the rest positive.
                        float v = g.nextFloat() * 2 - 1;
                        dst[offset + j] = Math.max(0, v);
                    }
                }
            };
            FeatureStore.write(file, new FeatureSet(ids, generated, "random", grid.size(), "random", 224, null, grid));
            FeatureSet stored = FeatureStore.read(file);
            ModelConfig config = config(shape, architecture, grid);
            Memory.resetPeaks();
            Result result = train(shape, config, stored.rows(), Objective.SEQUENCE, maxBatches, seed, new Random(seed));
            return new Measured(architecture.id(), result, Memory.peakHeapMib(), Memory.peakRssMib(), Files.size(file) >> 20);
        } finally {
            Files.deleteIfExists(file);
        }
    }

    private static Result train(Shape shape, ModelConfig config, FeatureRows rows, Objective objective, int maxBatches,
            long seed, Random r) {
        List<CaptionExample> examples = new ArrayList<>();
        long totalTokens = 0;
        for (int i = 0; i < shape.images(); i++) {
            for (int c = 0; c < shape.captionsPerImage(); c++) {
                int len = (int) Math.round(shape.meanLength() + r.nextGaussian() * 3.5);
                len = examples.size() % 997 == 0 ? shape.maxLength() : Math.max(3, Math.min(shape.maxLength(), len));
                int[] tokens = new int[len];
                tokens[0] = 1;
                tokens[len - 1] = 2;
                for (int k = 1; k < len - 1; k++) {
                    // Zipf-like word frequencies, as in real captions.
                    tokens[k] = 3 + (int) Math.min(shape.vocabulary() - 4, Math.floor(Math.pow(r.nextDouble(), 3) * (shape.vocabulary() - 3)));
                }
                examples.add(new CaptionExample(i, tokens));
                totalTokens += len - 1;
            }
        }
        EngineThreads.set(Runtime.getRuntime().availableProcessors());
        Engine.getInstance().setRandomSeed((int) seed);
        try (NDManager manager = NDManager.newBaseManager()) {
            CaptionNet net = CaptionNet.create(config);
            net.initialize(manager);
            try (AdamOptimizer adam = new AdamOptimizer(net.getParameters(), 1e-3f, 5f, manager)) {
                ParameterStore ps = new ParameterStore(manager, false);
                List<List<CaptionExample>> batches = CaptionBatches.shuffled(examples, shape.batchSize(), new Random(seed));
                // Warm-up: the first steps allocate and tune kernels.
                for (int i = 0; i < 3; i++) {
                    CrossEntropyObjective.step(net, adam, ps, manager, batches.get(i), rows, objective);
                }
                int n = maxBatches <= 0 ? batches.size() : Math.min(maxBatches, batches.size());
                long tokens = 0;
                long start = System.nanoTime();
                for (int i = 0; i < n; i++) {
                    tokens += (long) CrossEntropyObjective.step(net, adam, ps, manager, batches.get(i), rows, objective)[1];
                }
                double seconds = (System.nanoTime() - start) / 1e9;
                double rate = tokens / seconds;
                return new Result(objective.id(), n, tokens, seconds, rate, n == batches.size() ? seconds : totalTokens / rate);
            }
        }
    }
}
