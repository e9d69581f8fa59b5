package dev.captioner.cli;

import dev.captioner.options.DataOptions;
import dev.captioner.options.CaptionCleaning;
import dev.captioner.data.Dataset;
import dev.captioner.features.FeatureStore;
import dev.captioner.plot.Explore;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/** {@code captioner explore}: the Keras tutorial's exploratory plots. */
@Command(name = "explore", mixinStandardHelpOptions = true,
        description = "Draw sample images with captions, top-50 words, caption lengths, and (with features) PCA "
                + "clusters and examples of each cluster.")
public final class ExploreCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Mixin
    DataOptions data;

    @Option(names = "--features", paramLabel = "FILE.h5", description = "Feature file, for the cluster plots.")
    Path features;

    @Option(names = "--out", required = true, paramLabel = "DIR", description = "Folder for the PNG files.")
    Path out;

    @Option(names = "--clusters", defaultValue = "8", paramLabel = "K", description = "k-means clusters (default: ${DEFAULT-VALUE}).")
    int clusters;

    @Mixin
    CaptionCleaning captionCleaning;

    @Override
    public Integer call() throws Exception {
        if (clusters < 1 || clusters > 20) {
            throw new ParameterException(spec.commandLine(), "--clusters must be between 1 and 20, was " + clusters);
        }
        List<Path> written;
        try (Dataset dataset = data.load()) {
            written = Explore.run(dataset, captionCleaning.cleaning(), features == null ? null : FeatureStore.read(features), clusters,
                    data.seed(), out);
        }
        written.forEach(p -> spec.commandLine().getOut().println("wrote " + p));
        return 0;
    }
}
