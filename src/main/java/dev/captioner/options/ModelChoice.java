package dev.captioner.options;

import java.nio.file.Path;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code --model} and {@code --variant}: the model directory to caption with (or a pretrained
 * folder as Hugging Face publishes it), for {@code caption}, {@code evaluate}, {@code serve} and
 * Spark's {@code caption}.
 */
public final class ModelChoice {

    @Option(names = "--model", required = true, paramLabel = "DIR",
            description = "Model directory written by 'captioner train' or 'run', or a pretrained folder (Hugging Face "
                    + "image-to-text ONNX export, e.g. from 'captioner weights download vit-gpt2-image-captioning'). On "
                    + "Spark: a path on every node, a name shipped with --archives, or a URI.")
    String model;

    @Mixin
    PretrainedVariant variant = new PretrainedVariant();

    /**
     * @return the pretrained variant asked for, or null for the default
     * @throws IllegalArgumentException if it is not one
     */
    public String variant() {
        return variant.variant();
    }

    /** @return the model as given (a path or, on Spark, a URI) */
    public String model() {
        return model;
    }

    /** @return the model as a local path */
    public Path modelPath() {
        return Path.of(model);
    }
}
