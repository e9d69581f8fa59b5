package dev.captioner.train;

import com.fasterxml.jackson.annotation.JsonProperty;

/**
 * One epoch of the concepts encoder's training.
 *
 * @param epoch its number, from 1
 * @param trainLoss mean binary cross-entropy over the epoch's batches
 * @param devMap mean average precision of the concepts on dev (NaN without dev images)
 * @param seconds how long the epoch took
 */
public record ConceptsRecord(
        @JsonProperty("epoch") int epoch,
        @JsonProperty("train_loss") double trainLoss,
        @JsonProperty("dev_map") double devMap,
        @JsonProperty("seconds") double seconds) {}
