package dev.captioner.vision;

import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Activation;
import ai.djl.nn.Blocks;
import ai.djl.nn.SequentialBlock;
import ai.djl.nn.convolutional.Conv2d;
import ai.djl.nn.core.Linear;
import ai.djl.nn.norm.BatchNorm;
import ai.djl.nn.norm.Dropout;
import ai.djl.nn.pooling.Pool;

/**
 * The concepts encoder's network: four blocks of 3×3 convolution, BatchNorm, ReLU and 2×2 max
 * pooling, then a flatten that keeps where things are (no global pooling: "left" and "above"
 * matter), a dense layer whose ReLU output is the feature, and a dense layer of one logit per
 * concept.
 */
final class ConceptsNet {

    /** Blocks of {@link #body} before the flatten: four of conv, BatchNorm, ReLU, pooling. */
    static final int TRUNK_BLOCKS = 16;

    /** The trunk, input {@code [N, 3, S, S]} to feature {@code [N, featureDim]}. */
    final SequentialBlock body;
    /** The whole network, body plus the concept logits {@code [N, labels]}. */
    final SequentialBlock full;

    ConceptsNet(ConceptsConfig config) {
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
}
