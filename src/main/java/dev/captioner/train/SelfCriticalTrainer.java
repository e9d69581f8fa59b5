package dev.captioner.train;

import dev.captioner.model.ModelDirectory;
import dev.captioner.model.ModelConfig;
import dev.captioner.model.CaptionNet;
import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Parameter;
import ai.djl.training.GradientCollector;
import ai.djl.training.ParameterStore;
import ai.djl.util.Pair;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import dev.captioner.data.Dataset;
import dev.captioner.data.ImageRecord;
import dev.captioner.data.Split;
import dev.captioner.data.Vocabulary;
import dev.captioner.features.FeatureRows;
import dev.captioner.features.FeatureSet;
import dev.captioner.util.AtomicFiles;
import dev.captioner.util.CaptionerException;
import dev.captioner.util.EngineThreads;
import dev.captioner.util.FileTrees;
import dev.captioner.util.Progress;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.function.Consumer;
import java.util.function.IntConsumer;
import java.util.stream.Stream;

/**
 * Self-critical sequence training (Rennie et al., 2017): fine-tunes a trained caption model on the
 * score its captions are judged by. For each batch of training images it draws
 * {@link FinetuneConfig#samples()} captions per image from the model's own distribution
 * ({@link CaptionSampler}, dropout off), scores them ({@link CaptionRewards}), subtracts a
 * baseline (the mean reward of the image's other samples, or its greedy caption's), and
 * minimises {@code -(r - b) · Σ log p(word)} over each sample's words, the end marker included,
 * averaged over the batch's samples, with Adam and the same gradient clipping as training.
 *
 * <p>Like {@link CaptionTrainer}: each epoch's randomness (image order, samples) is a function of
 * the seed and the epoch alone and every finished epoch is one {@link TrainingCheckpoint}, so
 * {@code --resume} after {@code kill -9} ends where an uninterrupted run ends. The starting
 * model's dev score is epoch 0; the epoch with the best dev score is kept (the starting model if
 * none beats it), with early stopping. The output is a normal model directory: the source
 * model's configuration, vocabulary, history and encoder, the kept parameters, and
 * {@value #HISTORY} (the fine-tuning epochs and settings); {@code config.json} is written last.
 */
public final class SelfCriticalTrainer {

    /** The fine-tuning history file inside the output model directory. */
    public static final String HISTORY = "finetune.json";
    private static final ObjectMapper MAPPER = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    /**
     * What a run produced.
     *
     * @param history every epoch, 0 the starting model
     * @param bestEpoch the epoch whose parameters were kept (0: the starting model's)
     * @param stoppedEarly whether patience ran out before the last epoch
     */
    public record Result(List<FinetuneRecord> history, int bestEpoch, boolean stoppedEarly) {}

    /**
     * {@value #HISTORY}: the settings and the epochs.
     *
     * @param settings the run's settings
     * @param source the model it started from
     * @param epochs every epoch, 0 the starting model
     * @param bestEpoch the epoch kept
     */
    public record History(
            @JsonProperty("settings") FinetuneConfig settings,
            @JsonProperty("source") String source,
            @JsonProperty("epochs") List<FinetuneRecord> epochs,
            @JsonProperty("best_epoch") int bestEpoch) {

        /**
         * @param modelDir a model directory
         * @return its fine-tuning history, if it was fine-tuned
         */
        public static Optional<History> of(Path modelDir) {
            Path f = modelDir.resolve(HISTORY);
            if (!Files.isRegularFile(f)) {
                return Optional.empty();
            }
            try {
                return Optional.of(MAPPER.readValue(f.toFile(), History.class));
            } catch (IOException e) {
                throw new CaptionerException(f + ": cannot read: " + e.getMessage(), e);
            }
        }
    }

    private final PrintStream log;
    private Consumer<List<FinetuneRecord>> onEpoch = h -> { };
    private IntConsumer afterEpoch = e -> { };

    /** @param log where epoch summaries go */
    public SelfCriticalTrainer(PrintStream log) {
        this.log = log;
    }

