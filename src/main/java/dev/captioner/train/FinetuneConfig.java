package dev.captioner.train;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonUnwrapped;

/**
 * How a caption model is fine-tuned with self-critical sequence training.
 *
 * @param run epochs, the (constant) learning rate, clipping as in training, patience (epochs
 *     without a better dev CIDEr-D) and the seed of the image order and of the samples
 * @param reward the score maximised
 * @param samples captions drawn per image and step
 * @param baseline what each sample's reward is compared with
 * @param maxWords most words in a sampled caption before its end marker, or 0 for
 *     {@link CaptionLengths#DEFAULT_MAX_WORDS} or fewer where the network's positions end
 * @param batchSize images per step
 */
public record FinetuneConfig(
        @JsonUnwrapped RunConfig run,
        @JsonProperty("reward") RewardMetric reward,
        @JsonProperty("samples") int samples,
        @JsonProperty("baseline") Baseline baseline,
        @JsonProperty("max_words") int maxWords,
        @JsonProperty("batch_size") int batchSize) {

    /** Validates the settings. */
    public FinetuneConfig {
        if (run == null) {
            throw new IllegalArgumentException("epochs, learning rate, clipping, patience and seed are required");
        }
        if (reward == null || baseline == null) {
            throw new IllegalArgumentException("reward and baseline are required");
        }
        if (samples < 1 || samples > 100) {
            throw new IllegalArgumentException("samples must be between 1 and 100, was " + samples);
        }
        if (baseline == Baseline.OTHERS && samples < 2) {
            throw new IllegalArgumentException("the others baseline needs at least 2 samples per image, was " + samples);
        }
        if (!(run.learningRate() < 1)) {
            throw new IllegalArgumentException("learning rate must be in (0, 1), was " + run.learningRate());
        }
        if (maxWords < 0 || maxWords > 1000) {
            throw new IllegalArgumentException("max length must be between 1 and 1000 words, was " + maxWords);
        }
        if (batchSize < 1 || batchSize > 10_000) {
            throw new IllegalArgumentException("batch size must be between 1 and 10000 images, was " + batchSize);
        }
    }

    /**
     * The settings in the order {@code captioner finetune} lists them.
     *
     * @param reward the score maximised
     * @param samples captions per image
     * @param baseline what rewards are compared with
     * @param epochs most epochs
     * @param learningRate the learning rate
     * @param maxWords most words per sample, or 0 for the default
     * @param batchSize images per step
     * @param clipNorm largest gradient norm
     * @param patience epochs without a better dev score before stopping
     * @param seed the seed
     */
    public FinetuneConfig(RewardMetric reward, int samples, Baseline baseline, int epochs, float learningRate,
            int maxWords, int batchSize, float clipNorm, int patience, long seed) {
        this(new RunConfig(epochs, learningRate, clipNorm, patience, seed), reward, samples, baseline, maxWords,
                batchSize);
    }

    /**
     * @return CIDEr-D, 5 samples, the others-baseline, 10 epochs, 5e-5, up to 20 words (fewer where
     *     the network's positions end), 16 images, clip 5, patience 3, seed 1
     */
    public static FinetuneConfig defaults() {
        return new FinetuneConfig(RewardMetric.CIDER_D, 5, Baseline.OTHERS, 10, 5e-5f, 0, 16, 5f, 3, 1);
    }

    /** @return most passes over the training images */
    public int epochs() {
        return run.epochs();
    }

    /** @return Adam's learning rate */
    public float learningRate() {
        return run.learningRate();
    }

    /** @return largest global gradient norm */
    public float clipNorm() {
        return run.clipNorm();
    }

    /** @return epochs without a better dev CIDEr-D before stopping */
    public int patience() {
        return run.patience();
    }

    /** @return seed of the image order and of the samples */
    public long seed() {
        return run.seed();
    }

    /**
     * @param epochs most epochs
     * @return these settings with that many epochs
     */
    public FinetuneConfig withEpochs(int epochs) {
        return with(run.withEpochs(epochs));
    }

    /**
     * @param rate the learning rate
     * @return these settings with that rate
     */
    public FinetuneConfig withLearningRate(float rate) {
        return with(run.withLearningRate(rate));
    }

    /**
     * @param seed the seed
     * @return these settings with that seed
     */
    public FinetuneConfig withSeed(long seed) {
        return with(run.withSeed(seed));
    }

    private FinetuneConfig with(RunConfig r) {
        return new FinetuneConfig(r, reward, samples, baseline, maxWords, batchSize);
    }
}
