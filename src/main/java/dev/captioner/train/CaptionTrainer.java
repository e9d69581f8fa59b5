package dev.captioner.train;

import dev.captioner.model.EpochRecord;

import dev.captioner.model.ModelSpec;
import dev.captioner.model.ModelDirectory;
import dev.captioner.model.ModelConfig;
import dev.captioner.model.Decay;
import dev.captioner.model.CaptionNet;
import dev.captioner.model.Architecture;
import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.training.GradientCollector;
import ai.djl.training.ParameterStore;
import dev.captioner.data.Dataset;
import dev.captioner.data.ImageRecord;
import dev.captioner.data.Split;
import dev.captioner.data.Vocabulary;
import dev.captioner.features.FeatureRows;
import dev.captioner.features.FeatureSet;
import dev.captioner.util.AtomicFiles;
import dev.captioner.util.CaptionerException;
import dev.captioner.util.FileTrees;
import dev.captioner.util.EngineThreads;
import dev.captioner.util.Progress;
import dev.captioner.util.Torch;
import dev.captioner.vision.EncoderCard;
import dev.captioner.vision.EncoderType;
import dev.captioner.vision.Encoders;
import dev.captioner.vision.FeatureKind;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.function.BiConsumer;
import java.util.function.Consumer;

/**
 * Trains a caption model on a dataset's training split and its image features: builds the
 * vocabulary, the examples and the model's configuration, then runs the
 * {@link CrossEntropyObjective} on the {@link TrainingEngine}, which commits every finished epoch,
 * so {@code --resume} continues an interrupted run (even one killed with {@code kill -9}) and
 * ends where an uninterrupted run would. The model directory becomes loadable
 * ({@code config.json} written) only when training ends.
 */
public final class CaptionTrainer {

    /**
     * What a run produced.
     *
     * @param config the model's configuration
     * @param history every epoch
     * @param bestEpoch the epoch whose parameters were kept
     * @param stoppedEarly whether patience ran out before the last epoch
     */
    public record Result(ModelConfig config, List<EpochRecord> history, int bestEpoch, boolean stoppedEarly) {}

    private final PrintStream log;
    private Consumer<List<EpochRecord>> onEpoch = history -> { };
    private BiConsumer<Integer, CaptionNet> afterEpoch = (epoch, net) -> { };

    /** @param log where epoch summaries go */
    public CaptionTrainer(PrintStream log) {
        this.log = log;
    }

    /**
     * Calls {@code listener} with the history so far after each committed epoch, e.g. to draw
     * the loss chart while training runs.
     *
     * @param listener receives every epoch so far
     * @return this trainer
     */
    public CaptionTrainer onEpoch(Consumer<List<EpochRecord>> listener) {
        this.onEpoch = listener;
        return this;
    }

    /** Tests use this to interrupt or corrupt a run after an epoch's checkpoint is committed. */
    CaptionTrainer afterEpoch(BiConsumer<Integer, CaptionNet> hook) {
        this.afterEpoch = hook;
        return this;
    }

    /**
     * @param modelDir a model directory
     * @return whether it holds an unfinished run with at least one finished epoch to resume
     */
    public static boolean hasCheckpoint(Path modelDir) {
        return TrainingEngine.hasCheckpoint(modelDir);
    }

