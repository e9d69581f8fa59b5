package dev.captioner.train;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.GradientCollector;
import ai.djl.training.ParameterStore;
import ai.djl.training.loss.Loss;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.captioner.image.RgbImage;
import dev.captioner.util.AtomicFiles;
import dev.captioner.util.CaptionerException;
import dev.captioner.util.Progress;
import dev.captioner.vision.ConceptLabels;
import dev.captioner.vision.ConceptsConfig;
import dev.captioner.vision.ConceptsEncoder;
import dev.captioner.vision.ConceptsNet;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Locale;

/**
 * The concepts encoder's objective: multi-label sigmoid cross-entropy of each training image's
 * concepts (the frequent words and word pairs of its captions), in shuffled batches, with Adam;
 * dev is scored by the concepts' mean average precision (the training loss decides without dev
 * images). The finished run writes the encoder directory: the kept parameters, the history, and
 * {@code concepts.json} last, which makes it an encoder.
 */
final class ConceptsObjective implements TrainingObjective<ConceptsRecord> {

    /** History of the epochs, in the encoder directory. */
    static final String HISTORY = "history.json";
    private static final int DEV_BATCH = 64;

    /** One image, resized, with its concept targets. */
    record Example(RgbImage image, float[] targets) {}

    private final Path out;
    private final ConceptsConfig config;
    private final ConceptsSpec spec;
    private List<Example> trainSet = List.of();
    private List<Example> devSet = List.of();
    private final PrintStream log;
    /** Every epoch runs (no patience) and the best one on dev is kept; Adam as DJL's, without clipping. */
    private final RunConfig run;
    private final Loss loss = Loss.sigmoidBinaryCrossEntropyLoss();
    private ConceptsNet net;
    private AdamOptimizer adam;
    private NDManager manager;
    private ParameterStore ps;

    ConceptsObjective(Path out, ConceptsConfig config, ConceptsSpec spec, PrintStream log) {
        this.out = out;
        this.config = config;
        this.spec = spec;
        this.log = log;
        this.run = new RunConfig(spec.epochs(), spec.learningRate(), Float.POSITIVE_INFINITY, Integer.MAX_VALUE,
                spec.seed());
    }

    /** Gives the objective its images, once the output folder is known to be usable. */
    void examples(List<Example> train, List<Example> dev) {
        this.trainSet = List.copyOf(train);
        this.devSet = List.copyOf(dev);
    }

    /** Gives the objective its network, optimizer and manager, once built. */
    void attach(ConceptsNet n, AdamOptimizer a, NDManager m) {
        this.net = n;
        this.adam = a;
        this.manager = m;
        this.ps = new ParameterStore(m, false);
    }

    @Override
    public String command() {
        return "concepts";
    }

    @Override
    public String what() {
        return "concepts encoder training";
    }

    @Override
    public String result() {
        return "concepts encoder";
    }

    @Override
    public Path out() {
        return out;
    }

    @Override
    public boolean complete() {
        return Files.isRegularFile(out.resolve(ConceptsConfig.FILE));
    }

    /** The encoder's settings and labels (the number of epochs may change), the images and the cleaning. */
    @Override
    public JsonNode setup() {
        ObjectNode s = RunState.MAPPER.createObjectNode();
        ObjectNode c = RunState.MAPPER.valueToTree(config);
        c.remove("epochs");
        s.set("encoder", c);
        s.put("train_images", trainSet.size());
        s.put("dev_images", devSet.size());
        s.put("cleaning", spec.cleaning().id());
        return s;
    }

    /** Every epoch runs: the best one on dev is kept. */

    @Override
    public Class<ConceptsRecord> recordType() {
        return ConceptsRecord.class;
    }

    @Override
    public RunConfig run() {
        return run;
    }

    @Override
    public Trainable trainable() {
        return new Trainable(net.network(), adam, manager);
    }

    @Override
    public void begin(int from) {
        log.printf(Locale.ROOT, "concepts: %d labels, %d training and %d dev images at %d px; epochs %d to %d%n",
                config.labels().size(), trainSet.size(), devSet.size(), config.imageSize(), from, run.epochs());
    }

