package dev.captioner.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import dev.captioner.bench.FeatureBenchmark;
import dev.captioner.bench.PeerScript;
import dev.captioner.bench.Roofline;
import dev.captioner.options.EncoderChoice;
import dev.captioner.util.EngineThreads;
import dev.captioner.vision.FeatureKind;
import dev.captioner.vision.ImageEncoder;
import dev.captioner.vision.RandomWeights;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code captioner bench features}: images/s of an encoder, and of random-weight VGG16 and MobileNet at 224 px. */
@Command(name = "features", mixinStandardHelpOptions = true,
        description = "Images per second of the chosen encoder (random weights unless --weights) with --batch and "
                + "--threads, and of random-weight VGG16 and MobileNet v1 (224 px) as 'features' runs them.")
public final class BenchFeaturesCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Mixin
    EncoderChoice encoder;

    @Option(names = "--batch", defaultValue = "16", paramLabel = "N", description = "Images per call (default: ${DEFAULT-VALUE}).")
    int batch;

    @Option(names = "--threads", defaultValue = "1", paramLabel = "N",
            description = "Workers (default: ${DEFAULT-VALUE}); 'features' defaults to one per core with --batch 1.")
    int threads;

    @Option(names = "--images", defaultValue = "32", paramLabel = "N", description = "Images to time (default: ${DEFAULT-VALUE}).")
    int images;

    @Option(names = "--peer", defaultValue = "bench/pytorch_vgg16.py", paramLabel = "FILE",
            description = "The PyTorch reference script (default: ${DEFAULT-VALUE}); skipped if it or torch is missing.")
    Path peer;

    @Override
    public Integer call() throws Exception {
        int cores = Runtime.getRuntime().availableProcessors();
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("cores", cores);
        EngineThreads.share(threads);
        try (ImageEncoder chosen = encoder.weights() == null && !encoder.encoder().contains(":")
                ? RandomWeights.of(encoder.encoder(), 1) : encoder.open(FeatureKind.POOLED)) {
            FeatureBenchmark.Result requested = FeatureBenchmark.run(chosen, batch, threads, images);
            out.put("requested", requested);
            out.put("requested_roofline", Roofline.of(chosen.flopsPerImage(), requested.imagesPerSecond()));
        }
        FeatureBenchmark.Result vggDefault;
        try (ImageEncoder vgg = RandomWeights.vgg16(1)) {
            vggDefault = FeatureBenchmark.run(vgg, 1, cores, images);
            out.put("vgg16_default", vggDefault);
            out.put("vgg16_default_roofline", Roofline.of(vgg.flopsPerImage(), vggDefault.imagesPerSecond()));
        }
        try (ImageEncoder mobilenet = RandomWeights.mobilenet(1.0, 1)) {
            FeatureBenchmark.Result mobileNetDefault = FeatureBenchmark.run(mobilenet, 1, cores, Math.max(images, 64));
            out.put("mobilenet_default", mobileNetDefault);
            out.put("mobilenet_default_roofline", Roofline.of(mobilenet.flopsPerImage(), mobileNetDefault.imagesPerSecond()));
        }
        // The peer in the same run: torchvision's VGG16 in PyTorch, its best of three configurations.
        List<JsonNode> peers = new ArrayList<>();
        for (List<String> args : List.of(List.of("--batch", "1"), List.of("--batch", "16"),
                List.of("--batch", "8", "--channels-last"))) {
            List<String> all = new ArrayList<>(args);
            all.addAll(List.of("--threads", String.valueOf(cores), "--images", String.valueOf(Math.max(16, images))));
            JsonNode r = PeerScript.run(peer, all, spec.commandLine().getErr());
            if (r == null) {
                break;
            }
            peers.add(r);
        }
        if (!peers.isEmpty()) {
            out.put("pytorch_vgg16", peers);
            double best = peers.stream().mapToDouble(p -> p.get("imagesPerSecond").asDouble()).max().orElse(1);
            out.put("vgg16_speedup_over_pytorch_best", vggDefault.imagesPerSecond() / best);
        }
        spec.commandLine().getOut().println(new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT)
                .writeValueAsString(out));
        return 0;
    }
}
