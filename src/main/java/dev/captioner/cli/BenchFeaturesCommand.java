package dev.captioner.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import dev.captioner.bench.FeatureBenchmark;
import dev.captioner.vision.ImageEncoder;
import dev.captioner.vision.RandomWeights;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code captioner bench features}: images/s of random-weight VGG16 and MobileNet at 224 px. */
@Command(name = "features", mixinStandardHelpOptions = true,
        description = "Images per second of random-weight VGG16 and MobileNet v1 (224 px), as 'features' runs them.")
public final class BenchFeaturesCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Option(names = "--encoder", defaultValue = "vgg16", paramLabel = "NAME",
            description = "Encoder measured with --batch and --threads: vgg16 or mobilenet (default: ${DEFAULT-VALUE}).")
    String encoder;

    @Option(names = "--batch", defaultValue = "16", paramLabel = "N", description = "Images per call (default: ${DEFAULT-VALUE}).")
    int batch;

    @Option(names = "--threads", defaultValue = "1", paramLabel = "N",
            description = "Workers (default: ${DEFAULT-VALUE}); 'features' defaults to one per core with --batch 1.")
    int threads;

    @Option(names = "--images", defaultValue = "32", paramLabel = "N", description = "Images to time (default: ${DEFAULT-VALUE}).")
    int images;

    @Override
    public Integer call() throws Exception {
        int cores = Runtime.getRuntime().availableProcessors();
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("cores", cores);
        try (ImageEncoder vgg = RandomWeights.vgg16(1); ImageEncoder mobilenet = RandomWeights.mobilenet(1.0, 1)) {
            ImageEncoder chosen = encoder.equalsIgnoreCase("mobilenet") ? mobilenet : vgg;
            out.put("requested", FeatureBenchmark.run(chosen, batch, threads, images));
            out.put("vgg16_default", FeatureBenchmark.run(vgg, 1, cores, images));
            out.put("mobilenet_default", FeatureBenchmark.run(mobilenet, 1, cores, Math.max(images, 64)));
        }
        spec.commandLine().getOut().println(new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT)
                .writeValueAsString(out));
        return 0;
    }
}
