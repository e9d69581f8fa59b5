package dev.captioner.options;

import dev.captioner.hf.PretrainedCaptioner;
import picocli.CommandLine.Option;

/**
 * {@code --variant}: which graphs of a pretrained folder to fetch or run ({@code default}, the
 * published ones, or {@code quantized}, their {@code *_quantized.onnx}), declared here once for
 * {@code caption}, {@code evaluate}, {@code serve}, {@code weights download}, {@code bench caption}
 * and Spark's {@code caption}.
 */
public final class PretrainedVariant {

    @Option(names = "--variant", paramLabel = "NAME",
            description = "For a pretrained captioner: default (the published graphs) or quantized (its "
                    + "*_quantized.onnx: 8-bit weights, smaller and faster).")
    String variant;

    /**
     * @return the variant asked for, or null for the default
     * @throws IllegalArgumentException naming the choices if it is none of them
     */
    public String variant() {
        PretrainedCaptioner.requireVariant(variant);
        return variant;
    }
}
