package dev.captioner.spark;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import dev.captioner.Captioner;
import dev.captioner.decode.DecodeSpec;
import dev.captioner.bench.DecodeBenchmark;
import dev.captioner.model.Architecture;
import dev.captioner.util.CaptionerException;
import dev.captioner.util.Digests;
import dev.captioner.util.FileTrees;
import dev.captioner.image.ImageLoader;
import dev.captioner.vision.RandomWeights;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.stream.Stream;
import org.apache.spark.sql.SparkSession;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code bench}: the same local images captioned by the plain {@link Captioner} (what
 * {@code captioner caption} runs) and by the Spark job at {@code local[1]} and {@code local[2]},
 * in one JVM: images/s, Spark's overhead against the plain run, and the scaling from one core to
 * two. Each run starts cold (the model is loaded inside the timing).
 */
@Command(name = "bench", mixinStandardHelpOptions = true,
        description = "Images/s of the plain captioner and of the Spark job at local[1] and local[2] on the same images.")
final class SparkBench implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Option(names = "--images", required = true, paramLabel = "DIR", description = "A local folder of images.")
    Path images;

    @Option(names = "--model", paramLabel = "DIR", description = "Model directory.")
    Path model;

    @Option(names = "--vgg16-random", description = "Instead of --model: a merge model with random weights on a VGG16 "
            + "with random weights (written to a temporary folder, 0.55 GB; run with a 3 GB heap), so the job costs "
            + "what the default encoder costs, without the download.")
    boolean vgg16Random;

    @Option(names = "--batch", defaultValue = "16", paramLabel = "N", description = "Images per network call (default: ${DEFAULT-VALUE}).")
    int batch;

    @Override
    public Integer call() throws Exception {
        if ((model == null) == !vgg16Random) {
            throw new CommandLine.ParameterException(spec.commandLine(), "give --model DIR or --vgg16-random");
        }
        Path scratch = null;
        Path weights = null;
        if (vgg16Random) {
            scratch = Files.createTempDirectory("captioner-spark-bench");
            weights = scratch.resolve("vgg16_random.h5");
            RandomWeights.writeVgg16(weights, 1);
            model = DecodeBenchmark.randomModel(scratch.resolve("model"), 1, Architecture.MERGE,
                    Digests.sha256(weights));
        }
        try {
            return measure(weights);
        } finally {
            if (scratch != null) {
                FileTrees.delete(scratch);
            }
        }
    }

    private int measure(Path weights) throws Exception {
        List<Path> files;
        try (Stream<Path> s = Files.list(images)) {
            files = s.filter(Files::isRegularFile).sorted().toList();
        }
        if (files.isEmpty()) {
            throw new CaptionerException(images + ": no files to caption");
        }
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("images", files.size());
        out.put("cores", Runtime.getRuntime().availableProcessors());
        long start = System.nanoTime();
        try (Captioner c = Captioner.load(model, Captioner.Spec.defaults().withWeights(weights))) {
            c.captionAll(files);
        }
        double plain = (System.nanoTime() - start) / 1e9;
        out.put("plain_seconds", plain);
        out.put("plain_images_per_second", files.size() / plain);
        Map<String, Double> seconds = new LinkedHashMap<>();
        for (String master : List.of("local[1]", "local[2]")) {
            SparkSession active = SparkSession.getActiveSession().getOrElse(() -> null);
            if (active != null) {
                active.stop();
            }
            ExecutorModels.clear();
            SparkSession spark = SparkSession.builder().master(master).appName("captioner-bench")
                    .config("spark.ui.enabled", "false").getOrCreate();
            try {
                int partitions = master.equals("local[1]") ? 1 : 2;
                long t0 = System.nanoTime();
                long n = CaptionJob.run(spark, new CaptionJob.Spec(new ImageSelection(images.toUri().toString(), null,
                        partitions), new CaptionerSpec(model.toAbsolutePath().toString(),
                                weights == null ? null : weights.toAbsolutePath().toString(), null,
                                ImageLoader.DEFAULT_MAX_PIXELS, false, false), DecodeSpec.greedy(), batch))
                        .where("error IS NULL").count();
                double s = (System.nanoTime() - t0) / 1e9;
                seconds.put(master, s);
                out.put(master, Map.of("seconds", s, "images_per_second", files.size() / s, "captioned", n));
            } finally {
                spark.stop();
            }
        }
        out.put("overhead_local2_vs_plain", seconds.get("local[2]") / plain - 1);
        out.put("scaling_local1_to_local2", seconds.get("local[1]") / seconds.get("local[2]"));
        spec.commandLine().getOut().println(new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT)
                .writeValueAsString(out));
        return 0;
    }
}
