package dev.captioner.train;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.GradientCollector;
import ai.djl.training.ParameterStore;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.captioner.features.FeatureRows;
import dev.captioner.model.CaptionNet;
import dev.captioner.model.ModelConfig;
import dev.captioner.model.ModelDirectory;
import dev.captioner.util.AtomicFiles;
import dev.captioner.util.CaptionerException;
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
import java.util.Random;
import java.util.stream.Stream;

/**
 * The self-critical objective (Rennie et al., 2017): for each batch of training images,
 * {@link FinetuneConfig#samples()} captions per image drawn from the model's own distribution
 * ({@link CaptionSampler}, dropout off), scored ({@link CaptionRewards}), less a baseline (the mean
 * reward of the image's other samples, or its greedy caption's); Adam minimises
 * {@code -(r - b) · Σ log p(token)} over each sample's drawn tokens, averaged over the batch's
 * samples, under the distribution the samples were drawn from. The starting model's dev score is
 * epoch 0, and it is kept unless an epoch beats it. The finished run writes a normal model
 * directory: the source model's configuration, vocabulary, history and encoder, the kept
 * parameters, and {@value SelfCriticalTrainer#HISTORY}; {@code config.json} last.
 */
final class SelfCriticalObjective implements TrainingObjective<FinetuneRecord> {

    private static final int DEV_BATCH = 64;

    private final ModelDirectory from;
    private final ModelDirectory files;
    private final ModelConfig config;
    private final FinetuneConfig settings;
    private final CaptionLengths lengths;
    private final CaptionRewards rewards;
    private final FeatureRows rows;
    private final int[] trainRows;
    private final int[] devRows;
    private final Path source;
    private final PrintStream log;
    private CaptionNet net;
    private CaptionSampler sampler;
    private AdamOptimizer adam;
    private NDManager manager;
    private ParameterStore ps;

    /** The run's data and settings; {@link #attach} gives it its network. */
    record Data(FeatureRows rows, int[] trainRows, int[] devRows, CaptionRewards rewards) {}

    SelfCriticalObjective(ModelDirectory from, ModelDirectory files, ModelConfig config, FinetuneConfig settings,
            CaptionLengths lengths, Data data, Path source, PrintStream log) {
        this.from = from;
        this.files = files;
        this.config = config;
        this.settings = settings;
        this.lengths = lengths;
        this.rewards = data.rewards();
        this.rows = data.rows();
        this.trainRows = data.trainRows();
        this.devRows = data.devRows();
        this.source = source;
        this.log = log;
    }

    /** Gives the objective its network (loaded from the source model), sampler, optimizer and manager. */
    void attach(CaptionNet n, CaptionSampler s, AdamOptimizer a, NDManager m) {
        this.net = n;
        this.sampler = s;
        this.adam = a;
        this.manager = m;
        this.ps = new ParameterStore(m, false);
        TrainingEngine.requireGradients(n);
    }

    @Override
    public String command() {
        return "finetune";
    }

    @Override
    public String what() {
        return "fine-tuning";
    }

    @Override
    public String result() {
        return "model";
    }

    @Override
    public Path out() {
        return files.dir();
    }

    @Override
    public boolean complete() {
        return files.isComplete();
    }

    /** The model and every setting but the number of epochs, which may grow between sessions. */
    @Override
    public JsonNode setup() {
        ObjectNode s = RunState.MAPPER.createObjectNode();
        s.set("model", RunState.MAPPER.valueToTree(config));
        ObjectNode f = RunState.MAPPER.valueToTree(settings);
        f.remove("epochs");
        s.set("finetune", f);
        return s;
    }

    @Override
    public Class<FinetuneRecord> recordType() {
        return FinetuneRecord.class;
    }

    @Override
    public RunConfig run() {
        return settings.run();
    }

    @Override
    public Trainable trainable() {
        return new Trainable(net, adam, manager);
    }

    @Override
    public FinetuneRecord start() {
        double dev = devScore();
        log.printf(Locale.ROOT, "finetune: %s dev CIDEr-D %.4f before fine-tuning%n", source, dev);
        return new FinetuneRecord(0, Double.NaN, Double.NaN, dev, 0, 0);
    }

    /** Without dev images the mean reward decides (the starting model then scores nothing). */
    @Override
    public double score(FinetuneRecord record) {
        return Double.isNaN(record.devCider()) ? record.meanReward() : record.devCider();
    }

    @Override
    public String scoreName() {
        return "dev CIDEr-D";
    }

    @Override
    public String scoreText(double score) {
        return String.format(Locale.ROOT, "dev CIDEr-D %.4f", score);
    }

    @Override
    public String summary(FinetuneRecord r, boolean best) {
        return String.format(Locale.ROOT, "mean reward %.4f, baseline %.4f, dev CIDEr-D %.4f%s, %.1f s", r.meanReward(),
                r.meanBaseline(), r.devCider(), best ? " (best)" : "", r.seconds());
    }

    /** Copies the source model's files, writes the kept parameters and the history, then {@code config.json}. */
    @Override
    public void finish(List<FinetuneRecord> history, int bestEpoch, Path bestParameters) {
        try {
            AtomicFiles.write(files.paramsFile(), Files.readAllBytes(bestParameters));
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
            AtomicFiles.write(files.dir().resolve(SelfCriticalTrainer.HISTORY), RunState.MAPPER.writeValueAsBytes(
                    new SelfCriticalTrainer.History(settings, source.toAbsolutePath().normalize().toString(), history,
                            bestEpoch)));
        } catch (IOException e) {
            throw new CaptionerException(files.dir() + ": cannot write: " + e.getMessage(), e);
        }
        config.save(files.dir());
    }

    @Override
    public FinetuneRecord epoch(int epoch, EpochRandom random) {
        List<Integer> order = new ArrayList<>();
        for (int i = 0; i < trainRows.length; i++) {
            order.add(i);
        }
        Collections.shuffle(order, random.order());
        Random draws = random.draws();
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