    /**
     * Trains a model into {@code out}.
     *
     * @param dataset the captions and split
     * @param features features of (at least) the train and dev images
     * @param out the model directory
     * @param spec architecture and sizes
     * @param train training settings
     * @param resume continue the unfinished run in {@code out}; with no finished epoch to
     *     continue from, training starts from the beginning
     * @return the configuration and history
     */
    public Result train(Dataset dataset, FeatureSet features, Path out, ModelSpec spec, TrainConfig train, boolean resume) {
        Map<String, Integer> rows = features.index();
        List<ImageRecord> trainImages = dataset.images(Split.TRAIN);
        List<ImageRecord> devImages = dataset.images(Split.DEV);
        if (trainImages.isEmpty()) {
            throw new CaptionerException(dataset.location() + ": the training split is empty");
        }
        requireReadable(spec.architecture(), features);
        features.requireAll(trainImages.stream().map(ImageRecord::name).toList(), "train");
        features.requireAll(devImages.stream().map(ImageRecord::name).toList(), "dev");

        List<List<String>> trainTokens = new ArrayList<>();
        for (ImageRecord r : trainImages) {
            for (String c : r.captions()) {
                trainTokens.add(spec.cleaning().tokens(c));
            }
        }
        Vocabulary vocab = Vocabulary.build(trainTokens, spec.minCount());
        int maxLength = trainTokens.stream().mapToInt(List::size).max().orElse(2);
        List<CaptionExample> trainSet = examples(trainImages, rows, spec, vocab);
        List<CaptionExample> devSet = examples(devImages, rows, spec, vocab);
        ModelConfig config = ModelConfig.of(spec, vocab.size(), maxLength,
                new ModelConfig.EncoderInfo(features.encoder(), features.featureDim(), features.imageSize(),
                        features.weightsSha256(), features.weightsPath(), features.grid(),
                        features.encoderCard() == null ? null
                                : EncoderCard.parse(features.encoderCard(), "the feature file's encoder_card")),
                new ModelConfig.DataInfo(dataset.location(), dataset.format().id(), trainImages.size()));

        CrossEntropyObjective objective = new CrossEntropyObjective(new ModelDirectory(out), config, train, trainSet,
                devSet, features.rows(), log);
        TrainingEngine engine = new TrainingEngine(log).onEpoch(h -> onEpoch.accept(records(h)));
        Optional<Path> checkpoint = engine.prepare(objective, resume);
        EngineThreads.share(1);
        Engine.getInstance().setRandomSeed(RandomSeeds.initialisation(train.seed()));
        try (NDManager manager = NDManager.newBaseManager()) {
            CaptionNet net = CaptionNet.create(config);
            net.initialize(manager);
            long totalSteps = train.epochs() * CaptionBatches.count(trainSet.size(), train.batchSize());
            try (AdamOptimizer adam = new AdamOptimizer(net.getParameters(), train.learningRate(), train.clipNorm(),
                    manager).schedule(step -> train.rateFactor(step, totalSteps))) {
                objective.attach(net, adam, manager);
                vocab.save(new ModelDirectory(out).vocabularyFile());
                TrainingEngine.Outcome<EpochRecord> o = engine.afterEpoch(e -> afterEpoch.accept(e, net))
                        .run(objective, checkpoint);
                return new Result(config, o.history(), o.bestEpoch(), o.stoppedEarly());
            }
        }
    }

    @SuppressWarnings("unchecked")
    private static List<EpochRecord> records(List<?> history) {
        return (List<EpochRecord>) history;
    }

    /**
     * @param architecture a model's architecture
     * @param features a feature file
     * @throws CaptionerException naming the command that makes the right kind if the model cannot read them
     */
    static void requireReadable(Architecture architecture, FeatureSet features) {
        if (!architecture.reads(features.kind())) {
            FeatureKind wanted = architecture.features();
            throw new CaptionerException("a " + architecture + " model reads " + wanted.id()
                    + " features, but the feature file holds " + features.kind().id() + " ones; make " + wanted.howToMake());
        }
    }

    static List<CaptionExample> examples(List<ImageRecord> images, Map<String, Integer> rows, ModelSpec spec,
            Vocabulary vocab) {
        List<CaptionExample> out = new ArrayList<>();
        for (ImageRecord r : images) {
            int row = rows.get(r.name());
            for (String c : r.captions()) {
                int[] tokens = vocab.encode(spec.cleaning().tokens(c));
                if (tokens.length >= 2) {
                    out.add(new CaptionExample(row, tokens));
                }
            }
        }
        return out;
    }
}