    /**
     * @param listener receives every epoch so far after each committed epoch (e.g. to draw the curves)
     * @return this trainer
     */
    public SelfCriticalTrainer onEpoch(Consumer<List<FinetuneRecord>> listener) {
        this.onEpoch = listener;
        return this;
    }

    /**
     * @param out a fine-tuned model directory
     * @return whether it holds an unfinished run with a committed epoch to resume
     */
    public static boolean hasCheckpoint(Path out) {
        return TrainingEngine.hasCheckpoint(out);
    }

    /** Tests use this to interrupt a run after an epoch's checkpoint is committed. */
    SelfCriticalTrainer afterEpoch(IntConsumer hook) {
        this.afterEpoch = hook;
        return this;
    }

    /**
     * Fine-tunes the model in {@code source} into {@code out}.
     *
     * @param source a trained model directory
     * @param dataset the captions and split the rewards were built from
     * @param features features of (at least) the train and dev images
     * @param out the new model directory
     * @param settings the fine-tuning settings
     * @param rewards scores captions; its image positions are those of {@code dataset.images(TRAIN)}
     *     and {@code dataset.images(DEV)}
     * @param resume continue the unfinished run in {@code out}
     * @return the history
     */
    public Result finetune(Path source, Dataset dataset, FeatureSet features, Path out, FinetuneConfig settings,
            CaptionRewards rewards, boolean resume) {
        ModelDirectory from = new ModelDirectory(source);
        ModelConfig config = from.config();
        Vocabulary vocab = from.vocabulary(config);
        CaptionTrainer.requireReadable(config.architecture(), features);
        if (features.featureDim() != config.featureDim()) {
            throw new CaptionerException("the features are " + features.featureDim() + "-d (" + features.encoder()
                    + "), the model reads " + config.featureDim() + "-d " + config.encoder().name());
        }
        List<ImageRecord> trainImages = dataset.images(Split.TRAIN);
        List<ImageRecord> devImages = dataset.images(Split.DEV);
        if (trainImages.isEmpty()) {
            throw new CaptionerException(dataset.location() + ": the training split is empty");
        }
        features.requireAll(trainImages.stream().map(ImageRecord::name).toList(), "train");
        features.requireAll(devImages.stream().map(ImageRecord::name).toList(), "dev");
        Map<String, Integer> index = features.index();
        int[] trainRows = trainImages.stream().mapToInt(r -> index.get(r.name())).toArray();
        int[] devRows = devImages.stream().mapToInt(r -> index.get(r.name())).toArray();

        // Before anything is written: a length the network cannot read is refused at once.
        CaptionNet net = CaptionNet.create(config);
        CaptionLengths lengths = CaptionLengths.of(config, net, settings.maxWords());
        SelfCriticalObjective objective = new SelfCriticalObjective(from, new ModelDirectory(out), config, settings,
                lengths, new SelfCriticalObjective.Data(features.rows(), trainRows, devRows, rewards), source, log);
        TrainingEngine engine = new TrainingEngine(log).onEpoch(h -> onEpoch.accept(records(h))).afterEpoch(afterEpoch);
        Optional<Path> checkpoint = engine.prepare(objective, resume);
        EngineThreads.share(1);
        try (NDManager manager = NDManager.newBaseManager()) {
            net.initialize(manager);
            from.loadParameters(net, manager);
            try (AdamOptimizer adam = new AdamOptimizer(net.getParameters(), settings.learningRate(), settings.clipNorm(),
                    manager)) {
                objective.attach(net, new CaptionSampler(net, vocab), adam, manager);
                TrainingEngine.Outcome<FinetuneRecord> o = engine.run(objective, checkpoint);
                return new Result(o.history(), o.bestEpoch(), o.stoppedEarly());
            }
        }
    }

    @SuppressWarnings("unchecked")
    private static List<FinetuneRecord> records(List<?> history) {
        return (List<FinetuneRecord>) history;
    }
}