    @Override
    public ConceptsRecord epoch(int epoch, EpochRandom random) {
        List<Example> order = new ArrayList<>(trainSet);
        Collections.shuffle(order, random.order());
        int k = config.labels().size();
        double total = 0;
        int steps = 0;
        long start = System.nanoTime();
        try (Progress progress = Progress.start(log, "concepts epoch " + epoch, order.size(), "images")) {
            for (int i = 0; i < order.size(); i += config.batchSize()) {
                List<Example> batch = order.subList(i, Math.min(order.size(), i + config.batchSize()));
                try (NDManager m = manager.newSubManager()) {
                    NDArray x = inputs(m, batch);
                    float[] t = new float[batch.size() * k];
                    for (int j = 0; j < batch.size(); j++) {
                        System.arraycopy(batch.get(j).targets(), 0, t, j * k, k);
                    }
                    // [B, labels] targets against [B, labels] logits.
                    NDArray y = m.create(t, new Shape(batch.size(), k));
                    try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
                        NDArray logits = net.network().forward(ps, new NDList(x), true).singletonOrThrow();
                        NDArray l = loss.evaluate(new NDList(y), new NDList(logits));
                        gc.backward(l);
                        total += l.getFloat();
                    }
                    adam.step();
                }
                steps++;
                progress.stepBy(batch.size());
                progress.message(String.format(Locale.ROOT, "loss %.4f", total / steps));
            }
        }
        double seconds = (System.nanoTime() - start) / 1e9;
        double trainLoss = total / Math.max(1, steps);
        if (!Double.isFinite(trainLoss)) {
            throw new CaptionerException(String.format(Locale.ROOT, "concepts training diverged in epoch %d: the loss "
                    + "is %s; the last good checkpoint is kept (lower the learning rate, then --resume)", epoch, trainLoss));
        }
        return new ConceptsRecord(epoch, trainLoss, devSet.isEmpty() ? Double.NaN : devMap(), seconds);
    }

    private NDArray inputs(NDManager m, List<Example> batch) {
        return ConceptsNet.inputs(m, batch.stream().map(Example::image).toList(), config.imageSize());
    }

    private double devMap() {
        int k = config.labels().size();
        float[][] scores = new float[devSet.size()][];
        float[][] targets = new float[devSet.size()][];
        for (int i = 0; i < devSet.size(); i += DEV_BATCH) {
            List<Example> batch = devSet.subList(i, Math.min(devSet.size(), i + DEV_BATCH));
            try (NDManager m = manager.newSubManager()) {
                float[] flat = net.network().forward(ps, new NDList(inputs(m, batch)), false).singletonOrThrow()
                        .toFloatArray();
                for (int j = 0; j < batch.size(); j++) {
                    scores[i + j] = Arrays.copyOfRange(flat, j * k, (j + 1) * k);
                    targets[i + j] = batch.get(j).targets();
                }
            }
        }
        return ConceptLabels.meanAveragePrecision(scores, targets);
    }

    /** Without dev images, the training loss decides. */
    @Override
    public double score(ConceptsRecord r) {
        return devSet.isEmpty() ? -r.trainLoss() : r.devMap();
    }

    @Override
    public String scoreName() {
        return devSet.isEmpty() ? "train loss" : "dev mean average precision";
    }

    @Override
    public String scoreText(double score) {
        return String.format(Locale.ROOT, "%s %.4f", scoreName(), devSet.isEmpty() ? -score : score);
    }

    @Override
    public String summary(ConceptsRecord r, boolean best) {
        return String.format(Locale.ROOT, "loss %.4f, dev mean average precision %.3f%s, %.1f s", r.trainLoss(),
                r.devMap(), best ? " (best)" : "", r.seconds());
    }

    /** The kept parameters and the history, then {@code concepts.json} with the kept epoch's dev score. */
    @Override
    public void finish(List<ConceptsRecord> history, int bestEpoch, Path bestParameters) {
        try {
            AtomicFiles.write(out.resolve(ConceptsEncoder.PARAMS), Files.readAllBytes(bestParameters));
            AtomicFiles.write(out.resolve(HISTORY), RunState.MAPPER.writeValueAsBytes(history));
        } catch (IOException e) {
            throw new CaptionerException(out + ": cannot write: " + e.getMessage(), e);
        }
        double map = history.stream().filter(r -> r.epoch() == bestEpoch).findFirst().orElseThrow().devMap();
        config.withDevMap(map).save(out);
    }
}
