package dev.captioner.cli;

import dev.captioner.options.TrainingOptions;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import dev.captioner.bench.PeerScript;
import dev.captioner.bench.Roofline;
import dev.captioner.bench.StepParts;
import dev.captioner.bench.TrainBenchmark;
import dev.captioner.model.Architecture;
import dev.captioner.train.Objective;
import dev.captioner.vision.FeatureKind;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code captioner bench train}: training tokens/s on Flickr8k-shaped data, with its PyTorch peer for attention. */
@Command(name = "train", mixinStandardHelpOptions = true,
        description = {"Training speed (next-word predictions per second) on Flickr8k-shaped random data (30,000 "
                + "captions, V = 7,579). A model that reads pooled vectors (merge, init-inject) trains on 4,096-d "
                + "features with the sequence and pairs objectives, with the bound its step's unavoidable parts "
                + "(output layer, LSTM, log-softmax, Adam) set when timed alone; one that reads grids (attention) "
                + "trains on 14 x 14 x 512 grids read on demand from a scratch feature file, with its memory, "
                + "compared in the same run with the same decoder in PyTorch (bench/pytorch_ARCHITECTURE.py, if "
                + "/usr/bin/python3 has torch)."})
public final class BenchTrainCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Option(names = "--architecture", defaultValue = "merge", paramLabel = "A",
            converter = TrainingOptions.ArchitectureConverter.class,
            completionCandidates = TrainingOptions.ArchitectureNames.class,
            description = "${COMPLETION-CANDIDATES} (default: ${DEFAULT-VALUE}).")
    Architecture architecture;

    @Option(names = "--batches", paramLabel = "N",
            description = "Batches to time; 0 is one whole epoch (default: 0 for a model that reads pooled vectors, 100 "
                    + "for one that reads grids).")
    Integer batches;

    @Option(names = "--pairs-batches", defaultValue = "30", paramLabel = "N",
            description = "Pairs batches to time; its epoch time is extrapolated (default: ${DEFAULT-VALUE}).")
    int pairsBatches;

    @Option(names = "--scratch", paramLabel = "DIR",
            description = "Folder for the attention benchmark's 2.4 GB feature file (default: the system's temporary folder).")
    Path scratch;

    @Option(names = "--peer", paramLabel = "FILE",
            description = "The PyTorch reference script (default: bench/pytorch_ARCHITECTURE.py); skipped if it or torch "
                    + "is missing.")
    Path peer;

    @Option(names = "--seed", defaultValue = "1", paramLabel = "S", description = "Seed (default: ${DEFAULT-VALUE}).")
    long seed;

    @Override
    public Integer call() throws Exception {
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("cores", Runtime.getRuntime().availableProcessors());
        out.put("max_heap_mib", Runtime.getRuntime().maxMemory() / (1024 * 1024));
        if (architecture.features() == FeatureKind.GRID) {
            TrainBenchmark.Shape shape = TrainBenchmark.Shape.flickr8kGrid();
            // Enough batches that both sides see the same mix of caption lengths.
            int n = batches == null ? 100 : batches;
            out.put("shape", shape);
            out.put("grid", TrainBenchmark.FLICKR8K_GRID.toString());
            TrainBenchmark.Measured m = TrainBenchmark.gridded(shape, architecture, n, seed,
                    scratch == null ? Path.of(System.getProperty("java.io.tmpdir")) : scratch);
            out.put("captioner", m);
            out.put("roofline", Roofline.of(TrainBenchmark.flopsPerWord(TrainBenchmark.config(shape, architecture,
                    TrainBenchmark.FLICKR8K_GRID), shape), m.result().tokensPerSecond()));
            Path script = peer != null ? peer : Path.of("bench", "pytorch_" + architecture.id() + ".py");
            JsonNode reference = PeerScript.run(script, List.of("--threads", String.valueOf(Runtime.getRuntime()
                    .availableProcessors()), "--batches", String.valueOf(n == 0 ? 0 : n), "--seed", String.valueOf(seed)),
                    // Its fastest setting: measured 1.75x (attention) and 1.12x (transformer) the
                    // speed with OpenBLAS's default threads, which compete with PyTorch's own.
                    Map.of("OPENBLAS_NUM_THREADS", "1"), spec.commandLine().getErr());
            if (reference != null) {
                out.put("pytorch", reference);
                out.put("speedup_over_pytorch", m.result().tokensPerSecond() / reference.get("tokens_per_second").asDouble());
            }
        } else {
            TrainBenchmark.Shape shape = TrainBenchmark.Shape.flickr8k();
            out.put("shape", shape);
            TrainBenchmark.Result sequence = TrainBenchmark.run(shape, architecture, Objective.SEQUENCE,
                    batches == null ? 0 : batches, seed);
            TrainBenchmark.Result pairs = TrainBenchmark.run(shape, architecture, Objective.PAIRS, pairsBatches, seed);
            out.put("sequence", sequence);
            out.put("sequence_roofline", Roofline.of(TrainBenchmark.flopsPerWord(TrainBenchmark.config(shape, architecture,
                    null), shape), sequence.tokensPerSecond()));
            StepParts parts = StepParts.measure(shape, seed, 10);
            out.put("sequence_step_parts", parts);
            out.put("sequence_fraction_of_step_bound", sequence.tokensPerSecond() / parts.boundTokensPerSecond());
            out.put("pairs", pairs);
            out.put("speedup", sequence.tokensPerSecond() / pairs.tokensPerSecond());
        }
        spec.commandLine().getOut().println(new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT)
                .writeValueAsString(out));
        return 0;
    }
}
