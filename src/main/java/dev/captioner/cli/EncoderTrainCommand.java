package dev.captioner.cli;

import dev.captioner.options.DataOptions;
import dev.captioner.options.CaptionCleaning;
import dev.captioner.data.Dataset;
import dev.captioner.options.ResumeRun;
import dev.captioner.options.Checked;
import dev.captioner.vision.ConceptsConfig;
import dev.captioner.train.ConceptsTrainer;
import dev.captioner.train.ConceptsSpec;
import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code captioner encoder train}: trains the concepts encoder on a dataset's training split. */
@Command(name = "train", mixinStandardHelpOptions = true,
        description = "Train the concepts encoder (a small CNN predicting caption words and word pairs) "
                + "on the training split; report mean average precision on dev.")
public final class EncoderTrainCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Mixin
    DataOptions data;

    @Option(names = "--out", required = true, paramLabel = "DIR", description = "Directory to write the encoder into.")
    Path out;

    @Option(names = "--size", defaultValue = "64", paramLabel = "PX", description = "Input size in pixels (default: ${DEFAULT-VALUE}).")
    int size;

    @Option(names = "--epochs", defaultValue = "12", paramLabel = "N", description = "Training epochs (default: ${DEFAULT-VALUE}).")
    int epochs;

    @Option(names = "--labels", defaultValue = "96", paramLabel = "K", description = "Concepts to predict (default: ${DEFAULT-VALUE}).")
    int labels;

    @Option(names = "--batch-size", defaultValue = "32", paramLabel = "N", description = "Images per step (default: ${DEFAULT-VALUE}).")
    int batchSize;

    @Mixin
    CaptionCleaning captionCleaning;

    @Mixin
    ResumeRun resume;

    @Override
    public Integer call() {
        ConceptsSpec defaults = ConceptsSpec.defaults();
        ConceptsSpec options = Checked.of(spec, () -> new ConceptsSpec(size, labels, epochs,
                batchSize, defaults.learningRate(), defaults.featureDim(), data.seed(), captionCleaning.cleaning()));
        ConceptsConfig config;
        try (Dataset dataset = data.load()) {
            config = new ConceptsTrainer(CommandLog.of(spec)).train(dataset, options, out, resume.resume());
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
        spec.commandLine().getOut().printf(Locale.ROOT, "wrote concepts encoder to %s: %d labels, %d-d feature, "
                + "dev mean average precision %.3f%n", out, config.labels().size(), config.featureDim(),
                config.devMeanAveragePrecision());
        return 0;
    }
}
