package dev.captioner.vision;

import dev.captioner.image.RgbImage;
import dev.captioner.image.Preprocessing;
import dev.captioner.image.ImageLoader;
import ai.djl.Model;
import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.DefaultTrainingConfig;
import ai.djl.training.GradientCollector;
import ai.djl.training.Trainer;
import ai.djl.training.loss.Loss;
import ai.djl.training.optimizer.Optimizer;
import ai.djl.training.tracker.Tracker;
import dev.captioner.data.Cleaning;
import dev.captioner.data.Dataset;
import dev.captioner.data.ImageRecord;
import dev.captioner.data.Split;
import dev.captioner.util.AtomicFiles;
import dev.captioner.util.CaptionerException;
import dev.captioner.util.Progress;
import java.io.BufferedOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * Trains the concepts encoder: a small CNN that predicts which frequent words and word pairs of
 * an image's captions apply to it (multi-label, sigmoid cross-entropy), for data and machines
 * without pretrained weights. Its penultimate layer becomes the image feature.
 */
public final class ConceptsTrainer {

    /**
     * What to train.
     *
     * @param imageSize input size in pixels
     * @param labels how many concepts
     * @param epochs passes over the training split
     * @param batchSize images per step
     * @param learningRate Adam's learning rate
     * @param featureDim feature length
     * @param seed seed of initialisation and shuffling
     * @param cleaning how captions are cleaned into words
     */
    public record Options(int imageSize, int labels, int epochs, int batchSize, float learningRate, int featureDim,
            long seed, Cleaning cleaning) {

        /** Validates the settings, with the limits {@link ConceptsConfig} holds the saved encoder to. */
        public Options {
            if (imageSize < 32 || imageSize > 256 || imageSize % 16 != 0) {
                throw new IllegalArgumentException("size must be a multiple of 16 from 32 to 256, was " + imageSize);
            }
            if (labels < 1 || labels > 4096) {
                throw new IllegalArgumentException("labels must be between 1 and 4096, was " + labels);
            }
            if (epochs < 1 || epochs > 10_000) {
                throw new IllegalArgumentException("epochs must be between 1 and 10000, was " + epochs);
            }
            if (batchSize < 1 || batchSize > 4096) {
                throw new IllegalArgumentException("batch size must be between 1 and 4096, was " + batchSize);
            }
            if (!(learningRate > 0 && learningRate < 10) || featureDim < 1 || cleaning == null) {
                throw new IllegalArgumentException("learning rate must be in (0, 10), feature size positive, cleaning set");
            }
        }

        /** Defaults: 64 px, 96 concepts, 12 epochs, batch 32, lr 2e-3, 256-d, seed 42, seed cleaning. */
        public static Options defaults() {
            return new Options(64, 96, 12, 32, 2e-3f, 256, 42, Cleaning.SEED);
        }
    }

    /** One image, resized, with its concept targets. */
    private record Example(byte[] rgb, float[] targets) {}

    private final PrintStream log;

    /** @param log where progress lines go (stderr in the CLI) */
    public ConceptsTrainer(PrintStream log) {
        this.log = log;
    }

    /**
     * Trains on the dataset's training split, scores on dev, and writes the encoder directory.
     *
     * @param dataset the data
     * @param options settings
     * @param out directory to write {@code concepts.json} and {@code concepts.params} into
     * @return the saved settings, with the dev mean average precision
     */
    public ConceptsConfig train(Dataset dataset, Options options, Path out) {
        List<ImageRecord> train = present(dataset, Split.TRAIN);
        List<ImageRecord> dev = present(dataset, Split.DEV);
        if (train.isEmpty()) {
            throw new CaptionerException(dataset.location() + ": no training images with files to train the encoder on");
        }
        List<List<List<String>>> trainWords = new ArrayList<>();
        for (ImageRecord r : train) {
            trainWords.add(words(r, options.cleaning()));
        }
        List<String> labels = ConceptLabels.select(trainWords, options.labels());
        if (labels.isEmpty()) {
            throw new CaptionerException(dataset.location() + ": the training captions have no concepts to learn");
        }
        ConceptsConfig config = new ConceptsConfig(options.imageSize(), List.of(16, 32, 64, 64), options.featureDim(),
                labels, options.epochs(), options.batchSize(), options.learningRate(), options.seed(), null);
        List<Example> trainSet = load(dataset, train, config, options.cleaning());
        List<Example> devSet = load(dataset, dev, config, options.cleaning());
        log.printf(Locale.ROOT, "concepts: %d labels, %d training and %d dev images at %d px%n", labels.size(),
                trainSet.size(), devSet.size(), config.imageSize());

        Engine.getInstance().setRandomSeed((int) options.seed());
        ConceptsNet net = new ConceptsNet(config);
        try (Model model = Model.newInstance("concepts")) {
            model.setBlock(net.full);
            DefaultTrainingConfig tc = new DefaultTrainingConfig(Loss.sigmoidBinaryCrossEntropyLoss())
                    .optOptimizer(Optimizer.adam().optLearningRateTracker(Tracker.fixed(options.learningRate())).build());
            try (Trainer trainer = model.newTrainer(tc)) {
                trainer.initialize(new Shape(1, 3, config.imageSize(), config.imageSize()));
                Random random = new Random(options.seed());
                for (int epoch = 1; epoch <= options.epochs(); epoch++) {
                    double loss = epoch(trainer, trainSet, config, random, epoch);
                    log.printf(Locale.ROOT, "concepts: epoch %d/%d loss %.4f%n", epoch, options.epochs(), loss);
                }
                double map = devSet.isEmpty() ? Double.NaN : meanAveragePrecision(trainer, devSet, config);
                log.printf(Locale.ROOT, "concepts: dev mean average precision %.3f over %d labels%n", map, labels.size());
                ConceptsConfig done = config.withDevMap(map);
                save(net, done, out);
                return done;
            }
        }
    }

