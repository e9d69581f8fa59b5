package dev.captioner.cli;

import dev.captioner.options.DataOptions;
import dev.captioner.data.Dataset;
import dev.captioner.data.ImageRecord;
import dev.captioner.data.Split;
import dev.captioner.features.FeatureExtractor;
import dev.captioner.options.EncoderChoice;
import dev.captioner.options.PixelLimit;
import dev.captioner.options.Checked;
import dev.captioner.util.EngineThreads;
import dev.captioner.vision.FeatureKind;
import dev.captioner.vision.ImageEncoder;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code captioner features}: encodes a dataset's images into an HDF5 feature file. */
@Command(name = "features", mixinStandardHelpOptions = true,
        description = "Compute image features with a pretrained CNN into an HDF5 file (resumable).")
public final class FeaturesCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Mixin
    DataOptions data;

    @Mixin
    EncoderChoice encoder;

    @Option(names = "--split", defaultValue = "all", paramLabel = "SPLIT",
            description = "all, train, dev or test (default: ${DEFAULT-VALUE}).")
    String split;

    @Option(names = "--out", required = true, paramLabel = "FILE.h5", description = "Feature file to write.")
    Path out;

    @Option(names = "--batch", defaultValue = "1", paramLabel = "N",
            description = "Images per network call (default: ${DEFAULT-VALUE}; 1 is fastest on CPUs).")
    int batch;

    @Option(names = "--threads", paramLabel = "N", description = "Workers running the network (default: cores).")
    Integer threads;

    @Mixin
    PixelLimit pixels;

    @Override
    public Integer call() throws Exception {
        int workers = threads == null ? Runtime.getRuntime().availableProcessors() : threads;
        FeatureExtractor.Spec options = Checked.of(spec, () -> new FeatureExtractor.Spec(batch, workers,
                pixels.maxPixels()));
        PrintWriter out = spec.commandLine().getOut();
        // The workers' share of the cores, before an engine that fixes it at load time opens.
        EngineThreads.share(workers);
        try (Dataset dataset = data.load(); ImageEncoder enc = encoder.open(FeatureKind.POOLED)) {
            List<ImageRecord> images = Checked.of(spec, () -> select(dataset, split));
            FeatureExtractor.Result r = new FeatureExtractor(CommandLog.of(spec)).extract(dataset, images, enc, this.out, options);
            out.printf(Locale.ROOT, "wrote %d features (%s, %s) to %s: %d computed, %d reused, %d failed%s%n",
                    r.features().size(), enc.name(), enc.grid() == null ? enc.featureDim() + "-d" : enc.grid() + " grid",
                    this.out, r.computed(), r.reused(),
                    r.failures().size(), r.missingFiles() > 0 ? ", " + r.missingFiles() + " without a file" : "");
            if (!r.failures().isEmpty()) {
                spec.commandLine().getErr().println("error: " + r.failures().size() + " image"
                        + (r.failures().size() == 1 ? "" : "s") + " could not be encoded (listed above)");
                return 1;
            }
        }
        return 0;
    }

    static List<ImageRecord> select(Dataset dataset, String split) {
        if (split.equalsIgnoreCase("all")) {
            return dataset.images().stream().filter(r -> r.split() != null || r.present()).toList();
        }
        Split s = Split.parse(split);
        if (s == null) {
            throw new IllegalArgumentException("--split must be all, train, dev or test, was '" + split + "'");
        }
        return dataset.images(s);
    }
}
