package dev.captioner.train;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.training.GradientCollector;
import ai.djl.training.ParameterStore;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.captioner.features.FeatureRows;
import dev.captioner.model.CaptionNet;
import dev.captioner.model.Decay;
import dev.captioner.model.EpochRecord;
import dev.captioner.model.ModelConfig;
import dev.captioner.model.ModelDirectory;
import dev.captioner.util.AtomicFiles;
import dev.captioner.util.CaptionerException;
import dev.captioner.util.Progress;
import dev.captioner.util.Torch;
import dev.captioner.vision.EncoderType;
import dev.captioner.vision.Encoders;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * The next-word objective of training: each epoch, every training caption once in shuffled
 * batches, Adam on the mean next-word loss (sequence or the Keras tutorial's pairs), then the mean loss on
 * dev with dropout off, which decides the best epoch (the training loss without dev captions).
 * A NaN or infinite loss stops the run with an error and leaves the last good checkpoint. The
 * finished run writes a model directory: the best parameters, the history, the encoder's files if
 * they travel with their models, and {@code config.json} last.
 */
public final class CrossEntropyObjective implements TrainingObjective<EpochRecord> {

    private final ModelDirectory files;
    private final ModelConfig config;
    private final TrainConfig train;
    private final List<CaptionExample> trainSet;
    private final List<CaptionExample> devSet;
    private final FeatureRows features;
    private final PrintStream log;
    private CaptionNet net;
    private AdamOptimizer adam;
    private NDManager manager;
    private ParameterStore ps;

    CrossEntropyObjective(ModelDirectory files, ModelConfig config, TrainConfig train, List<CaptionExample> trainSet,
            List<CaptionExample> devSet, FeatureRows features, PrintStream log) {
        this.files = files;
        this.config = config;
        this.train = train;
        this.trainSet = trainSet;
        this.devSet = devSet;
        this.features = features;
        this.log = log;
    }

    /** Gives the objective its network, optimizer and manager, once built. */
    void attach(CaptionNet n, AdamOptimizer a, NDManager m) {
        this.net = n;
        this.adam = a;
        this.manager = m;
        this.ps = new ParameterStore(m, false);
    }

    @Override
    public String command() {
        return "train";
    }

    @Override
    public String what() {
        return "training";
    }

    @Override
    public String result() {
        return "trained model";
    }

    @Override
    public Path out() {
        return files.dir();
    }

    @Override
    public boolean complete() {
        return files.isComplete();
    }

    /**
     * The model and the settings that shape the run; the number of epochs and the patience may
     * change between sessions, except that a linear decay ends at its last epoch.
     */
    @Override
    public JsonNode setup() {
        ObjectNode s = RunState.MAPPER.createObjectNode();
        s.set("model", RunState.MAPPER.valueToTree(config));
        ObjectNode t = RunState.MAPPER.valueToTree(train);
        t.remove("patience");
        if (train.decay() != Decay.LINEAR) {
            t.remove("epochs");
        }
        s.set("train", t);
        return s;
    }

    @Override
    public Class<EpochRecord> recordType() {
        return EpochRecord.class;
    }

    @Override
    public RunConfig run() {
        return train.run();
    }

    @Override
    public Trainable trainable() {
        return new Trainable(net, adam, manager);
    }

    @Override
    public void begin(int from) {
        log.printf(Locale.ROOT, "train: %d captions, vocabulary %d; epochs %d to %d%n", trainSet.size(),
                config.vocabularySize(), from, train.epochs());
    }

    @Override
    public EpochRecord epoch(int epoch, EpochRandom random) {
        List<List<CaptionExample>> batches = CaptionBatches.shuffled(trainSet, train.batchSize(), random.order());
        long tokens = 0;
        double lossSum = 0;
        long start = System.nanoTime();
        try (Progress progress = Progress.start(log, "epoch " + epoch, trainSet.size(), "captions")) {
            for (List<CaptionExample> batch : batches) {
                float[] result = step(net, adam, ps, manager, batch, features, train.objective());
                float loss = result[0];
                if (!Float.isFinite(loss)) {
                    throw new CaptionerException(String.format(Locale.ROOT, "training diverged in epoch %d: the loss "
                            + "is %s; the last good checkpoint is kept (lower --lr, then --resume)", epoch, loss));
                }
                tokens += (int) result[1];
                lossSum += (double) loss * (int) result[1];
                progress.stepBy(batch.size());
                double seconds = (System.nanoTime() - start) / 1e9;
                progress.message(String.format(Locale.ROOT, "loss %.3f, %.0f tok/s", lossSum / tokens, tokens / seconds));
            }
        }
        double seconds = (System.nanoTime() - start) / 1e9;
        double dev = devSet.isEmpty() ? Double.NaN : evaluate(net, ps, manager, features, devSet, train.batchSize());
        return new EpochRecord(epoch, lossSum / Math.max(1, tokens), dev, seconds, tokens / seconds);
    }

    /** Without dev captions, the training loss decides which epoch is kept. */
    @Override
    public double score(EpochRecord record) {
        return -(devSet.isEmpty() ? record.trainLoss() : record.devLoss());
    }

    @Override
    public String scoreName() {
        return devSet.isEmpty() ? "train loss" : "dev loss";
    }

    @Override
    public String scoreText(double score) {
        return String.format(Locale.ROOT, "%s %.4f", scoreName(), -score);
    }

    @Override
    public String summary(EpochRecord r, boolean best) {
        return String.format(Locale.ROOT, "train loss %.4f, dev loss %.4f%s, %.1f s, %.0f tokens/s", r.trainLoss(),
                r.devLoss(), best ? " (best)" : "", r.seconds(), r.tokensPerSecond());
    }

    /**
     * The model directory: the best parameters, the history, the encoder's files if they travel
     * with their models, and {@code config.json} last, which makes the directory a finished model.
     */
    @Override
    public void finish(List<EpochRecord> history, int bestEpoch, Path bestParameters) {
        try {
            AtomicFiles.write(files.paramsFile(), Files.readAllBytes(bestParameters));
        } catch (IOException e) {
            throw new CaptionerException(files.paramsFile() + ": cannot write: " + e.getMessage(), e);
        }
        files.writeHistory(history);
        bundleEncoder();
        config.save(files.dir());
    }

    /** Copies the encoder's files into the model when the registry says they travel with it. */
    private void bundleEncoder() {
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
