package dev.captioner.cli;

import dev.captioner.options.DataOptions;
import dev.captioner.data.Dataset;
import dev.captioner.features.FeatureSet;
import dev.captioner.features.FeatureStore;
import dev.captioner.train.Baseline;
import dev.captioner.train.FinetuneConfig;
import dev.captioner.train.FinetuneRecord;
import dev.captioner.train.RewardMetric;
import dev.captioner.train.SelfCriticalTrainer;
import dev.captioner.options.ResumeRun;
import dev.captioner.options.Checked;
import dev.captioner.pipeline.Finetuning;
import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code captioner finetune}: self-critical sequence training of a trained model on CIDEr-D. */
@Command(name = "finetune", mixinStandardHelpOptions = true,
        description = "Fine-tune a trained caption model on CIDEr-D (self-critical sequence training): sample captions, "
                + "reward them against the training references, keep the epoch with the best dev CIDEr-D.")
public final class FinetuneCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Option(names = "--model", required = true, paramLabel = "MODEL_DIR", description = "The trained model to start from.")
    Path model;

    @Mixin
    DataOptions data;

    @Option(names = "--features", required = true, paramLabel = "FILE.h5", description = "Feature file the model was trained on.")
    Path features;

    @Option(names = "--out", required = true, paramLabel = "MODEL_DIR", description = "Model directory to write.")
    Path out;

    @Option(names = "--reward", defaultValue = "cider-d", paramLabel = "R", converter = RewardConverter.class,
            description = "cider-d, bleu4 or cider-d+bleu4 (default: ${DEFAULT-VALUE}).")
    RewardMetric reward;

    @Option(names = "--samples", defaultValue = "5", paramLabel = "N", description = "Captions sampled per image (default: ${DEFAULT-VALUE}).")
    int samples;

    @Option(names = "--baseline", defaultValue = "others", paramLabel = "B", converter = BaselineConverter.class,
            description = "others (mean reward of the image's other samples) or greedy (its greedy caption's) "
                    + "(default: ${DEFAULT-VALUE}).")
    Baseline baseline;

    @Option(names = "--epochs", defaultValue = "10", paramLabel = "N", description = "Most epochs (default: ${DEFAULT-VALUE}).")
    int epochs;

    @Option(names = "--lr", defaultValue = "5e-5", paramLabel = "RATE", description = "Adam's learning rate (default: ${DEFAULT-VALUE}).")
    float lr;

    @Option(names = "--max-length", paramLabel = "WORDS",
            description = "Most words in a sampled caption (default: 20, or fewer where a transformer's positions end; "
                    + "more than its positions is refused).")
    Integer maxWords;

    @Option(names = "--batch-size", defaultValue = "16", paramLabel = "IMAGES", description = "Images per step (default: ${DEFAULT-VALUE}).")
    int batchSize;

    @Option(names = "--clip", defaultValue = "5", paramLabel = "NORM", description = "Gradient clipping norm (default: ${DEFAULT-VALUE}).")
    float clip;

    @Option(names = "--patience", defaultValue = "3", paramLabel = "N",
            description = "Stop after N epochs without a better dev CIDEr-D (default: ${DEFAULT-VALUE}).")
    int patience;

    @Mixin
    ResumeRun resume;

    @Override
    public Integer call() throws Exception {
        FinetuneConfig settings = Checked.of(spec, () -> new FinetuneConfig(reward, samples, baseline, epochs, lr,
                maxWords == null ? 0 : maxWords, batchSize, clip, patience, data.seed()));
        FeatureSet set = FeatureStore.read(features);
        SelfCriticalTrainer.Result r;
        try (Dataset dataset = data.load()) {
            r = Finetuning.run(model, dataset, set, out, settings, resume.resume(), CommandLog.of(spec));
        }
        FinetuneRecord before = r.history().get(0);
        FinetuneRecord kept = r.history().get(r.bestEpoch());
        spec.commandLine().getOut().printf(Locale.ROOT, "wrote model to %s: dev CIDEr-D %.4f -> %.4f (epoch %d of %d)%n",
                out, before.devCider(), kept.devCider(), r.bestEpoch(), r.history().size() - 1);
        return 0;
    }

    /** Parses {@code --reward}. */
    static final class RewardConverter implements ITypeConverter<RewardMetric> {
        @Override
        public RewardMetric convert(String value) {
            return RewardMetric.parse(value);
        }
    }

    /** Parses {@code --baseline}. */
    static final class BaselineConverter implements ITypeConverter<Baseline> {
        @Override
        public Baseline convert(String value) {
            return Baseline.parse(value);
        }
    }
}
