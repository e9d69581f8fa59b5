package dev.captioner.model;

import com.fasterxml.jackson.annotation.JsonProperty;

/**
 * One epoch of training, as {@code history.json} lists it.
 *
 * @param epoch 1-based epoch number
 * @param trainLoss mean next-word loss over the epoch's training batches (dropout on)
 * @param devLoss mean next-word loss over the dev captions (dropout off)
 * @param seconds wall time of the epoch's training
 * @param tokensPerSecond next-word predictions trained per second
 */
public record EpochRecord(
        @JsonProperty("epoch") int epoch,
        @JsonProperty("train_loss") double trainLoss,
        @JsonProperty("dev_loss") double devLoss,
        @JsonProperty("seconds") double seconds,
        @JsonProperty("tokens_per_second") double tokensPerSecond) {}
