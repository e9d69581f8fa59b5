package dev.captioner.pipeline;

import dev.captioner.data.LoadSpec;
import dev.captioner.decode.DecodeSpec;
import dev.captioner.train.FinetuneConfig;
import dev.captioner.model.ModelSpec;
import dev.captioner.train.TrainConfig;
import dev.captioner.vision.EncoderCard;
import java.nio.file.Path;

/**
 * Settings of {@code captioner run}.
 *
 * @param data the dataset
 * @param load how to read it
 * @param encoder the encoder's name in the registry
 * @param weights encoder weights, or null for the default
 * @param out the run folder
 * @param model architecture and sizes
 * @param train training settings
 * @param beam beam width of the second evaluation (the first is greedy)
 * @param clusters k of the cluster plot
 * @param featureBatch images per encoder call
 * @param encoderCard the card of an exported encoder when not the one beside its model, or null
 * @param finetune self-critical fine-tuning after training, or null for none
 */
public record RunSpec(Path data, LoadSpec load, String encoder, Path weights, Path out, ModelSpec model,
        TrainConfig train, int beam, int clusters, int featureBatch, EncoderCard encoderCard, FinetuneConfig finetune) {

    /** Validates the settings. */
    public RunSpec {
        DecodeSpec.requireBeam(beam);
        if (clusters < 1 || clusters > 20) {
            throw new IllegalArgumentException("clusters must be between 1 and 20, was " + clusters);
        }
        if (featureBatch < 1) {
            throw new IllegalArgumentException("feature batch must be positive");
        }
    }

    /** Settings of an encoder without a card, or with the card beside its model. */
    public RunSpec(Path data, LoadSpec load, String encoder, Path weights, Path out, ModelSpec model,
            TrainConfig train, int beam, int clusters, int featureBatch) {
        this(data, load, encoder, weights, out, model, train, beam, clusters, featureBatch, null, null);
    }

    /** Settings without fine-tuning. */
    public RunSpec(Path data, LoadSpec load, String encoder, Path weights, Path out, ModelSpec model,
            TrainConfig train, int beam, int clusters, int featureBatch, EncoderCard encoderCard) {
        this(data, load, encoder, weights, out, model, train, beam, clusters, featureBatch, encoderCard, null);
    }

    /**
     * @param settings fine-tuning after training, or null for none
     * @return these settings with that fine-tuning
     */
    public RunSpec withFinetune(FinetuneConfig settings) {
        return new RunSpec(data, load, encoder, weights, out, model, train, beam, clusters, featureBatch,
                encoderCard, settings);
    }

    /**
     * @param dataPath where the dataset is
     * @return these settings for a dataset at that path
     */
    public RunSpec withData(Path dataPath) {
        return new RunSpec(dataPath, load, encoder, weights, out, model, train, beam, clusters, featureBatch,
                encoderCard, finetune);
    }
}
