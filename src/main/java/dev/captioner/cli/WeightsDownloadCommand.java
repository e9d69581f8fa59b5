package dev.captioner.cli;

import dev.captioner.util.Downloader;
import dev.captioner.vision.Encoders;
import dev.captioner.vision.PublishedWeights;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code captioner weights download}: fetches published weights into the cache, verified. */
@Command(name = "download", mixinStandardHelpOptions = true,
        description = {"Download published encoder weights into $CAPTIONER_HOME/weights, verified; an interrupted "
                + "download resumes. Keras' current address first, the original GitHub release second.",
            "NAME: vgg16 (the Keras tutorial's, 528 MB), vgg16-notop (56 MB), mobilenet (1.0), mobilenet-0.25."})
public final class WeightsDownloadCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Parameters(paramLabel = "NAME", converter = WeightsConverter.class,
            description = "vgg16, vgg16-notop, mobilenet or mobilenet-0.25.")
    PublishedWeights weights;

    @Option(names = "--mirror", paramLabel = "URL",
            description = "Fetch from this base address instead (identical bytes: the checksums still apply).")
    String mirror;

    @picocli.CommandLine.Mixin
    dev.captioner.options.DownloadLimit limit;

    @Override
    public Integer call() {
        boolean already = java.nio.file.Files.isRegularFile(weights.cached());
        Path file = Encoders.fetch(weights, mirror == null ? weights.file() : weights.file().fromMirror(mirror),
                new Downloader(CommandLog.of(spec), dev.captioner.options.Checked.of(spec, limit::settings)));
        spec.commandLine().getOut().println((already ? "already cached: " : "downloaded ") + weights.id() + " to "
                + file.toAbsolutePath());
        return 0;
    }

    /** Parses the weights' name. */
    static final class WeightsConverter implements ITypeConverter<PublishedWeights> {
        @Override
        public PublishedWeights convert(String value) {
            return PublishedWeights.parse(value);
        }
    }
}
