package dev.captioner.model;

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
    private static final int DEV_BATCH = 64;

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
        return TrainingCheckpoint.latest(new ModelDirectory(out).trainingDir()).isPresent();
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
        ModelDirectory files = new ModelDirectory(out);
        Optional<Path> checkpoint = TrainingCheckpoint.prepare(files, resume, "fine-tuning", "finetune", log);
        EngineThreads.share(1);
        try (NDManager manager = NDManager.newBaseManager()) {
            net.initialize(manager);
            from.loadParameters(net, manager);
            try (AdamOptimizer adam = new AdamOptimizer(net.getParameters(), settings.learningRate(), settings.clipNorm(),
                    manager)) {
                FinetuneState state = null;
                if (checkpoint.isPresent()) {
                    state = restore(checkpoint.get(), net, adam, config, settings, manager);
                }
                requireGradients(net);
                Run run = new Run(net, adam, manager, new CaptionSampler(net, vocab), features.rows(), settings,
                        lengths, rewards, trainRows, devRows);
                Result result = run.loop(files, config, state, source);
                finish(from, files, config, settings, result, source);
                return result;
            }
        }
    }

    private static void requireGradients(CaptionNet net) {
        for (Pair<String, Parameter> p : net.getParameters()) {
            p.getValue().getArray().setRequiresGradient(true);
        }
    }

    private FinetuneState restore(Path checkpoint, CaptionNet net, AdamOptimizer adam, ModelConfig config,
            FinetuneConfig settings, NDManager manager) {
        FinetuneState state;
        try {
            state = FinetuneState.load(checkpoint);
        } catch (CaptionerException e) {
            throw new CaptionerException(checkpoint + ": not a fine-tuning run (a 'captioner train' run?); "
                    + "choose another --out", e);
        }
        if (state.finetune() == null || !config.equals(state.model())) {
            throw new CaptionerException(checkpoint + ": the unfinished run fine-tuned another model; cannot resume "
                    + "it from this one");
        }
        if (!state.finetune().withEpochs(settings.epochs()).equals(settings)) {
            throw new CaptionerException(checkpoint + ": the unfinished run used other settings ("
                    + state.finetune() + "); resume with the same settings");
        }
        TrainingCheckpoint.restoreWeights(checkpoint, net, adam, manager);
        log.printf(Locale.ROOT, "finetune: resuming after epoch %d (best dev CIDEr-D %.4f at epoch %d)%n", state.epoch(),
                state.bestDevCider(), state.bestEpoch());
        return state;
    }

    /** Copies the source model's files, writes the kept parameters and the history, then {@code config.json}. */
    private void finish(ModelDirectory from, ModelDirectory files, ModelConfig config, FinetuneConfig settings,
            Result result, Path source) {
        Path last = TrainingCheckpoint.latest(files.trainingDir())
                .orElseThrow(() -> new CaptionerException(files.trainingDir() + ": no finished epoch to keep"));
        try {
            AtomicFiles.write(files.paramsFile(), Files.readAllBytes(last.resolve(TrainingCheckpoint.BEST)));
            AtomicFiles.write(files.vocabularyFile(), Files.readAllBytes(from.vocabularyFile()));
            for (Path f : List.of(from.historyFile(), from.lossChart())) {
                if (Files.isRegularFile(f)) {
                    AtomicFiles.write(files.dir().resolve(f.getFileName()), Files.readAllBytes(f));
                }
            }
            if (Files.isDirectory(from.encoderDir())) {
                try (Stream<Path> s = Files.list(from.encoderDir())) {
                    files.bundleEncoder(s.filter(Files::isRegularFile).sorted().toList());
                }
            }
            AtomicFiles.write(files.dir().resolve(HISTORY), MAPPER.writeValueAsBytes(new History(settings,
                    source.toAbsolutePath().normalize().toString(), result.history(), result.bestEpoch())));
        } catch (IOException e) {
            throw new CaptionerException(files.dir() + ": cannot write: " + e.getMessage(), e);
        }
        config.save(files.dir());
        FileTrees.delete(files.trainingDir());
    }

    /** One run's network, optimiser and data. */
    private final class Run {
        private final CaptionNet net;
        private final AdamOptimizer adam;
        private final NDManager manager;
        private final CaptionSampler sampler;
        private final FeatureRows rows;
        private final FinetuneConfig settings;
        private final CaptionLengths lengths;
        private final CaptionRewards rewards;
        private final int[] trainRows;
        private final int[] devRows;
        private final ParameterStore ps;

        Run(CaptionNet net, AdamOptimizer adam, NDManager manager, CaptionSampler sampler, FeatureRows rows,
                FinetuneConfig settings, CaptionLengths lengths, CaptionRewards rewards, int[] trainRows, int[] devRows) {
            this.net = net;
            this.adam = adam;
            this.manager = manager;
            this.sampler = sampler;
            this.rows = rows;
            this.settings = settings;
            this.lengths = lengths;
            this.rewards = rewards;
            this.trainRows = trainRows;
            this.devRows = devRows;
            this.ps = new ParameterStore(manager, false);
        }

        Result loop(ModelDirectory files, ModelConfig config, FinetuneState state, Path source) {
            Path trainingDir = files.trainingDir();
            if (state == null) {
                double dev = devScore();
                log.printf(Locale.ROOT, "finetune: %s dev CIDEr-D %.4f before fine-tuning%n", source, dev);
                state = new FinetuneState(0, dev, 0, 0, config, settings,
                        List.of(new FinetuneRecord(0, Double.NaN, Double.NaN, dev, 0, 0)));
                TrainingCheckpoint.commit(trainingDir, state, net, adam);
                onEpoch.accept(state.history());
            }
            List<FinetuneRecord> history = new ArrayList<>(state.history());
            // Without dev images the last epoch is kept (the mean reward decides, and it only
            // compares epochs that trained).
            double best = Double.isNaN(state.bestDevCider()) ? Double.NEGATIVE_INFINITY : state.bestDevCider();
            int bestEpoch = state.bestEpoch();
            int bad = state.badEpochs();
            boolean stopped = bad >= settings.patience();
            for (int epoch = state.epoch() + 1; epoch <= settings.epochs() && !stopped; epoch++) {
                FinetuneRecord record = epoch(epoch);
                history.add(record);
                double score = Double.isNaN(record.devCider()) ? record.meanReward() : record.devCider();
                if (score > best) {
                    best = score;
                    bestEpoch = epoch;
                    bad = 0;
                } else {
                    bad++;
                }
                log.printf(Locale.ROOT, "finetune: epoch %d/%d mean reward %.4f, baseline %.4f, dev CIDEr-D %.4f%s, "
                        + "%.1f s%n", epoch, settings.epochs(), record.meanReward(), record.meanBaseline(),
                        record.devCider(), bestEpoch == epoch ? " (best)" : "", record.seconds());
                TrainingCheckpoint.commit(trainingDir, new FinetuneState(epoch, best, bestEpoch, bad, config, settings,
                        history), net, adam);
                onEpoch.accept(List.copyOf(history));
                afterEpoch.accept(epoch);
                if (bad >= settings.patience() && epoch < settings.epochs()) {
                    stopped = true;
                    log.printf(Locale.ROOT, "finetune: no better dev CIDEr-D for %d epochs; stopping (best: epoch %d)%n",
                            bad, bestEpoch);
                }
            }
            return new Result(List.copyOf(history), bestEpoch, stopped);
        }

        private FinetuneRecord epoch(int epoch) {
            List<Integer> order = new ArrayList<>();
            for (int i = 0; i < trainRows.length; i++) {
                order.add(i);
            }
            Collections.shuffle(order, new Random(RandomSeeds.shuffle(settings.seed(), epoch)));
            Random draws = new Random(RandomSeeds.dropout(settings.seed(), epoch));
            double rewardSum = 0;
            double baselineSum = 0;
            long samples = 0;
            long start = System.nanoTime();
            try (Progress progress = Progress.start(log, "finetune epoch " + epoch, order.size(), "images")) {
                for (int b = 0; b < order.size(); b += settings.batchSize()) {
                    int[] images = order.subList(b, Math.min(order.size(), b + settings.batchSize())).stream()
                            .mapToInt(Integer::intValue).toArray();
                    double[][] rb = step(images, draws);
                    for (int i = 0; i < rb[0].length; i++) {
                        rewardSum += rb[0][i];
                        baselineSum += rb[1][i];
                    }
                    samples += rb[0].length;
                    progress.stepBy(images.length);
                    progress.message(String.format(Locale.ROOT, "reward %.3f, baseline %.3f", rewardSum / samples,
                            baselineSum / samples));
                }
            }
            double seconds = (System.nanoTime() - start) / 1e9;
            return new FinetuneRecord(epoch, rewardSum / samples, baselineSum / samples, devScore(), seconds,
                    order.size() / seconds);
        }

        /** One update from one batch of images; returns the samples' rewards and baselines. */
        private double[][] step(int[] images, Random draws) {
            int k = settings.samples();
            try (NDManager m = manager.newSubManager()) {
                NDArray feats = features(m, images);
                int[][] sampled = sampler.sample(ps, m, feats, k, lengths.sampled(), draws);
                int[] sampleImages = new int[sampled.length];
                for (int r = 0; r < sampled.length; r++) {
                    sampleImages[r] = images[r / k];
                }
                double[] reward = rewards.train(sampleImages, sampled);
                double[] baseline;
                if (settings.baseline() == Baseline.OTHERS) {
                    baseline = Baseline.others(reward, k);
                } else {
                    double[] greedy = rewards.train(images, sampler.greedy(ps, m, feats, lengths.sampled()));
                    baseline = new double[reward.length];
                    for (int r = 0; r < reward.length; r++) {
                        baseline[r] = greedy[r / k];
                    }
                }
                update(m, images, sampled, reward, baseline);
                return new double[][] {reward, baseline};
            }
        }

        /** The policy-gradient step: -(r - b) · Σ log p over each sample's words, averaged over samples. */
        private void update(NDManager m, int[] images, int[][] sampled, double[] reward, double[] baseline) {
            int k = settings.samples();
            List<CaptionExample> examples = new ArrayList<>(sampled.length);
            int words = 0;
            for (int[] c : sampled) {
                words += c.length;
            }
            // [M]: each predicted word's weight, in NextWordLoss's order (caption by caption).
            float[] w = new float[words];
            boolean any = false;
            int at = 0;
            for (int r = 0; r < sampled.length; r++) {
                int[] tokens = new int[sampled[r].length + 1];
                tokens[0] = sampler.start();
                System.arraycopy(sampled[r], 0, tokens, 1, sampled[r].length);
                examples.add(new CaptionExample(trainRows[images[r / k]], tokens));
                float weight = (float) (-(reward[r] - baseline[r]) / sampled.length);
                any |= weight != 0;
                Arrays.fill(w, at, at + sampled[r].length, weight);
                at += sampled[r].length;
            }
            if (!any) {
                return;
            }
            try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
                // The distribution the samples were drawn from: the never-drawn tokens masked out.
                NDArray logp = NextWordLoss.targets(net, ps, m, examples, rows, Objective.SEQUENCE, false,
                        sampler.bannedMask(m)).targetLogProbs();
                NDArray loss = logp.mul(m.create(w, new Shape(w.length))).sum();
                gc.backward(loss);
            }
            adam.step();
        }

        /** {@code [B, F]}: the images' features. */
        private NDArray features(NDManager m, int[] images) {
            int f = net.config().featureDim();
            float[] flat = new float[images.length * f];
            for (int i = 0; i < images.length; i++) {
                rows.copy(trainRows[images[i]], flat, i * f);
            }
            return m.create(flat, new Shape(images.length, f));
        }

        private double devScore() {
            if (devRows.length == 0) {
                return Double.NaN;
            }
            int f = net.config().featureDim();
            int[][] captions = new int[devRows.length][];
            for (int b = 0; b < devRows.length; b += DEV_BATCH) {
                int n = Math.min(DEV_BATCH, devRows.length - b);
                float[] flat = new float[n * f];
                for (int i = 0; i < n; i++) {
                    rows.copy(devRows[b + i], flat, i * f);
                }
                try (NDManager m = manager.newSubManager()) {
                    int[][] g = sampler.greedy(ps, m, m.create(flat, new Shape(n, f)), lengths.scored());
                    System.arraycopy(g, 0, captions, b, n);
                }
            }
            return rewards.dev(captions);
        }
    }
}
