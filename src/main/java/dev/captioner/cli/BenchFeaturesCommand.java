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

    @Option(names = "--only-requested", description = "Measure the requested encoder (and its peer) only, not the "
            + "VGG16 and MobileNet defaults too.")
    boolean encodersOnly;

    @Option(names = "--peer-model", paramLabel = "FILE.pt",
            description = "For an exported encoder: the same model as TorchScript for the PyTorch peer (default: the "
                    + "torchscript file itself, or FILE.pt beside an onnx FILE).")
    Path peerModel;

    /**
     * The same exported model in PyTorch, in the same run, at its best of batch 1, 16 and
     * channels-last 8; and this project's best of one image per worker and batches of 16.
     */
    private void exportedPeer(ImageEncoder chosen, FeatureBenchmark.Result requested, int cores, Map<String, Object> out)
            throws Exception {
        Path file = chosen.weightsLocation();
        Path torchscript = peerModel != null ? peerModel : file.toString().endsWith(".pt") ? file
                : file.resolveSibling(file.getFileName().toString().replaceAll("\\.onnx$", "") + ".pt");
        FeatureBenchmark.Result one = FeatureBenchmark.run(chosen, 1, cores, Math.max(16, images));
        FeatureBenchmark.Result sixteen = FeatureBenchmark.run(chosen, 16, 1, Math.max(16, images));
        out.put("exported_batch1_per_core", one);
        out.put("exported_batch16", sixteen);
        double ours = Math.max(requested.imagesPerSecond(), Math.max(one.imagesPerSecond(), sixteen.imagesPerSecond()));
        if (!java.nio.file.Files.isRegularFile(torchscript)) {
            spec.commandLine().getErr().println("bench: no TorchScript copy of " + file + " at " + torchscript
                    + " for the PyTorch peer (--peer-model FILE.pt)");
            return;
        }
        Path script = Path.of("bench/pytorch_exported.py");
        List<JsonNode> peers = new ArrayList<>();
        for (List<String> args : List.of(List.of("--batch", "1"), List.of("--batch", "16"),
                List.of("--batch", "8", "--channels-last"))) {
            List<String> all = new ArrayList<>(args);
            all.addAll(List.of("--model", torchscript.toString(), "--height", String.valueOf(chosen.card().input().height()),
                    "--width", String.valueOf(chosen.card().input().width()), "--threads", String.valueOf(cores),
                    "--images", String.valueOf(Math.max(16, images))));
            JsonNode r = PeerScript.run(script, all, spec.commandLine().getErr());
            if (r == null) {
                return;
            }
            peers.add(r);
        }
        double best = peers.stream().mapToDouble(p -> p.get("imagesPerSecond").asDouble()).max().orElse(1);
        out.put("pytorch_exported", peers);
        out.put("exported_best_images_per_second", ours);
        out.put("exported_speedup_over_pytorch_best", ours / best);
    }

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
            if (chosen.card() != null) {
                exportedPeer(chosen, requested, cores, out);
            }
        }
        if (encodersOnly) {
            spec.commandLine().getOut().println(new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT)
                    .writeValueAsString(out));
            return 0;
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
