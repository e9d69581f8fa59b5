package dev.captioner.model;

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
 * Trains a caption model on a dataset's training split and its image features: Adam with
 * gradient clipping, dev loss after every epoch, the best-on-dev parameters kept, early
 * stopping. Every finished epoch is committed as one {@link TrainingCheckpoint}, so
 * {@code --resume} continues an interrupted run (even one killed with {@code kill -9}) and ends
 * where an uninterrupted run would: each epoch's randomness (shuffling, dropout) is a function of
 * the seed and the epoch number alone. A NaN or infinite loss stops the run with an error and
 * leaves the last good checkpoint. The model directory becomes loadable ({@code config.json}
 * written) only when training ends.
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
        return TrainingCheckpoint.latest(new ModelDirectory(modelDir).trainingDir()).isPresent();
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

        ModelDirectory files = new ModelDirectory(out);
        Optional<Path> checkpoint = TrainingCheckpoint.prepare(files, resume, "training", "train", log);
        EngineThreads.share(1);
        Engine.getInstance().setRandomSeed(RandomSeeds.initialisation(train.seed()));
        try (NDManager manager = NDManager.newBaseManager()) {
            CaptionNet net = CaptionNet.create(config);
            net.initialize(manager);
            long totalSteps = train.epochs() * CaptionBatches.count(trainSet.size(), train.batchSize());
            try (AdamOptimizer adam = new AdamOptimizer(net.getParameters(), train.learningRate(), train.clipNorm(),
                    manager).schedule(step -> train.rateFactor(step, totalSteps))) {
                TrainingState state = checkpoint.isPresent()
                        ? restore(checkpoint.get(), net, adam, config, train, manager) : null;
                vocab.save(files.vocabularyFile());
                return loop(net, adam, manager, features.rows(), trainSet, devSet, config, train, files, state);
            }
        }
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

    private TrainingState restore(Path checkpoint, CaptionNet net, AdamOptimizer adam, ModelConfig config,
            TrainConfig train, NDManager manager) {
        TrainingState state = TrainingState.load(checkpoint);
        if (!state.model().equals(config)) {
            throw new CaptionerException(checkpoint + ": the unfinished run trained another model (different data, "
                    + "features or sizes); cannot resume it with these settings");
        }
        TrainConfig before = state.train();
        if (before.batchSize() != train.batchSize() || before.objective() != train.objective()
                || before.seed() != train.seed() || before.learningRate() != train.learningRate()
                || before.clipNorm() != train.clipNorm() || before.warmup() != train.warmup()
                || before.decay() != train.decay()) {
            throw new CaptionerException(checkpoint + ": the unfinished run used batch size " + before.batchSize()
                    + ", learning rate " + before.learningRate() + ", clip " + before.clipNorm() + ", objective "
                    + before.objective() + ", seed " + before.seed() + ", warmup " + before.warmup() + ", decay "
                    + before.decay() + "; resume with the same settings");
        }
        if (train.decay() == Decay.LINEAR && before.epochs() != train.epochs()) {
            throw new CaptionerException(checkpoint + ": the unfinished run's linear decay ends at epoch "
                    + before.epochs() + "; resume with --epochs " + before.epochs());
        }
        TrainingCheckpoint.restore(checkpoint, net, adam, manager);
        // Loaded arrays are new tensors: they must record gradients again.
        for (ai.djl.util.Pair<String, ai.djl.nn.Parameter> p : net.getParameters()) {
            p.getValue().getArray().setRequiresGradient(true);
        }
        log.printf(Locale.ROOT, "train: resuming after epoch %d (best dev loss %.4f at epoch %d)%n", state.epoch(),
                state.bestDevLoss(), state.bestEpoch());
        return state;
    }

    private Result loop(CaptionNet net, AdamOptimizer adam, NDManager manager, FeatureRows features,
            List<CaptionExample> trainSet, List<CaptionExample> devSet, ModelConfig config, TrainConfig train,
            ModelDirectory files, TrainingState state) {
        Path trainingDir = files.trainingDir();
        List<EpochRecord> history = new ArrayList<>(state == null ? List.of() : state.history());
        double best = state == null ? Double.POSITIVE_INFINITY : state.bestDevLoss();
        int bestEpoch = state == null ? 0 : state.bestEpoch();
        int bad = state == null ? 0 : state.badEpochs();
        int start = state == null ? 1 : state.epoch() + 1;
        boolean stoppedEarly = bad >= train.patience();
        if (!stoppedEarly && start <= train.epochs()) {
            log.printf(Locale.ROOT, "train: %d captions, vocabulary %d; epochs %d to %d%n", trainSet.size(),
                    config.vocabularySize(), start, train.epochs());
        }
        ParameterStore ps = new ParameterStore(manager, false);
        for (int epoch = start; epoch <= train.epochs() && !stoppedEarly; epoch++) {
            EpochRecord record = epoch(net, adam, ps, manager, features, trainSet, devSet, train, epoch);
            history.add(record);
            // Without dev captions, the training loss decides which epoch is kept.
            double score = devSet.isEmpty() ? record.trainLoss() : record.devLoss();
            if (score < best) {
                best = score;
                bestEpoch = epoch;
                bad = 0;
            } else {
                bad++;
            }
            log.printf(Locale.ROOT, "train: epoch %d/%d train loss %.4f, dev loss %.4f%s, %.1f s, %.0f tokens/s%n", epoch,
                    train.epochs(), record.trainLoss(), record.devLoss(), bestEpoch == epoch ? " (best)" : "",
                    record.seconds(), record.tokensPerSecond());
            TrainingCheckpoint.commit(trainingDir,
                    new TrainingState(epoch, best, bestEpoch, bad, config, train, history), net, adam);
            files.writeHistory(history);
            onEpoch.accept(List.copyOf(history));
            afterEpoch.accept(epoch, net);
            if (bad >= train.patience() && epoch < train.epochs()) {
                stoppedEarly = true;
                log.printf(Locale.ROOT, "train: no better dev loss for %d epochs; stopping (best: epoch %d)%n", bad,
                        bestEpoch);
            }
        }
        finish(config, files, history);
        return new Result(config, history, bestEpoch, stoppedEarly);
    }

    /**
     * Turns the last checkpoint into the model directory: the best parameters, the history, the
     * encoder's files if it travels with its models, and {@code config.json} last, which makes
     * the directory a finished model.
     */
    private void finish(ModelConfig config, ModelDirectory files, List<EpochRecord> history) {
        Path trainingDir = files.trainingDir();
        Path last = TrainingCheckpoint.latest(trainingDir)
                .orElseThrow(() -> new CaptionerException(trainingDir + ": no finished epoch to keep"));
        try {
            byte[] best = Files.readAllBytes(last.resolve(TrainingCheckpoint.BEST));
            AtomicFiles.write(files.paramsFile(), best);
        } catch (IOException e) {
            throw new CaptionerException(files.paramsFile() + ": cannot write: " + e.getMessage(), e);
        }
        files.writeHistory(history);
        bundleEncoder(config, files);
        config.save(files.dir());
        FileTrees.delete(trainingDir);
    }

    /** Copies the encoder's files into the model when the registry says they travel with it. */
    private void bundleEncoder(ModelConfig config, ModelDirectory files) {
        String w = config.encoder().weights();
        Optional<EncoderType> type = Encoders.find(config.encoder().name());
        if (w == null || type.isEmpty()) {
            return;
        }
        try {
            files.bundleEncoder(type.get().bundle().files(Path.of(w)));
        } catch (IOException | RuntimeException e) {
            log.println("train: could not copy the encoder into the model (" + e.getMessage() + ")");
        }
    }

    private EpochRecord epoch(CaptionNet net, AdamOptimizer adam, ParameterStore ps, NDManager manager,
            FeatureRows features, List<CaptionExample> trainSet, List<CaptionExample> devSet, TrainConfig train,
            int epoch) {
        // The epoch's order and dropout masks depend on the seed and the epoch alone, so a run
        // resumed after epoch N draws exactly what an uninterrupted run draws in epoch N + 1.
        Engine.getInstance().setRandomSeed(RandomSeeds.dropout(train.seed(), epoch));
        List<List<CaptionExample>> batches = CaptionBatches.shuffled(trainSet, train.batchSize(),
                new Random(RandomSeeds.shuffle(train.seed(), epoch)));
        long tokens = 0;
        double lossSum = 0;
        long start = System.nanoTime();
        try (Progress progress = Progress.start(log, "epoch " + epoch, trainSet.size(), "captions")) {
            for (List<CaptionExample> batch : batches) {
                float[] result = step(net, adam, ps, manager, batch, features, train.objective());
                float loss = result[0];
                int predictions = (int) result[1];
                if (!Float.isFinite(loss)) {
                    throw new CaptionerException(String.format(Locale.ROOT, "training diverged in epoch %d: the loss "
                            + "is %s; the last good checkpoint is kept (lower --lr, then --resume)", epoch, loss));
                }
                tokens += predictions;
                lossSum += (double) loss * predictions;
                progress.stepBy(batch.size());
                double seconds = (System.nanoTime() - start) / 1e9;
                progress.message(String.format(Locale.ROOT, "loss %.3f, %.0f tok/s", lossSum / tokens, tokens / seconds));
            }
        }
        double seconds = (System.nanoTime() - start) / 1e9;
        double dev = devSet.isEmpty() ? Double.NaN : evaluate(net, ps, manager, features, devSet, train.batchSize());
        return new EpochRecord(epoch, lossSum / Math.max(1, tokens), dev, seconds, tokens / seconds);
    }

    /**
     * One optimisation step on one batch. A non-finite loss is returned without updating.
     *
     * @param net the network
     * @param adam the optimizer
     * @param ps parameter store
     * @param manager parent manager
     * @param batch captions
     * @param features feature rows
     * @param objective sequence or pairs
     * @return the batch's mean next-word loss (without any penalty) and its number of predictions
     */
    public static float[] step(CaptionNet net, AdamOptimizer adam, ParameterStore ps, NDManager manager,
            List<CaptionExample> batch, FeatureRows features, Objective objective) {
        try (NDManager m = manager.newSubManager()) {
            float loss;
            long predictions;
            try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
                NextWordLoss.Targets targets = NextWordLoss.targets(net, ps, m, batch, features, objective, true);
                NDArray lossArr = targets.loss();
                loss = targets.targetLogProbs().mean().neg().getFloat();
                predictions = targets.targetLogProbs().size();
                if (!Float.isFinite(loss) || !Float.isFinite(lossArr.getFloat())) {
                    return new float[] {Float.isFinite(loss) ? Float.NaN : loss, predictions};
                }
                gc.backward(lossArr);
            }
            adam.step();
            return new float[] {loss, predictions};
        }
    }

    /**
     * Mean next-word loss with dropout off.
     *
     * @param net the network
     * @param ps parameter store
     * @param manager parent manager
     * @param features feature rows
     * @param examples captions
     * @param batchSize captions per batch
     * @return the mean over all predictions
     */
    public static double evaluate(CaptionNet net, ParameterStore ps, NDManager manager, FeatureRows features,
            List<CaptionExample> examples, int batchSize) {
        Torch.noGrad();
        double sum = 0;
        long count = 0;
        for (List<CaptionExample> batch : CaptionBatches.ordered(examples, Math.max(batchSize, 128))) {
            try (NDManager m = manager.newSubManager()) {
                NDArray logp = NextWordLoss.targets(net, ps, m, batch, features, Objective.SEQUENCE, false)
                        .targetLogProbs();
                sum -= logp.sum().getFloat();
                count += logp.size();
            }
        }
        return sum / Math.max(1, count);
    }

}