    private static List<ImageRecord> present(Dataset dataset, Split split) {
        return dataset.images(split).stream().filter(ImageRecord::present).toList();
    }

    private static List<List<String>> words(ImageRecord r, Cleaning cleaning) {
        List<List<String>> out = new ArrayList<>();
        for (String c : r.captions()) {
            out.add(cleaning.words(c));
        }
        return out;
    }

    private List<Example> load(Dataset dataset, List<ImageRecord> images, ConceptsConfig config, Cleaning cleaning) {
        ImageLoader loader = ImageLoader.withDefaults();
        int threads = Math.max(1, Runtime.getRuntime().availableProcessors());
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        try {
            List<Future<Example>> futures = new ArrayList<>();
            for (ImageRecord r : images) {
                futures.add(pool.submit(() -> {
                    RgbImage img;
                    try (InputStream in = dataset.open(r)) {
                        img = ImageInputs.resized(loader.read(in, dataset.describe(r)), config.imageSize());
                    }
                    return new Example(img.rgb(), ConceptLabels.targets(config.labels(), words(r, cleaning)));
                }));
            }
            List<Example> out = new ArrayList<>();
            int failed = 0;
            for (Future<Example> f : futures) {
                try {
                    out.add(f.get());
                } catch (Exception e) {
                    failed++;
                    if (failed <= 10) {
                        log.println("concepts: skipped: " + (e.getCause() == null ? e : e.getCause()).getMessage());
                    }
                }
            }
            if (failed > 10) {
                log.println("concepts: skipped " + failed + " unreadable images in all");
            }
            return out;
        } finally {
            pool.shutdownNow();
        }
    }

    /** @return {@code [B, 3, S, S]} network input of a batch of examples (already resized), channels last */
    private static NDArray inputs(NDManager m, List<Example> batch, ConceptsConfig config) {
        int s = config.imageSize();
        List<float[]> x = batch.stream().map(e -> ImageInputs.of(new RgbImage(s, s, e.rgb()), s, Preprocessing.UNIT))
                .toList();
        return ChannelsLast.of(m.create(ImageInputs.batch(x), new Shape(batch.size(), 3, s, s)));
    }

    private double epoch(Trainer trainer, List<Example> data, ConceptsConfig config, Random random, int epoch) {
        List<Example> order = new ArrayList<>(data);
        Collections.shuffle(order, random);
        double total = 0;
        int steps = 0;
        try (Progress progress = Progress.start(log, "concepts epoch " + epoch, order.size(), "images")) {
            for (int i = 0; i < order.size(); i += config.batchSize()) {
                List<Example> batch = order.subList(i, Math.min(order.size(), i + config.batchSize()));
                try (NDManager m = trainer.getManager().newSubManager()) {
                    NDArray x = inputs(m, batch, config);
                    float[] t = new float[batch.size() * config.labels().size()];
                    for (int j = 0; j < batch.size(); j++) {
                        System.arraycopy(batch.get(j).targets(), 0, t, j * config.labels().size(), config.labels().size());
                    }
                    NDArray y = m.create(t, new Shape(batch.size(), config.labels().size()));
                    try (GradientCollector gc = trainer.newGradientCollector()) {
                        NDArray logits = trainer.forward(new NDList(x)).singletonOrThrow();
                        NDArray loss = trainer.getLoss().evaluate(new NDList(y), new NDList(logits));
                        gc.backward(loss);
                        total += loss.getFloat();
                    }
                    trainer.step();
                }
                steps++;
                progress.stepBy(batch.size());
                progress.message(String.format(Locale.ROOT, "loss %.4f", total / steps));
            }
        }
        return total / Math.max(1, steps);
    }

    private static double meanAveragePrecision(Trainer trainer, List<Example> dev, ConceptsConfig config) {
        float[][] scores = new float[dev.size()][];
        float[][] targets = new float[dev.size()][];
        for (int i = 0; i < dev.size(); i += 64) {
            List<Example> batch = dev.subList(i, Math.min(dev.size(), i + 64));
            try (NDManager m = trainer.getManager().newSubManager()) {
                NDArray logits = trainer.evaluate(new NDList(inputs(m, batch, config))).singletonOrThrow();
                float[] flat = logits.toFloatArray();
                int k = config.labels().size();
                for (int j = 0; j < batch.size(); j++) {
                    scores[i + j] = java.util.Arrays.copyOfRange(flat, j * k, (j + 1) * k);
                    targets[i + j] = batch.get(j).targets();
                }
            }
        }
        return ConceptLabels.meanAveragePrecision(scores, targets);
    }

    private static void save(ConceptsNet net, ConceptsConfig config, Path out) {
        try {
            Files.createDirectories(out);
        } catch (IOException e) {
            throw new CaptionerException(out + ": cannot create: " + e.getMessage(), e);
        }
        // Parameters first, settings last: a directory with concepts.json is complete.
        AtomicFiles.write(out.resolve(ConceptsEncoder.PARAMS), o -> {
            DataOutputStream data = new DataOutputStream(new BufferedOutputStream(o));
            net.full.saveParameters(data);
            data.flush();
        });
        config.save(out);
    }
}
