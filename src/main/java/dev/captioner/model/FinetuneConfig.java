package dev.captioner.model;

import com.fasterxml.jackson.annotation.JsonProperty;

/**
 * How a caption model is fine-tuned with self-critical sequence training.
 *
 * @param reward the score maximised
 * @param samples captions drawn per image and step
 * @param baseline what each sample's reward is compared with
 * @param epochs most passes over the training images
 * @param learningRate Adam's (constant) learning rate
 * @param maxWords most words in a sampled caption before its end marker, or 0 for
 *     {@link CaptionLengths#DEFAULT_MAX_WORDS} or fewer where the network's positions end
 * @param batchSize images per step
 * @param clipNorm largest global gradient norm, as in training
 * @param patience epochs without a better dev CIDEr-D before stopping
 * @param seed seed of the image order and of the samples
 */
public record FinetuneConfig(
        @JsonProperty("reward") RewardMetric reward,
        @JsonProperty("samples") int samples,
        @JsonProperty("baseline") Baseline baseline,
        @JsonProperty("epochs") int epochs,
        @JsonProperty("learning_rate") float learningRate,
        @JsonProperty("max_words") int maxWords,
        @JsonProperty("batch_size") int batchSize,
        @JsonProperty("clip_norm") float clipNorm,
        @JsonProperty("patience") int patience,
        @JsonProperty("seed") long seed) {

    /** Validates the settings. */
    public FinetuneConfig {
        if (reward == null || baseline == null) {
            throw new IllegalArgumentException("reward and baseline are required");
        }
        if (samples < 1 || samples > 100) {
            throw new IllegalArgumentException("samples must be between 1 and 100, was " + samples);
        }
        if (baseline == Baseline.OTHERS && samples < 2) {
            throw new IllegalArgumentException("the others baseline needs at least 2 samples per image, was " + samples);
        }
        if (epochs < 1 || epochs > 10_000) {
            throw new IllegalArgumentException("epochs must be between 1 and 10000, was " + epochs);
        }
        if (!(learningRate > 0 && learningRate < 1)) {
            throw new IllegalArgumentException("learning rate must be in (0, 1), was " + learningRate);
        }
        if (maxWords < 0 || maxWords > 1000) {
            throw new IllegalArgumentException("max length must be between 1 and 1000 words, was " + maxWords);
        }
        if (batchSize < 1 || batchSize > 10_000) {
            throw new IllegalArgumentException("batch size must be between 1 and 10000 images, was " + batchSize);
        }
        if (!(clipNorm > 0)) {
            throw new IllegalArgumentException("clip norm must be positive, was " + clipNorm);
        }
        if (patience < 1) {
            throw new IllegalArgumentException("patience must be at least 1, was " + patience);
        }
    }

    /**
     * @return CIDEr-D, 5 samples, the others-baseline, 10 epochs, 5e-5, up to 20 words (fewer where
     *     the network's positions end), 16 images, clip 5, patience 3, seed 1
     */
    public static FinetuneConfig defaults() {
        return new FinetuneConfig(RewardMetric.CIDER_D, 5, Baseline.OTHERS, 10, 5e-5f, 0, 16, 5f, 3, 1);
    }

    /**
     * @param epochs most epochs
     * @return these settings with that many epochs
     */
    public FinetuneConfig withEpochs(int epochs) {
        return new FinetuneConfig(reward, samples, baseline, epochs, learningRate, maxWords, batchSize, clipNorm,
                patience, seed);
    }

    /**
     * @param rate the learning rate
     * @return these settings with that rate
     */
    public FinetuneConfig withLearningRate(float rate) {
        return new FinetuneConfig(reward, samples, baseline, epochs, rate, maxWords, batchSize, clipNorm, patience,
                seed);
    }

    /**
     * @param seed the seed
     * @return these settings with that seed
     */
    public FinetuneConfig withSeed(long seed) {
        return new FinetuneConfig(reward, samples, baseline, epochs, learningRate, maxWords, batchSize, clipNorm,
                patience, seed);
    }
}
