package dev.captioner.cli;

import dev.captioner.data.Cleaning;
import dev.captioner.model.Architecture;
import dev.captioner.model.ModelSpec;
import dev.captioner.model.Objective;
import dev.captioner.model.TrainConfig;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.Option;

/** The model and training options that {@code train} and {@code run} share. */
public final class TrainingOptions {

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
            completionCandidates = ArchitectureNames.class,
            description = "${COMPLETION-CANDIDATES}: merge is the seed's; attention reads grid features "
                    + "(default: ${DEFAULT-VALUE}).")
    Architecture architecture;

    @Option(names = "--attention-dim", defaultValue = "" + ModelSpec.AttentionSettings.DEFAULT_DIM, paramLabel = "N",
            description = "Attention layer size, attention models (default: ${DEFAULT-VALUE}).")
    int attentionDim;

    @Option(names = "--alpha-reg", defaultValue = "" + ModelSpec.AttentionSettings.DEFAULT_ALPHA_REG, paramLabel = "L",
            description = "Weight of the doubly stochastic attention regulariser (default: ${DEFAULT-VALUE}).")
    float alphaReg;

    @Option(names = "--objective", defaultValue = "sequence", paramLabel = "O", converter = ObjectiveConverter.class,
            description = "sequence (O(L)) or pairs (the seed's O(L^2) expansion) (default: ${DEFAULT-VALUE}).")
    Objective objective;

    /** @return architecture, sizes, cleaning and vocabulary threshold */
    ModelSpec modelSpec() {
        return ModelSpec.defaults().withArchitecture(architecture).withSizes(embed, units).withDropout(dropout)
                .withCleaning(cleaning).withMinCount(minCount)
                .withAttention(new ModelSpec.AttentionSettings(attentionDim, alphaReg));
    }

    /**
     * @param seed the run's seed
     * @return optimisation settings
     */
    TrainConfig trainConfig(long seed) {
        return new TrainConfig(epochs, batchSize, lr, clip, patience, objective, seed);
    }

    /** Parses {@code --architecture}. */
    static final class ArchitectureConverter implements ITypeConverter<Architecture> {
        @Override
        public Architecture convert(String value) {
            return Architecture.parse(value);
        }
    }

    /** The architectures' names, for help texts and shell completion. */
    static final class ArchitectureNames implements Iterable<String> {
        @Override
        public java.util.Iterator<String> iterator() {
            return java.util.Arrays.stream(Architecture.values()).map(Architecture::id).iterator();
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
