package dev.captioner.train;

import ai.djl.ndarray.NDManager;
import ai.djl.nn.Block;

/**
 * What a {@link TrainingEngine} checkpoints for an objective.
 *
 * @param block the network whose parameters are checkpointed and kept
 * @param optimizer the optimizer, whose moments are checkpointed
 * @param manager owns the arrays loaded from checkpoints
 */
public record Trainable(Block block, AdamOptimizer optimizer, NDManager manager) {}
