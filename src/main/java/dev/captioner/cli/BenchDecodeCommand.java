package dev.captioner.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import dev.captioner.bench.DecodeBenchmark;
import dev.captioner.bench.Roofline;
import dev.captioner.model.Architecture;
import dev.captioner.model.CaptionModel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.stream.Stream;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code captioner bench decode}: captions/s and single-image latency. */
@Command(name = "decode", mixinStandardHelpOptions = true,
        description = "Captions per second (greedy, beam 3) from cached features and single-image latency from a JPEG, "
                + "on Flickr8k-sized merge and attention (14 x 14 x 512 grids) models with random weights.")
public final class BenchDecodeCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Option(names = "--images", defaultValue = "128", paramLabel = "N", description = "Images to caption (default: ${DEFAULT-VALUE}).")
    int images;

    @Option(names = "--batch", defaultValue = "32", paramLabel = "N", description = "Images per decoder call (default: ${DEFAULT-VALUE}).")
    int batch;

    @Option(names = "--runs", defaultValue = "5", paramLabel = "N", description = "Latency runs (default: ${DEFAULT-VALUE}).")
    int runs;

    /** Random weights rarely end a caption: every one runs to the model's length limit. */
    private static void roofline(Map<String, Object> out, String name, CaptionModel model,
            DecodeBenchmark.Throughput t) {
        out.put(name, t);
        out.put(name + "_roofline", Roofline.of(DecodeBenchmark.flopsPerCaption(model.config(), t.beam(),
                model.config().maxLength() - 1), t.captionsPerSecond()));
    }

    @Override
    public Integer call() throws Exception {
        Path dir = Files.createTempDirectory("captioner-bench");
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("cores", Runtime.getRuntime().availableProcessors());
        try (CaptionModel model = CaptionModel.load(DecodeBenchmark.randomModel(dir.resolve("model"), 1))) {
            roofline(out, "greedy", model, DecodeBenchmark.throughput(model, 1, images, batch));
            roofline(out, "beam3", model, DecodeBenchmark.throughput(model, 3, images, batch));
            out.put("single_image_latency", DecodeBenchmark.latency(model, runs));
        }
        try (CaptionModel model = CaptionModel.load(DecodeBenchmark.randomModel(dir.resolve("attention"), 1,
                Architecture.ATTENTION))) {
            roofline(out, "attention_greedy", model, DecodeBenchmark.throughput(model, 1, images, batch));
            roofline(out, "attention_beam3", model, DecodeBenchmark.throughput(model, 3, images, batch));
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
