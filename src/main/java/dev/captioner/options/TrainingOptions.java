package dev.captioner.options;

import dev.captioner.model.Architecture;
import dev.captioner.model.Decay;
import dev.captioner.model.ModelSpec;
import dev.captioner.train.Objective;
import dev.captioner.train.TrainConfig;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.Mixin;
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

    @Option(names = "--dropout", paramLabel = "P",
            description = "Dropout rate (default: the architecture's: 0.5 for the LSTMs, 0.1 for the transformer).")
    Float dropout;

    @Option(names = "--patience", defaultValue = "3", paramLabel = "N",
            description = "Stop after this many epochs without a better dev loss (default: ${DEFAULT-VALUE}).")
    int patience;

    @Option(names = "--min-count", defaultValue = "1", paramLabel = "N",
            description = "Words seen fewer times become <unk> (default: ${DEFAULT-VALUE}: keep all).")
    int minCount;

    @Mixin
    CaptionCleaning captionCleaning;

    @Option(names = "--architecture", defaultValue = "merge", paramLabel = "A", converter = ArchitectureConverter.class,
            completionCandidates = ArchitectureNames.class,
            description = "${COMPLETION-CANDIDATES}: merge is the Keras tutorial's; attention reads grid features; transformer "
                    + "reads grids or pooled vectors (default: ${DEFAULT-VALUE}).")
    Architecture architecture;

    @Option(names = "--attention-dim", defaultValue = "" + ModelSpec.AttentionSpec.DEFAULT_DIM, paramLabel = "N",
            description = "Attention layer size, attention models (default: ${DEFAULT-VALUE}).")
    int attentionDim;

    @Option(names = "--alpha-reg", defaultValue = "" + ModelSpec.AttentionSpec.DEFAULT_ALPHA_REG, paramLabel = "L",
            description = "Weight of the doubly stochastic attention regulariser (default: ${DEFAULT-VALUE}).")
    float alphaReg;

    @Option(names = "--layers", defaultValue = "3", paramLabel = "N",
            description = "Transformer: decoder layers (default: ${DEFAULT-VALUE}).")
    int layers;

    @Option(names = "--d-model", defaultValue = "256", paramLabel = "N",
            description = "Transformer: width of the word and image vectors (default: ${DEFAULT-VALUE}).")
    int dModel;

    @Option(names = "--heads", defaultValue = "8", paramLabel = "N",
            description = "Transformer: attention heads, dividing --d-model (default: ${DEFAULT-VALUE}).")
    int heads;

    @Option(names = "--ffn", defaultValue = "0", paramLabel = "N",
            description = "Transformer: feed-forward width (default: 4 x --d-model).")
    int ffn;

    @Option(names = "--tie-embeddings", description = "Transformer: the output layer shares the word embeddings.")
    boolean tieEmbeddings;

    @Option(names = "--attention-layer", defaultValue = "0", paramLabel = "L",
            description = "Transformer: the layer (from 1) whose cross-attention the pictures show (default: the last).")
    int attentionLayer;

    @Option(names = "--warmup", paramLabel = "STEPS",
            description = "Raise the learning rate linearly over this many steps, then let it decay (default: the "
                    + "architecture's: 0 for the LSTMs, 400 for the transformer).")
    Integer warmup;

    @Option(names = "--decay", paramLabel = "D", converter = DecayConverter.class,
            description = "After the warm-up: inverse-sqrt (as 1/sqrt(step); a constant rate without warm-up) or linear "
                    + "(to zero at the end of the last epoch) (default: the architecture's: inverse-sqrt for the LSTMs, "
                    + "linear for the transformer).")
    Decay decay;

    @Option(names = "--objective", defaultValue = "sequence", paramLabel = "O", converter = ObjectiveConverter.class,
            description = "sequence (O(L)) or pairs (the Keras tutorial's O(L^2) expansion) (default: ${DEFAULT-VALUE}).")
    Objective objective;

    /** @return the architecture asked for */
    public Architecture architecture() {
        return architecture;
    }

    /** @return architecture, sizes, cleaning and vocabulary threshold */
    public ModelSpec modelSpec() {
        return ModelSpec.defaults().withArchitecture(architecture).withSizes(embed, units)
                .withDropout(dropout != null ? dropout : architecture.recipe().dropout())
                .withCleaning(captionCleaning.cleaning()).withMinCount(minCount)
                .withSettingsFrom(new ModelSpec.AttentionSpec(attentionDim, alphaReg),
                        new ModelSpec.TransformerSpec(layers, dModel, heads, ffn, tieEmbeddings,
                        attentionLayer));
    }

    /**
     * @param seed the run's seed
     * @return optimisation settings
     */
    public TrainConfig trainConfig(long seed) {
        return new TrainConfig(epochs, batchSize, lr, clip, patience, objective, seed)
                .withSchedule(warmup != null ? warmup : architecture.recipe().warmup(),
                        decay != null ? decay : architecture.recipe().decay());
    }

    /** Parses {@code --architecture}. */
    public static final class ArchitectureConverter implements ITypeConverter<Architecture> {
        @Override
        public Architecture convert(String value) {
            return Architecture.parse(value);
        }
    }

    /** The architectures' names, for help texts and shell completion. */
    public static final class ArchitectureNames implements Iterable<String> {
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

    /** Parses {@code --decay}. */
    static final class DecayConverter implements ITypeConverter<Decay> {
        @Override
        public Decay convert(String value) {
            return Decay.parse(value);
        }
    }
}
