package dev.captioner.train;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import dev.captioner.data.Cleaning;
import dev.captioner.data.Dataset;
import dev.captioner.data.ImageRecord;
import dev.captioner.data.Split;
import dev.captioner.image.ImageLoader;
import dev.captioner.image.RgbImage;
import dev.captioner.util.CaptionerException;
import dev.captioner.vision.ConceptLabels;
import dev.captioner.vision.ConceptsConfig;
import dev.captioner.vision.ConceptsNet;
import dev.captioner.vision.ImageInputs;
import java.io.InputStream;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.function.IntConsumer;

/**
 * Trains the concepts encoder, a small CNN that predicts which frequent words and word pairs of
 * an image's captions apply to it, for data and machines without pretrained weights: picks the
 * concepts from the training captions, loads the images, and runs the {@link ConceptsObjective}
 * on the {@link TrainingEngine}, so an interrupted run resumes exactly. Its penultimate layer
 * becomes the image feature.
 */
public final class ConceptsTrainer {

    private final PrintStream log;
    private IntConsumer afterEpoch = e -> { };

    /** @param log where progress lines go (stderr in the CLI) */
    public ConceptsTrainer(PrintStream log) {
        this.log = log;
    }

    /** Tests use this to interrupt a run after an epoch's checkpoint is committed. */
    ConceptsTrainer afterEpoch(IntConsumer hook) {
        this.afterEpoch = hook;
        return this;
    }

    /**
     * @param out an encoder directory
     * @return whether it holds an unfinished run with a committed epoch to resume
     */
    public static boolean hasCheckpoint(Path out) {
        return TrainingEngine.hasCheckpoint(out);
    }

    /**
     * Trains on the dataset's training split, keeps the epoch with the best dev mean average
     * precision, and writes the encoder directory.
     *
     * @param dataset the data
     * @param spec settings
     * @param out directory to write {@code concepts.json} and {@code concepts.params} into
     * @param resume continue the unfinished run in {@code out}
     * @return the saved settings, with the kept epoch's dev mean average precision
     */
    public ConceptsConfig train(Dataset dataset, ConceptsSpec spec, Path out, boolean resume) {
        List<ImageRecord> train = present(dataset, Split.TRAIN);
        List<ImageRecord> dev = present(dataset, Split.DEV);
        if (train.isEmpty()) {
            throw new CaptionerException(dataset.location() + ": no training images with files to train the encoder on");
        }
        List<List<List<String>>> trainWords = new ArrayList<>();
        for (ImageRecord r : train) {
            trainWords.add(words(r, spec.cleaning()));
        }
        List<String> labels = ConceptLabels.select(trainWords, spec.labels());
        if (labels.isEmpty()) {
            throw new CaptionerException(dataset.location() + ": the training captions have no concepts to learn");
        }
        ConceptsConfig config = new ConceptsConfig(spec.imageSize(), List.of(16, 32, 64, 64), spec.featureDim(),
                labels, spec.epochs(), spec.batchSize(), spec.learningRate(), spec.seed(), null);
        ConceptsObjective objective = new ConceptsObjective(out, config, spec, log);
        TrainingEngine engine = new TrainingEngine(log).afterEpoch(afterEpoch);
        Optional<Path> checkpoint = engine.prepare(objective, resume);
        objective.examples(load(dataset, train, config, spec.cleaning()), load(dataset, dev, config, spec.cleaning()));
        Engine.getInstance().setRandomSeed(RandomSeeds.initialisation(spec.seed()));
        try (NDManager manager = NDManager.newBaseManager()) {
            ConceptsNet net = new ConceptsNet(config);
            net.network().initialize(manager, DataType.FLOAT32, new Shape(1, 3, config.imageSize(), config.imageSize()));
            // DJL's Adam, as this encoder was first trained with: epsilon 1e-8, no clipping.
            try (AdamOptimizer adam = new AdamOptimizer(net.network().getParameters(), spec.learningRate(),
                    Float.POSITIVE_INFINITY, manager).epsilon(1e-8f)) {
                objective.attach(net, adam, manager);
                engine.run(objective, checkpoint);
            }
        }
        return ConceptsConfig.load(out);
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

    /** Reads and resizes the images in parallel; one that cannot be read is skipped and reported. */
    private List<ConceptsObjective.Example> load(Dataset dataset, List<ImageRecord> images, ConceptsConfig config,
            Cleaning cleaning) {
        ImageLoader loader = ImageLoader.withDefaults();
        int threads = Math.max(1, Runtime.getRuntime().availableProcessors());
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        try {
            List<Future<ConceptsObjective.Example>> futures = new ArrayList<>();
            for (ImageRecord r : images) {
                futures.add(pool.submit(() -> {
                    RgbImage img;
                    try (InputStream in = dataset.open(r)) {
                        img = ImageInputs.resized(loader.read(in, dataset.describe(r)), config.imageSize());
                    }
                    return new ConceptsObjective.Example(img, ConceptLabels.targets(config.labels(), words(r, cleaning)));
                }));
            }
            List<ConceptsObjective.Example> out = new ArrayList<>();
            int failed = 0;
            for (Future<ConceptsObjective.Example> f : futures) {
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
}
