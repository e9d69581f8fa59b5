package dev.captioner.cli;

import dev.captioner.options.DataOptions;
import dev.captioner.data.Dataset;
import dev.captioner.data.Split;
import dev.captioner.decode.DecodeSpec;
import dev.captioner.eval.Evaluation;
import dev.captioner.eval.Scoring;
import dev.captioner.features.FeatureStore;
import dev.captioner.hf.PretrainedCaptioner;
import dev.captioner.image.ImageLoader;
import dev.captioner.model.CaptionModel;
import dev.captioner.options.BeamWidth;
import dev.captioner.options.CaptionCleaning;
import dev.captioner.options.Checked;
import dev.captioner.options.ModelChoice;
import dev.captioner.options.PixelLimit;
import dev.captioner.options.SearchOptions;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * {@code captioner evaluate}: captions a split and scores the captions, from precomputed features
 * for a trained model, from the image files for a pretrained folder.
 */
@Command(name = "evaluate", mixinStandardHelpOptions = true,
        description = "Caption a split (a trained model from precomputed features, a pretrained folder from the images); "
                + "write metrics.json and predictions.jsonl.")
public final class EvaluateCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Mixin
    DataOptions data;

    @Mixin
    ModelChoice choice;

    @Option(names = "--features", paramLabel = "FILE.h5", description = "Feature file (required for a trained model).")
    Path features;

    @Mixin
    CaptionCleaning cleaning;

    @Mixin
    PixelLimit pixels;

    @Option(names = "--split", defaultValue = "test", paramLabel = "SPLIT", converter = SplitConverter.class,
            description = "train, dev or test (default: ${DEFAULT-VALUE}).")
    Split split;

    @Mixin
    BeamWidth beam;

    @Mixin
    SearchOptions search;

    @Option(names = "--out", required = true, paramLabel = "DIR", description = "Folder for metrics.json and predictions.jsonl.")
    Path out;

    @Override
    public Integer call() throws Exception {
        Split s = split;
        Path model = choice.modelPath();
        DecodeSpec options = Checked.of(spec, () -> search.decode(beam.beamFor(model)));
        String variant = Checked.of(spec, choice::variant);
        Scoring.Result result;
        if (PretrainedCaptioner.isPretrained(model)) {
            // Captions are cleaned like the references: the same words are counted on both sides.
            try (PretrainedCaptioner c = PretrainedCaptioner.open(model, variant); Dataset dataset = data.load()) {
                result = Evaluation.runPretrained(c, dataset, s, options, cleaning.cleaning(),
                        new ImageLoader(pixels.maxPixels()));
            }
        } else {
            if (features == null) {
                throw new ParameterException(spec.commandLine(), "--features is required for a trained model ("
                        + model + " is not a pretrained folder)");
            }
            try (CaptionModel m = CaptionModel.load(model); Dataset dataset = data.load()) {
                result = Evaluation.run(m, dataset, FeatureStore.read(features), s, options);
            }
        }
        Files.createDirectories(out);
        MetricsOutput.writePredictions(out.resolve("predictions.jsonl"), result.predictions());
        MetricsOutput.writeMetrics(out.resolve("metrics.json"), result.metrics());
        MetricsOutput.table(spec.commandLine().getOut(), result.metrics());
        spec.commandLine().getOut().println("wrote " + out.resolve("metrics.json") + " and " + out.resolve("predictions.jsonl"));
        return 0;
    }
}
