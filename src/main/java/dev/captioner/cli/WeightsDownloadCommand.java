package dev.captioner.cli;

import dev.captioner.hf.PretrainedDownload;
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
            "NAME: vgg16 (the Keras tutorial's, 528 MB), vgg16-notop (56 MB), mobilenet (1.0), mobilenet-0.25; or "
                + "vit-gpt2-image-captioning, a pretrained captioner (ViT + GPT-2 trained on COCO, Apache-2.0; 916 MB, "
                + "or 237 MB with --variant quantized) into $CAPTIONER_HOME/models, ready for --model."})
public final class WeightsDownloadCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Parameters(paramLabel = "NAME", converter = WeightsConverter.class,
            description = "vgg16, vgg16-notop, mobilenet, mobilenet-0.25 or vit-gpt2-image-captioning.")
    Object weights;

@picocli.CommandLine.Mixin
    dev.captioner.options.PretrainedVariant variants;

    @Option(names = "--mirror", paramLabel = "URL",
            description = "Fetch from this base address instead (identical bytes: the checksums still apply).")
    String mirror;

    @picocli.CommandLine.Mixin
    dev.captioner.options.DownloadLimit limit;

    @Override
    public Integer call() {
        String variant = dev.captioner.options.Checked.of(spec, variants::variant);
        Downloader downloader = new Downloader(CommandLog.of(spec), dev.captioner.options.Checked.of(spec, limit::settings));
        if (weights instanceof PretrainedDownload pretrained) {
            Path dir = pretrained.download(variant, pretrained.folder(), downloader, mirror);
            String v = variant == null ? "" : " --variant " + variant;
            spec.commandLine().getOut().println(pretrained.id() + (variant == null ? "" : " (" + variant + ")")
                    + " is in " + dir.toAbsolutePath() + "; caption with: captioner caption --model " + dir.toAbsolutePath()
                    + v + " PHOTO");
            return 0;
        }
        if (variant != null) {
            throw new picocli.CommandLine.ParameterException(spec.commandLine(), "--variant applies to a pretrained "
                    + "captioner, not to " + ((PublishedWeights) weights).id());
        }
        PublishedWeights published = (PublishedWeights) weights;
        boolean already = java.nio.file.Files.isRegularFile(published.cached());
        Path file = Encoders.fetch(published, mirror == null ? published.file() : published.file().fromMirror(mirror),
                downloader);
        spec.commandLine().getOut().println((already ? "already cached: " : "downloaded ") + published.id() + " to "
                + file.toAbsolutePath());
        return 0;
    }

    /** Parses the weights' name. */
    static final class WeightsConverter implements ITypeConverter<Object> {
        @Override
        public Object convert(String value) {
            PretrainedDownload pretrained = PretrainedDownload.find(value);
            if (pretrained != null) {
                return pretrained;
            }
            try {
                return PublishedWeights.parse(value);
            } catch (IllegalArgumentException e) {
                throw new picocli.CommandLine.TypeConversionException(e.getMessage().replaceFirst("\\)$", ", "
                        + String.join(", ", PretrainedDownload.CATALOG.stream().map(PretrainedDownload::id).toList()) + ")"));
            }
        }
    }
}
