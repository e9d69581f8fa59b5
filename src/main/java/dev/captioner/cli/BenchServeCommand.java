package dev.captioner.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import dev.captioner.Captioner;
import dev.captioner.bench.ServeLoad;
import dev.captioner.options.ModelChoice;
import dev.captioner.serve.CaptionServer;
import dev.captioner.serve.ModelService;
import dev.captioner.serve.ServeConfig;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code captioner bench serve}: latency and throughput of the HTTP API under a bounded load. */
@Command(name = "serve", mixinStandardHelpOptions = true,
        description = "Start the server on loopback with a model and send a bounded load of caption requests, "
                + "without and with batching of concurrent requests, and a lone client's requests.")
public final class BenchServeCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Mixin
    ModelChoice model;

    @Option(names = "--image", required = true, paramLabel = "FILE", description = "Image to send.")
    Path image;

    @Option(names = "--requests", defaultValue = "1000", paramLabel = "N", description = "Requests (default: ${DEFAULT-VALUE}).")
    int requests;

    @Option(names = "--concurrency", defaultValue = "16", paramLabel = "N", description = "Clients at once (default: ${DEFAULT-VALUE}).")
    int concurrency;

    @Option(names = "--max-batch", defaultValue = "8", paramLabel = "N",
            description = "The batched server's largest batch (default: ${DEFAULT-VALUE}); compared with --max-batch 1.")
    int maxBatch;

    @Option(names = "--batch-wait-ms", defaultValue = "5", paramLabel = "T",
            description = "The batched server's wait for a batch to fill (default: ${DEFAULT-VALUE}).")
    int batchWaitMs;

    @Override
    public Integer call() throws Exception {
        ServeConfig d = ServeConfig.defaults();
        int cores = Runtime.getRuntime().availableProcessors();
        String name = image.getFileName().toString().toLowerCase(Locale.ROOT);
        String type = name.endsWith(".png") ? "image/png" : "image/jpeg";
        byte[] bytes = Files.readAllBytes(image);
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("cores", cores);
        out.put("workers", d.workers());
        try (ModelService service = new ModelService(Captioner.load(model.modelPath()))) {
            // The same model, unbatched then batched, in one run: the workers sharing the cores
            // against one runner using them all on batches.
            ServeConfig unbatched = new ServeConfig("127.0.0.1", 0, d.maxUploadBytes(), d.workers(), 256, 1, 10,
                    d.maxPixels());
            ServeConfig batched = unbatched.withBatching(maxBatch, batchWaitMs);
            for (ServeConfig config : List.of(unbatched, batched)) {
                Map<String, Object> m = new LinkedHashMap<>();
                try (CaptionServer server = CaptionServer.start(service, config)) {
                    URI uri = URI.create("http://127.0.0.1:" + server.port() + "/api/caption");
                    ServeLoad.run(uri, bytes, type, Math.min(20, requests), Math.min(4, concurrency)); // warm-up
                    m.put("max_batch", config.maxBatch());
                    m.put("batch_wait_ms", config.batchWaitMs());
                    m.put("result", ServeLoad.run(uri, bytes, type, requests, concurrency));
                    m.put("lone_request", ServeLoad.run(uri, bytes, type, 20, 1));
                    m.put("mean_batch", server.meanBatch());
                }
                out.put(config.maxBatch() == 1 ? "unbatched" : "batched", m);
            }
        }
        spec.commandLine().getOut().println(new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT)
                .writeValueAsString(out));
        return 0;
    }
}
