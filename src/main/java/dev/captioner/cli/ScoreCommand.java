package dev.captioner.cli;

import dev.captioner.options.DataOptions;
import dev.captioner.options.CaptionCleaning;
import dev.captioner.data.Dataset;
import dev.captioner.data.ImageRecord;
import dev.captioner.data.Split;
import dev.captioner.eval.PredictionsFile;
import dev.captioner.eval.Scoring;
import java.nio.file.Path;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.stream.Collectors;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code captioner score}: scores any predictions file against a dataset's references. */
@Command(name = "score", mixinStandardHelpOptions = true,
        description = "Score predictions (JSON lines or CSV with image and caption) against the references of a split.")
public final class ScoreCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Mixin
    DataOptions data;

    @Option(names = "--predictions", required = true, paramLabel = "FILE", description = "JSON lines or CSV: image, caption.")
    Path predictions;

    @Option(names = "--split", defaultValue = "test", paramLabel = "SPLIT", converter = SplitConverter.class,
            description = "train, dev or test (default: ${DEFAULT-VALUE}).")
    Split split;

    @Mixin
    CaptionCleaning captionCleaning;

    @Option(names = "--json", description = "Print the metrics.json object instead of a table.")
    boolean json;

    @Override
    public Integer call() throws Exception {
        Split s = split;
        Scoring.Result result;
        try (Dataset dataset = data.load()) {
            Set<String> known = dataset.images().stream().map(ImageRecord::name).collect(Collectors.toSet());
            Map<String, String> captions = PredictionsFile.read(predictions, known);
            result = Scoring.score(dataset.images(s), captions, Map.of(), captionCleaning.cleaning(), 0, s.id());
        }
        if (!result.missing().isEmpty()) {
            spec.commandLine().getErr().println("score: " + result.missing().size() + " " + s.id()
                    + " images have no prediction and are scored as empty captions (first: "
                    + String.join(", ", result.missing().subList(0, Math.min(5, result.missing().size()))) + ")");
        }
        if (json) {
            spec.commandLine().getOut().println(MetricsOutput.JSON.writeValueAsString(result.metrics()));
        } else {
            MetricsOutput.table(spec.commandLine().getOut(), result.metrics());
        }
        return 0;
    }
}
