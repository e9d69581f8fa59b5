package dev.captioner.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import dev.captioner.bench.TrainBenchmark;
import dev.captioner.model.Objective;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code captioner bench train}: training tokens/s for both objectives on Flickr8k-shaped data. */
@Command(name = "train", mixinStandardHelpOptions = true,
        description = "Training speed (next-word predictions per second) of the sequence and pairs objectives on "
                + "Flickr8k-shaped random data (30,000 captions, V = 7,579, 4,096-d features).")
public final class BenchTrainCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Option(names = "--batches", defaultValue = "0", paramLabel = "N",
            description = "Sequence batches to time (default: ${DEFAULT-VALUE} = one whole epoch).")
    int sequenceBatches;

    @Option(names = "--pairs-batches", defaultValue = "30", paramLabel = "N",
            description = "Pairs batches to time; its epoch time is extrapolated (default: ${DEFAULT-VALUE}).")
    int pairsBatches;

    @Option(names = "--seed", defaultValue = "1", paramLabel = "S", description = "Seed (default: ${DEFAULT-VALUE}).")
    long seed;

    @Override
    public Integer call() throws Exception {
        TrainBenchmark.Shape shape = TrainBenchmark.Shape.flickr8k();
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("cores", Runtime.getRuntime().availableProcessors());
        out.put("max_heap_mib", Runtime.getRuntime().maxMemory() / (1024 * 1024));
        out.put("shape", shape);
        TrainBenchmark.Result sequence = TrainBenchmark.run(shape, Objective.SEQUENCE, sequenceBatches, seed);
        TrainBenchmark.Result pairs = TrainBenchmark.run(shape, Objective.PAIRS, pairsBatches, seed);
        out.put("sequence", sequence);
        out.put("pairs", pairs);
        out.put("speedup", sequence.tokensPerSecond() / pairs.tokensPerSecond());
        spec.commandLine().getOut().println(new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT)
                .writeValueAsString(out));
        return 0;
    }
}
