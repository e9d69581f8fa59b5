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
 * @param source the dataset and how its images become features
 * @param out the run folder
 * @param model architecture and sizes
 * @param train training settings
 * @param report what the report adds to the greedy evaluation
 * @param finetune self-critical fine-tuning after training, or null for none
 */
public record RunSpec(Source source, Path out, ModelSpec model, TrainConfig train, Report report,
        FinetuneConfig finetune) {

    /**
     * The dataset, and how its images become features.
     *
     * @param data the dataset
     * @param load how to read it
     * @param encoder the encoder's name in the registry
     * @param weights encoder weights, or null for the default
     * @param encoderCard the card of an exported encoder when not the one beside its model, or null
     * @param featureBatch images per encoder call
     */
    public record Source(Path data, LoadSpec load, String encoder, Path weights, EncoderCard encoderCard,
            int featureBatch) {

        /** Validates the settings. */
        public Source {
            if (featureBatch < 1) {
                throw new IllegalArgumentException("feature batch must be positive");
            }
        }
    }

    /**
     * What the report adds to the greedy evaluation.
     *
     * @param beam beam width of the second evaluation
     * @param clusters k of the cluster plot
     */
    public record Report(int beam, int clusters) {

        /** Validates the settings. */
        public Report {
            DecodeSpec.requireBeam(beam);
            if (clusters < 1 || clusters > 20) {
                throw new IllegalArgumentException("clusters must be between 1 and 20, was " + clusters);
            }
        }
    }

    /** Validates the settings. */
    public RunSpec {
        if (source == null || report == null || model == null || train == null) {
            throw new IllegalArgumentException("source, model, training and report settings are required");
        }
    }

    /** @return the dataset */
    public Path data() {
        return source.data();
    }

    /** @return how to read the dataset */
    public LoadSpec load() {
        return source.load();
    }

    /** @return the encoder's name in the registry */
    public String encoder() {
        return source.encoder();
    }

    /** @return encoder weights, or null for the default */
    public Path weights() {
        return source.weights();
    }

    /** @return an exported encoder's card, or null */
    public EncoderCard encoderCard() {
        return source.encoderCard();
    }

    /** @return images per encoder call */
    public int featureBatch() {
        return source.featureBatch();
    }

    /** @return beam width of the second evaluation */
    public int beam() {
        return report.beam();
    }

    /** @return k of the cluster plot */
    public int clusters() {
        return report.clusters();
    }

    /**
     * @param settings fine-tuning after training, or null for none
     * @return these settings with that fine-tuning
     */
    public RunSpec withFinetune(FinetuneConfig settings) {
        return new RunSpec(source, out, model, train, report, settings);
    }

    /**
     * @param dataPath where the dataset is
     * @return these settings for a dataset at that path
     */
    public RunSpec withData(Path dataPath) {
        return new RunSpec(new Source(dataPath, source.load(), source.encoder(), source.weights(), source.encoderCard(),
                source.featureBatch()), out, model, train, report, finetune);
    }
}
