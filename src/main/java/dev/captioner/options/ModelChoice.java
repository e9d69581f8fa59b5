package dev.captioner.options;

import java.nio.file.Path;
import picocli.CommandLine.Option;

/** {@code --model}: the model directory to caption with, for {@code caption}, {@code serve} and Spark's {@code caption}. */
public final class ModelChoice {

    @Option(names = "--model", required = true, paramLabel = "DIR",
            description = "Model directory written by 'captioner train' or 'run'. On Spark: a path on every node, a name "
                    + "shipped with --archives, or a URI.")
    String model;

    /** @return the model as given (a path or, on Spark, a URI) */
    public String model() {
        return model;
    }

    /** @return the model as a local path */
    public Path modelPath() {
        return Path.of(model);
    }
}
