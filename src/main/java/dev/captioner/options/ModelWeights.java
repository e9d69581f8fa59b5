package dev.captioner.options;

import java.nio.file.Path;
import picocli.CommandLine.Option;

/**
 * {@code --weights} for the commands that caption with a trained model ({@code caption},
 * {@code serve}, Spark's {@code caption}): the model names its encoder, these are where that
 * encoder's weights are when the model cannot find them itself.
 */
public final class ModelWeights {

    @Option(names = "--weights", paramLabel = "PATH",
            description = "Encoder weights (default: found as the model recorded: its own encoder/ folder, where the "
                    + "features were made, or captioner's cache). On Spark: a path on every node, a shipped name or a URI.")
    String weights;

    @Option(names = "--trust-model-paths",
            description = "Open encoder files wherever the model's config.json says they are; without it, only files "
                    + "in the model directory or captioner's home are opened on the model's word (a model file is code).")
    boolean trustModelPaths;

    /** @return whether the user trusts the paths the model's configuration names */
    public boolean trustModelPaths() {
        return trustModelPaths;
    }

    /** @return the weights as given, or null to find them from the model */
    public String weights() {
        return weights;
    }

    /** @return the weights as a local path, or null */
    public Path weightsPath() {
        return weights == null ? null : Path.of(weights);
    }
}
