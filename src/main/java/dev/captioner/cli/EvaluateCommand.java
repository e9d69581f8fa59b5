package dev.captioner.cli;

import dev.captioner.options.BeamWidth;
import dev.captioner.data.Dataset;
import dev.captioner.data.Split;
import dev.captioner.decode.DecodeSpec;
import dev.captioner.eval.Evaluation;
import dev.captioner.eval.Scoring;
import dev.captioner.features.FeatureStore;
import dev.captioner.model.CaptionModel;
import dev.captioner.options.Checked;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code captioner evaluate}: captions a split from its features and scores the captions. */
@Command(name = "evaluate", mixinStandardHelpOptions = true,
        description = "Caption a split from precomputed features; write metrics.json and predictions.jsonl.")
public final class EvaluateCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Mixin
    DataOptions data;

    @Option(names = "--model", required = true, paramLabel = "DIR", description = "Model directory.")
    Path model;

    @Option(names = "--features", required = true, paramLabel = "FILE.h5", description = "Feature file.")
    Path features;

    @Option(names = "--split", defaultValue = "test", paramLabel = "SPLIT", converter = SplitConverter.class,
            description = "train, dev or test (default: ${DEFAULT-VALUE}).")
    Split split;

    @Mixin
    BeamWidth beam;

    @Option(names = "--max-length", defaultValue = "0", paramLabel = "N", description = "Most tokens per caption (default: the model's).")
    int maxLength;

    @Option(names = "--length-penalty", defaultValue = "0", paramLabel = "A", description = "Length normalisation exponent (default: ${DEFAULT-VALUE}).")
    double lengthPenalty;

    @Option(names = "--block-trigrams", description = "Never repeat a trigram within a caption.")
    boolean blockTrigrams;

    @Option(names = "--out", required = true, paramLabel = "DIR", description = "Folder for metrics.json and predictions.jsonl.")
    Path out;

    @Override
    public Integer call() throws Exception {
        Split s = split;
        DecodeSpec options = Checked.of(spec, () -> new DecodeSpec(beam.beam(), maxLength, lengthPenalty, blockTrigrams));
        Scoring.Result result;
        try (CaptionModel m = CaptionModel.load(model); Dataset dataset = data.load()) {
            result = Evaluation.run(m, dataset, FeatureStore.read(features), s, options);
        }
        Files.createDirectories(out);
        MetricsOutput.writePredictions(out.resolve("predictions.jsonl"), result.predictions());
        MetricsOutput.writeMetrics(out.resolve("metrics.json"), result.metrics());
        MetricsOutput.table(spec.commandLine().getOut(), result.metrics());
        spec.commandLine().getOut().println("wrote " + out.resolve("metrics.json") + " and " + out.resolve("predictions.jsonl"));
        return 0;
    }
}
