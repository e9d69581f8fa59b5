package dev.captioner.train;

import com.fasterxml.jackson.annotation.JsonProperty;

/**
 * One epoch of self-critical fine-tuning, as {@code finetune.json} lists it; epoch 0 is the
 * model it started from.
 *
 * @param epoch epoch number, 0 for the starting model
 * @param meanReward mean reward of the epoch's samples (NaN for epoch 0)
 * @param meanBaseline mean of their baselines (NaN for epoch 0)
 * @param devCider dev CIDEr-D of greedy captions after the epoch
 * @param seconds wall time of the epoch's training
 * @param imagesPerSecond training images per second
 */
public record FinetuneRecord(
        @JsonProperty("epoch") int epoch,
        @JsonProperty("mean_reward") double meanReward,
        @JsonProperty("mean_baseline") double meanBaseline,
        @JsonProperty("dev_cider") double devCider,
        @JsonProperty("seconds") double seconds,
        @JsonProperty("images_per_second") double imagesPerSecond) {}
