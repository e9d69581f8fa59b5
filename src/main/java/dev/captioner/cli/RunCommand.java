package dev.captioner.cli;

import dev.captioner.model.Architecture;
import dev.captioner.pipeline.RunPipeline;
import dev.captioner.pipeline.RunSettings;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/** {@code captioner run}: the seed's whole pipeline in one command. */
@Command(name = "run", mixinStandardHelpOptions = true,
        description = "Run the whole pipeline: stats, features, explore, train, evaluate (greedy and beam), report. "
                + "Re-running skips stages that are up to date and resumes interrupted ones.")
public final class RunCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Mixin
    DataOptions data;

    @Option(names = "--encoder", defaultValue = "vgg16", paramLabel = "NAME",
            description = "vgg16, mobilenet or concepts (default: ${DEFAULT-VALUE}).")
    String encoder;

    @Option(names = "--weights", paramLabel = "FILE", description = "Encoder weights (a directory for concepts).")
    Path weights;

    @Option(names = "--out", required = true, paramLabel = "DIR", description = "Run folder.")
    Path out;

    @Mixin
    TrainingOptions training;

    @Option(names = "--beam", defaultValue = "3", paramLabel = "K", description = "Beam width of the second evaluation (default: ${DEFAULT-VALUE}).")
    int beam;

    @Option(names = "--clusters", defaultValue = "8", paramLabel = "K", description = "Clusters in the explore plots (default: ${DEFAULT-VALUE}).")
    int clusters;

    @Option(names = "--batch", defaultValue = "1", paramLabel = "N", description = "Images per encoder call (default: ${DEFAULT-VALUE}).")
    int batch;

    @Option(names = "--grid", description = "Grid features (implied by --architecture attention, which needs them).")
    boolean grid;

    @Override
    public Integer call() throws Exception {
        if (grid && training.architecture != Architecture.ATTENTION) {
            throw new ParameterException(spec.commandLine(), "--grid features are for --architecture attention");
        }
        PrintStream log = CommandLog.of(spec);
        RunSettings s = Settings.of(spec, () -> new RunSettings(data.data, data.loadOptions(), encoder, weights, out,
                training.modelSpec(), training.trainConfig(data.seed), beam, clusters, batch));
        // A known dataset's name (e.g. flickr8k) is fetched first, once.
        s = s.withData(data.pathDownloading(log));
        RunPipeline.Result r = new RunPipeline(log).torchThreads(Runtime.getRuntime().availableProcessors())
                .run(s);
        Summary.print(spec.commandLine().getOut(), r, 0);
        return 0;
    }
}
