package dev.captioner.vision;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Block;
import ai.djl.nn.Activation;
import ai.djl.nn.Blocks;
import ai.djl.nn.SequentialBlock;
import ai.djl.nn.convolutional.Conv2d;
import ai.djl.nn.core.Linear;
import ai.djl.nn.norm.BatchNorm;
import ai.djl.nn.norm.Dropout;
import ai.djl.nn.pooling.Pool;
import dev.captioner.image.Preprocessing;
import dev.captioner.image.RgbImage;
import java.util.List;

/**
 * The concepts encoder's network: four blocks of 3×3 convolution, BatchNorm, ReLU and 2×2 max
 * pooling, then a flatten that keeps where things are (no global pooling: "left" and "above"
 * matter), a dense layer whose ReLU output is the feature, and a dense layer of one logit per
 * concept.
 */
public final class ConceptsNet {

    /** Blocks of {@link #body} before the flatten: four of conv, BatchNorm, ReLU, pooling. */
    static final int TRUNK_BLOCKS = 16;

    /** The trunk, input {@code [N, 3, S, S]} to feature {@code [N, featureDim]}. */
    final SequentialBlock body;
    /** The whole network, body plus the concept logits {@code [N, labels]}. */
    final SequentialBlock full;

    /** @param config the encoder's settings: channels, feature size, labels */
    public ConceptsNet(ConceptsConfig config) {
        body = new SequentialBlock();
        for (int c : config.channels()) {
            body.add(Conv2d.builder().setFilters(c).setKernelShape(new Shape(3, 3)).optPadding(new Shape(1, 1)).build())
                    .add(BatchNorm.builder().build())
                    .add(Activation.reluBlock())
                    .add(Pool.maxPool2dBlock(new Shape(2, 2), new Shape(2, 2)));
        }
        body.add(Blocks.batchFlattenBlock())
                .add(Linear.builder().setUnits(config.featureDim()).build())
                .add(Activation.reluBlock());
        full = new SequentialBlock()
                .add(body)
                .add(Dropout.builder().optRate(0.3f).build())
                .add(Linear.builder().setUnits(config.labels().size()).build());
    }

    /** @return the whole network, input {@code [N, 3, S, S]} to logits {@code [N, labels]}, as trained */
    public Block network() {
        return full;
    }

    /**
     * @param manager owns the result
     * @param images images already resized to {@code size} × {@code size}
     * @param size the encoder's input size
     * @return {@code [N, 3, S, S]}: the network's input (pixels in [0, 1], in the layout it reads)
     */
    public static NDArray inputs(NDManager manager, List<RgbImage> images, int size) {
        List<float[]> x = images.stream().map(i -> ImageInputs.of(i, size, Preprocessing.UNIT)).toList();
        return ChannelsLast.of(manager.create(ImageInputs.batch(x), new Shape(images.size(), 3, size, size)));
    }
}
