package dev.captioner.spark;

import dev.captioner.vision.FeatureKind;
import java.io.Serializable;

/**
 * Which image encoder an executor loads: shipped with a feature job, and the key under which each
 * executor keeps the one it loaded ({@link ExecutorModels}).
 *
 * @param encoder encoder name ({@code onnx:LOCATION} for an exported model)
 * @param weights weights location, or null for the published file in each executor's cache
 * @param grid grids instead of pooled vectors
 * @param cardJson an exported encoder's card as JSON, or null for the card beside its model
 */
public record EncoderSpec(String encoder, String weights, boolean grid, String cardJson) implements Serializable {

    private static final long serialVersionUID = 1L;

    /** @return what the encoder gives: grids or pooled vectors */
    public FeatureKind kind() {
        return grid ? FeatureKind.GRID : FeatureKind.POOLED;
    }
}
