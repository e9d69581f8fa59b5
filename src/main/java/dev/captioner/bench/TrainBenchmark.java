package dev.captioner.bench;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDManager;
import ai.djl.training.ParameterStore;
import dev.captioner.data.Cleaning;
import dev.captioner.features.FeatureRows;
import dev.captioner.model.AdamOptimizer;
import dev.captioner.model.Architecture;
import dev.captioner.model.CaptionBatches;
import dev.captioner.model.CaptionExample;
import dev.captioner.model.CaptionNet;
import dev.captioner.model.CaptionTrainer;
import dev.captioner.model.ModelConfig;
import dev.captioner.model.Objective;
import dev.captioner.util.Torch;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/**
 * Training throughput on Flickr8k-shaped random data (by default 6,000 images × 5 captions, mean
 * length 12 and longest 34 tokens with markers, vocabulary 7,579, 4,096-d features): next-word
 * predictions per second ("tokens/s", the seed's prefix pairs per second) for each objective,
 * and the seconds a full epoch takes.
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

        /** @return Flickr8k's shape with the seed's VGG16 features */
        public static Shape flickr8k() {
            return new Shape(6000, 5, 7579, 4096, 12, 34, 64);
        }
    }

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

    private TrainBenchmark() {}

    /**
     * @param shape the synthetic data
     * @param objective what to train
     * @param maxBatches batches to time (0 for a whole epoch)
     * @param seed data and initialisation seed
     * @return the measurement
     */
    public static Result run(Shape shape, Objective objective, int maxBatches, long seed) {
        Random r = new Random(seed);
        float[][] features = new float[shape.images()][shape.featureDim()];
        FeatureRows rows = FeatureRows.of(features, shape.featureDim());
        for (float[] row : features) {
            for (int j = 0; j < row.length; j++) {
                row[j] = (float) Math.max(0, r.nextGaussian());
            }
        }
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
        ModelConfig config = new ModelConfig(Architecture.MERGE, 256, 256, 0.5f, shape.vocabulary(), shape.maxLength(),
                Cleaning.SEED, 1, new ModelConfig.EncoderInfo("random", shape.featureDim(), 224, "random", null), null);
        Torch.intraOpThreads(Runtime.getRuntime().availableProcessors());
        Engine.getInstance().setRandomSeed((int) seed);
        try (NDManager manager = NDManager.newBaseManager()) {
            CaptionNet net = CaptionNet.create(config);
            net.initialize(manager);
            try (AdamOptimizer adam = new AdamOptimizer(net.getParameters(), 1e-3f, 5f, manager)) {
                ParameterStore ps = new ParameterStore(manager, false);
                List<List<CaptionExample>> batches = CaptionBatches.shuffled(examples, shape.batchSize(), new Random(seed));
                // Warm-up: the first steps allocate and tune kernels.
                for (int i = 0; i < 3; i++) {
                    CaptionTrainer.step(net, adam, ps, manager, batches.get(i), rows, objective);
                }
                int n = maxBatches <= 0 ? batches.size() : Math.min(maxBatches, batches.size());
                long tokens = 0;
                long start = System.nanoTime();
                for (int i = 0; i < n; i++) {
                    tokens += (long) CaptionTrainer.step(net, adam, ps, manager, batches.get(i), rows, objective)[1];
                }
                double seconds = (System.nanoTime() - start) / 1e9;
                double rate = tokens / seconds;
                return new Result(objective.id(), n, tokens, seconds, rate, n == batches.size() ? seconds : totalTokens / rate);
            }
        }
    }
}
