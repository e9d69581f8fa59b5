package dev.captioner.cli;

import dev.captioner.data.Cleaning;
import dev.captioner.data.LoadOptions;
import dev.captioner.model.Architecture;
import dev.captioner.model.ModelSpec;
import dev.captioner.model.Objective;
import dev.captioner.model.TrainConfig;
import dev.captioner.pipeline.RunPipeline;
import dev.captioner.pipeline.RunSettings;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
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

    @Option(names = "--epochs", defaultValue = "20", paramLabel = "N", description = "Most epochs (default: ${DEFAULT-VALUE}).")
    int epochs;

    @Option(names = "--batch-size", defaultValue = "64", paramLabel = "N", description = "Captions per step (default: ${DEFAULT-VALUE}).")
    int batchSize;

    @Option(names = "--lr", defaultValue = "0.001", paramLabel = "RATE", description = "Learning rate (default: ${DEFAULT-VALUE}).")
    float lr;

    @Option(names = "--embed", defaultValue = "256", paramLabel = "N", description = "Embedding size (default: ${DEFAULT-VALUE}).")
    int embed;

    @Option(names = "--units", defaultValue = "256", paramLabel = "N", description = "LSTM width (default: ${DEFAULT-VALUE}).")
    int units;

    @Option(names = "--dropout", defaultValue = "0.5", paramLabel = "P", description = "Dropout (default: ${DEFAULT-VALUE}).")
    float dropout;

    @Option(names = "--patience", defaultValue = "3", paramLabel = "N", description = "Early-stopping patience (default: ${DEFAULT-VALUE}).")
    int patience;

    @Option(names = "--min-count", defaultValue = "1", paramLabel = "N", description = "Vocabulary minimum count (default: ${DEFAULT-VALUE}).")
    int minCount;

    @Option(names = "--cleaning", defaultValue = "seed", paramLabel = "C", converter = CleaningConverter.class,
            description = "seed or keep-short (default: ${DEFAULT-VALUE}).")
    Cleaning cleaning;

    @Option(names = "--architecture", defaultValue = "merge", paramLabel = "A", converter = TrainCommand.ArchitectureConverter.class,
            description = "merge or init-inject (default: ${DEFAULT-VALUE}).")
    Architecture architecture;

    @Option(names = "--beam", defaultValue = "3", paramLabel = "K", description = "Beam width of the second evaluation (default: ${DEFAULT-VALUE}).")
    int beam;

    @Option(names = "--clusters", defaultValue = "8", paramLabel = "K", description = "Clusters in the explore plots (default: ${DEFAULT-VALUE}).")
    int clusters;

    @Option(names = "--batch", defaultValue = "1", paramLabel = "N", description = "Images per encoder call (default: ${DEFAULT-VALUE}).")
    int batch;

    @Override
    public Integer call() throws Exception {
        RunSettings s = new RunSettings(data.data, new LoadOptions(data.format, data.lenient, data.seed, data.splits), encoder,
                weights, out, new ModelSpec(architecture, embed, units, dropout, cleaning, minCount),
                new TrainConfig(epochs, batchSize, lr, 5f, patience, Objective.SEQUENCE, data.seed), beam, clusters, batch);
        RunPipeline.Result r = new RunPipeline(System.err).run(s);
        Summary.print(spec.commandLine().getOut(), r, 0);
        return 0;
    }
}
