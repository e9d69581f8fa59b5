package dev.captioner.spark;

import dev.captioner.Captioner;
import dev.captioner.decode.DecodeSpec;
import dev.captioner.hf.PretrainedCaptioner;
import java.io.Serializable;
import java.nio.file.Path;

/**
 * Which captioner an executor loads, and how: shipped with a job, and the key under which each
 * executor keeps the one it loaded ({@link ExecutorModels}). The search's settings are not part
 * of it, so jobs that differ only in beam width share the loaded model.
 *
 * @param model model directory or pretrained folder location (see {@link ModelLocation})
 * @param weights encoder weights location, or null to find them as the model recorded
 * @param variant a pretrained folder's graphs ({@code default} or {@code quantized}), or null
 * @param maxPixels largest image accepted
 * @param exactDecode decode every pixel (the Keras-exact path) rather than what the encoder reads
 * @param trustModelPaths open encoder files wherever the model's configuration says they are
 */
public record CaptionerSpec(String model, String weights, String variant, long maxPixels, boolean exactDecode,
        boolean trustModelPaths) implements Serializable {

    private static final long serialVersionUID = 1L;

    /** Checks what can be checked on the driver, before any executor loads anything. */
    public CaptionerSpec {
        if (maxPixels < 1) {
            throw new IllegalArgumentException("max pixels must be positive, was " + maxPixels);
        }
        PretrainedCaptioner.requireVariant(variant);
    }

    /**
     * @param weightsFile where the weights are on this machine, or null
     * @return the captioner's settings, with greedy search (jobs give the search per call)
     */
    Captioner.Spec spec(Path weightsFile) {
        return new Captioner.Spec(DecodeSpec.greedy(), weightsFile, maxPixels, exactDecode, trustModelPaths, variant);
    }

    /**
     * @param modelLocation the model's location as shipped
     * @param weightsLocation the weights' location as shipped, or null
     * @return the same captioner at those locations
     */
    CaptionerSpec at(String modelLocation, String weightsLocation) {
        return new CaptionerSpec(modelLocation, weightsLocation, variant, maxPixels, exactDecode, trustModelPaths);
    }
}
