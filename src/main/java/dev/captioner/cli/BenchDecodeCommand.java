package dev.captioner.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import dev.captioner.bench.DecodeBenchmark;
import dev.captioner.bench.Roofline;
import dev.captioner.model.Architecture;
import dev.captioner.model.CaptionModel;
import dev.captioner.vision.FeatureKind;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.stream.Stream;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code captioner bench decode}: captions/s and single-image latency. */
@Command(name = "decode", mixinStandardHelpOptions = true,
        description = "Captions per second (greedy, beam 3) from cached features on Flickr8k-sized models with random "
                + "weights (merge reads 4,096-d vectors; attention and transformer read 14 x 14 x 512 grids), with and "
                + "without the decoding cache for a network that keeps one; and single-image latency from a JPEG "
                + "(merge).")
public final class BenchDecodeCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Option(names = "--architecture", paramLabel = "A", split = ",",
            converter = TrainingOptions.ArchitectureConverter.class,
            completionCandidates = TrainingOptions.ArchitectureNames.class,
            description = "Models to time, comma-separated: ${COMPLETION-CANDIDATES} (default: all).")
    List<Architecture> architectures;

    @Option(names = "--images", defaultValue = "128", paramLabel = "N", description = "Images to caption (default: ${DEFAULT-VALUE}).")
    int images;

    @Option(names = "--batch", defaultValue = "32", paramLabel = "N", description = "Images per decoder call (default: ${DEFAULT-VALUE}).")
    int batch;

    @Option(names = "--runs", defaultValue = "5", paramLabel = "N", description = "Latency runs (default: ${DEFAULT-VALUE}).")
    int runs;

    /** Random weights rarely end a caption: every one runs to the model's length limit. */
    private void roofline(Map<String, Object> out, String name, CaptionModel model, int beam) {
        DecodeBenchmark.Throughput t = DecodeBenchmark.throughput(model, beam, images, batch);
        out.put(name, t);
        out.put(name + "_roofline", Roofline.of(DecodeBenchmark.flopsPerCaption(model.config(), t.beam(),
                model.config().maxLength() - 1), t.captionsPerSecond()));
    }

    @Override
    public Integer call() throws Exception {
        Path dir = Files.createTempDirectory("captioner-bench");
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("cores", Runtime.getRuntime().availableProcessors());
        try {
            for (Architecture a : architectures == null ? List.of(Architecture.values()) : architectures) {
                try (CaptionModel model = CaptionModel.load(DecodeBenchmark.randomModel(dir.resolve(a.id()), 1, a))) {
                    roofline(out, a.id() + "_greedy", model, 1);
                    roofline(out, a.id() + "_beam3", model, 3);
                    if (a.decodingCache()) {
                        model.net().useCache(false);
                        roofline(out, a.id() + "_greedy_uncached", model, 1);
                        roofline(out, a.id() + "_beam3_uncached", model, 3);
                        model.net().useCache(true);
                    }
                    if (a.features() == FeatureKind.POOLED && !out.containsKey("single_image_latency")) {
                        out.put("single_image_latency", DecodeBenchmark.latency(model, runs));
                    }
                }
            }
        } finally {
            try (Stream<Path> s = Files.walk(dir)) {
                s.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
        spec.commandLine().getOut().println(new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT)
                .writeValueAsString(out));
        return 0;
    }
}
