package dev.captioner.vision;

import dev.captioner.util.Downloader;
import java.nio.file.Path;
import java.util.List;

/**
 * One line of the encoder registry ({@link Encoders}): a name the command line takes, what the
 * encoder is, what weights it needs, how to open it, and which of its files travel with a
 * caption model trained on its features.
 *
 * @param name the name given to {@code --encoder}
 * @param description what the encoder is and what feature it gives
 * @param weights what {@code --weights} names for it, and what happens without it
 * @param opener opens the network
 * @param bundle the encoder's files that a model directory keeps a copy of (none for large
 *     published weights, which stay in the cache)
 */
public record EncoderType(String name, String description, String weights, Opener opener, Bundle bundle) {

    /** Opens an encoder's network. */
    @FunctionalInterface
    public interface Opener {
        /**
         * @param weights the weights given, or null for the published default
         * @param downloader fetches published weights not cached yet
         * @return the network, pooled
         */
        NetworkEncoder open(Path weights, Downloader downloader);
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

    /** @return a one-line listing: name, description, weights */
    public String line() {
        return name + ": " + description + "; weights: " + weights;
    }
}
