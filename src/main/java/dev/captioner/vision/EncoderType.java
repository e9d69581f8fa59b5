package dev.captioner.vision;

import dev.captioner.util.Downloader;
import java.nio.file.Path;
import java.util.List;

/**
 * One line of the encoder registry ({@link Encoders}): a name the command line takes, what the
 * encoder is, what weights it needs, how to open it, and which of its files travel with a
 * caption model trained on its features. A scheme encoder is named with its file,
 * {@code NAME:FILE} (e.g. {@code onnx:clip.onnx}).
 *
 * @param name the name given to {@code --encoder}, or the scheme before the colon
 * @param scheme whether it is named {@code NAME:FILE}
 * @param description what the encoder is and what feature it gives
 * @param weights what {@code --weights} (or the file after the colon) names for it
 * @param opener opens the network
 * @param bundle the encoder's files that a model directory keeps a copy of (none for large
 *     weights, which stay where they are)
 */
public record EncoderType(String name, boolean scheme, String description, String weights, Opener opener,
        Bundle bundle) {

    /**
     * What an encoder is opened from.
     *
     * @param file the file after the colon of a scheme name, or null
     * @param weights the weights given ({@code --weights}, or the copy a model found), or null
     * @param card the card an exported model was recorded with, or null to read the one beside it
     * @param sha256 the SHA-256 the weights must have (a model's record of them), checked before
     *     any engine opens the file; null when nothing is expected
     */
    public record Source(Path file, Path weights, EncoderCard card, String sha256) {}

    /** Opens an encoder's network. */
    @FunctionalInterface
    public interface Opener {
        /**
         * @param source the files it is opened from
         * @param downloader fetches published weights not cached yet
         * @return the encoder, giving pooled vectors
         */
        ImageEncoder open(Source source, Downloader downloader);
    }

    /** Lists the files of an encoder that go into a model directory. */
    @FunctionalInterface
    public interface Bundle {
        /**
         * @param weights where the encoder's weights were read from
         * @return its files to copy (empty: nothing travels with the model)
         */
        List<Path> files(Path weights);
    }

    /** @return how {@code --encoder} spells it: {@code vgg16}, or {@code onnx:FILE} */
    public String spelling() {
        return scheme ? name + ":FILE" : name;
    }

    /** @return a one-line listing: name, description, weights */
    public String line() {
        return spelling() + ": " + description + "; weights: " + weights;
    }
}
