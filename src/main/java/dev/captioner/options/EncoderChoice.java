package dev.captioner.options;

import dev.captioner.util.Downloader;
import dev.captioner.util.Progress;
import dev.captioner.vision.EncoderCard;
import dev.captioner.vision.Encoders;
import dev.captioner.vision.FeatureKind;
import dev.captioner.vision.ImageEncoder;
import java.nio.file.Path;
import picocli.CommandLine;
import picocli.CommandLine.Option;

/**
 * Which encoder makes features, and from which weights: {@code --encoder}, {@code --weights} and
 * {@code --grid}, for {@code features}, {@code run}, {@code bench features} and Spark's
 * {@code features}. The names come from the encoder registry; an unknown one is refused with the
 * list.
 */
public final class EncoderChoice {

    /** The encoder when none is named: the Keras tutorial's. */
    public static final String DEFAULT_ENCODER = "vgg16";

    @Option(names = "--encoder", defaultValue = DEFAULT_ENCODER, paramLabel = "NAME", completionCandidates = EncoderNames.class,
            converter = EncoderName.class,
            description = "Image encoder: ${COMPLETION-CANDIDATES} (default: ${DEFAULT-VALUE}; 'captioner weights list' "
                    + "says what each is and needs).")
    String encoder;

    @Option(names = "--weights", paramLabel = "PATH",
            description = "Encoder weights: a file, or the directory of a concepts encoder (default: the published "
                    + "file, cached in $CAPTIONER_HOME/weights and downloaded on first use). On Spark: a path on every "
                    + "node, a name shipped with --files/--archives, or a URI.")
    String weights;

    @Option(names = "--encoder-card", paramLabel = "FILE",
            description = "The card of an exported encoder (onnx:FILE, torchscript:FILE): how images become its input and "
                    + "which outputs are the features (default: FILE.json beside the model).")
    Path card;

    @Option(names = "--grid", description = "Store each image's grid of annotation vectors (the last convolutional map: "
            + "VGG16's block5_conv3, 14x14x512 at 224 px) instead of one pooled vector: what attention models read.")
    boolean grid;

    /** @return the encoder's name, as the registry spells it */
    public String encoder() {
        return encoder;
    }

    /** @return the weights as given (a path or, on Spark, a URI), or null for the default */
    public String weights() {
        return weights;
    }

    /** @return the weights as a local path, or null for the default */
    public Path weightsPath() {
        return weights == null ? null : Path.of(weights);
    }

    /** @return the card given with {@code --encoder-card}, read and checked, or null */
    public EncoderCard card() {
        return card == null ? null : EncoderCard.read(card);
    }

    /**
     * Opens the encoder these options name.
     *
     * @param preferred what to give when {@code --grid} is not given
     * @return the encoder
     */
    public ImageEncoder open(FeatureKind preferred) {
        return Encoders.open(encoder, weightsPath(), card(), kind(preferred), new Downloader(Progress.defaultLog()));
    }

    /** @return whether grids were asked for */
    public boolean grid() {
        return grid;
    }

    /**
     * @param preferred what the model to be trained reads when {@code --grid} is not given
     * @return grids if asked for or preferred, else pooled vectors
     */
    public FeatureKind kind(FeatureKind preferred) {
        return grid ? FeatureKind.GRID : preferred;
    }

    /** Refuses a name the encoder registry does not know, listing those it does (exit status 2). */
    public static final class EncoderName implements CommandLine.ITypeConverter<String> {
        @Override
        public String convert(String value) {
            return Encoders.find(value).map(t -> value.trim()).orElseThrow(() -> new CommandLine.TypeConversionException(
                    "unknown encoder '" + value + "' (expected one of " + String.join(", ", Encoders.names()) + ")"));
        }
    }

    /** The encoder registry's names, for help texts and shell completion. */
    public static final class EncoderNames implements Iterable<String> {
        @Override
        public java.util.Iterator<String> iterator() {
            return Encoders.names().iterator();
        }
    }
}
