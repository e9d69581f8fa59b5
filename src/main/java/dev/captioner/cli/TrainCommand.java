package dev.captioner.cli;

import dev.captioner.data.Cleaning;
import dev.captioner.data.Dataset;
import dev.captioner.features.FeatureSet;
import dev.captioner.features.FeatureStore;
import dev.captioner.model.Architecture;
import dev.captioner.model.CaptionTrainer;
import dev.captioner.model.ModelSpec;
import dev.captioner.model.Objective;
import dev.captioner.model.TrainConfig;
import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code captioner train}: trains a caption model on a dataset and its features. */
@Command(name = "train", mixinStandardHelpOptions = true,
        description = "Train the LSTM caption model on the training split; keep the best epoch on dev.")
public final class TrainCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Mixin
    DataOptions data;

    @Option(names = "--features", required = true, paramLabel = "FILE.h5", description = "Feature file from 'captioner features'.")
    Path features;

    @Option(names = "--out", required = true, paramLabel = "MODEL_DIR", description = "Model directory to write.")
    Path out;

    @Option(names = "--epochs", defaultValue = "20", paramLabel = "N", description = "Most epochs (default: ${DEFAULT-VALUE}).")
    int epochs;

    @Option(names = "--batch-size", defaultValue = "64", paramLabel = "N", description = "Captions per step (default: ${DEFAULT-VALUE}).")
    int batchSize;

    @Option(names = "--lr", defaultValue = "0.001", paramLabel = "RATE", description = "Adam learning rate (default: ${DEFAULT-VALUE}).")
    float lr;

    @Option(names = "--clip", defaultValue = "5", paramLabel = "NORM", description = "Gradient norm clipping (default: ${DEFAULT-VALUE}).")
    float clip;

    @Option(names = "--embed", defaultValue = "256", paramLabel = "N", description = "Embedding size (default: ${DEFAULT-VALUE}).")
    int embed;

    @Option(names = "--units", defaultValue = "256", paramLabel = "N", description = "LSTM and dense width (default: ${DEFAULT-VALUE}).")
    int units;

    @Option(names = "--dropout", defaultValue = "0.5", paramLabel = "P", description = "Dropout rate (default: ${DEFAULT-VALUE}).")
    float dropout;

    @Option(names = "--patience", defaultValue = "3", paramLabel = "N",
            description = "Stop after this many epochs without a better dev loss (default: ${DEFAULT-VALUE}).")
    int patience;

    @Option(names = "--min-count", defaultValue = "1", paramLabel = "N",
            description = "Words seen fewer times become <unk> (default: ${DEFAULT-VALUE}: keep all).")
    int minCount;

    @Option(names = "--cleaning", defaultValue = "seed", paramLabel = "C", converter = CleaningConverter.class,
            description = "Caption cleaning: seed or keep-short (default: ${DEFAULT-VALUE}).")
    Cleaning cleaning;

    @Option(names = "--architecture", defaultValue = "merge", paramLabel = "A", converter = ArchitectureConverter.class,
            description = "merge (the seed's) or init-inject (default: ${DEFAULT-VALUE}).")
    Architecture architecture;

    @Option(names = "--objective", defaultValue = "sequence", paramLabel = "O", converter = ObjectiveConverter.class,
            description = "sequence (O(L)) or pairs (the seed's O(L^2) expansion) (default: ${DEFAULT-VALUE}).")
    Objective objective;

    @Option(names = "--resume", description = "Continue the unfinished run in --out from its last finished epoch.")
    boolean resume;

    @Override
    public Integer call() throws Exception {
        ModelSpec model = new ModelSpec(architecture, embed, units, dropout, cleaning, minCount);
        TrainConfig train = new TrainConfig(epochs, batchSize, lr, clip, patience, objective, data.seed);
        FeatureSet set = FeatureStore.read(features);
        CaptionTrainer.Result r;
        try (Dataset dataset = data.load()) {
            r = new CaptionTrainer(System.err).train(dataset, set, out, model, train, resume);
        }
        spec.commandLine().getOut().printf(Locale.ROOT, "wrote model to %s: vocabulary %d, best epoch %d of %d "
                + "(dev loss %.4f)%n", out, r.config().vocabularySize(), r.bestEpoch(), r.history().size(),
                r.history().get(r.bestEpoch() - 1).devLoss());
        return 0;
    }

    /** Parses {@code --architecture}. */
    static final class ArchitectureConverter implements ITypeConverter<Architecture> {
        @Override
        public Architecture convert(String value) {
            return Architecture.parse(value);
        }
    }

    /** Parses {@code --objective}. */
    static final class ObjectiveConverter implements ITypeConverter<Objective> {
        @Override
        public Objective convert(String value) {
            return Objective.parse(value);
        }
    }
}
