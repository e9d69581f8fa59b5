package dev.captioner.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import dev.captioner.Captioner;
import dev.captioner.bench.PeerScript;
import dev.captioner.bench.PhotoBenchmark;
import dev.captioner.bench.ServeLoad;
import dev.captioner.options.ModelChoice;
import dev.captioner.serve.CaptionServer;
import dev.captioner.serve.ModelService;
import dev.captioner.serve.ServeSpec;
import dev.captioner.vision.ConceptsConfig;
import dev.captioner.vision.ConceptsEncoder;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine;
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

    @Option(names = "--image", paramLabel = "FILE", description = "Image to send.")
    Path image;

    @Option(names = "--photo", paramLabel = "WxH",
            description = "Send a generated photo-like JPEG of this size instead (e.g. 4032x3024, a 12 MP phone photo); "
                    + "the server then runs with the fast decode and with --exact-decode, and Pillow's draft decode with "
                    + "the model's image network in PyTorch (bench/photo_peer.py) runs in the same run.")
    String photo;

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
        ServeSpec d = ServeSpec.defaults();
        int cores = Runtime.getRuntime().availableProcessors();
        if ((image == null) == (photo == null)) {
            throw new CommandLine.ParameterException(spec.commandLine(), "give either --image FILE or --photo WxH");
        }
        String name = image == null ? "photo.jpg" : image.getFileName().toString().toLowerCase(Locale.ROOT);
        String type = name.endsWith(".png") ? "image/png" : "image/jpeg";
        byte[] bytes;
        try {
            bytes = image == null ? PhotoBenchmark.jpeg(photo) : Files.readAllBytes(image);
        } catch (IllegalArgumentException e) {
            throw new CommandLine.ParameterException(spec.commandLine(), "--photo: " + e.getMessage());
        }
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("cores", cores);
        out.put("workers", d.work().workers());
        for (boolean exact : photo == null ? List.of(false) : List.of(false, true)) {
            Map<String, Object> target = out;
            if (photo != null) {
                target = new LinkedHashMap<>();
                out.put(exact ? "exact_decode" : "fast_decode", target);
            }
            serve(bytes, type, exact, target);
        }
        if (photo != null) {
            out.put("pytorch_pillow", peer(bytes));
        }
        spec.commandLine().getOut().println(new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT)
                .writeValueAsString(out));
        return 0;
    }

    /** Pillow's draft decode and the model's image network in PyTorch, when it is the concepts encoder. */
    private Object peer(byte[] bytes) throws Exception {
        try (Captioner c = Captioner.load(model.modelPath())) {
            if (!(c.encoder() instanceof ConceptsEncoder concepts)) {
                return "no PyTorch twin of the " + (c.encoder() == null ? "pretrained" : c.encoder().name())
                        + " encoder in bench/photo_peer.py";
            }
            ConceptsConfig cc = concepts.config();
            Path file = Files.createTempFile("captioner-photo", ".jpg");
            try {
                Files.write(file, bytes);
                return PeerScript.run(Path.of("bench", "photo_peer.py"), List.of("--photo", file.toString(), "--net",
                        "concepts", "--size", String.valueOf(cc.imageSize()), "--channels",
                        cc.channels().stream().map(String::valueOf).collect(java.util.stream.Collectors.joining(",")),
                        "--feature-dim", String.valueOf(cc.featureDim()), "--runs", "20"), spec.commandLine().getErr());
            } finally {
                Files.deleteIfExists(file);
            }
        }
    }

    private void serve(byte[] bytes, String type, boolean exact, Map<String, Object> out) throws Exception {
        ServeSpec d = ServeSpec.defaults();
        try (ModelService service = new ModelService(Captioner.load(model.modelPath(),
                Captioner.Spec.defaults().withExactDecode(exact)))) {
            // The same model, unbatched then batched, in one run: the workers sharing the cores
            // against one runner using them all on batches.
            ServeSpec unbatched = ServeSpec.builder().port(0).workers(d.work().workers(), 256).batching(1, 0).build();
            ServeSpec batched = ServeSpec.builder().port(0).workers(d.work().workers(), 256)
                    .batching(maxBatch, batchWaitMs).build();
            for (ServeSpec config : List.of(unbatched, batched)) {
                Map<String, Object> m = new LinkedHashMap<>();
                try (CaptionServer server = CaptionServer.start(service, config)) {
                    URI uri = URI.create("http://127.0.0.1:" + server.port() + "/api/caption");
                    ServeLoad.run(uri, bytes, type, Math.min(20, requests), Math.min(4, concurrency)); // warm-up
                    m.put("max_batch", config.work().maxBatch());
                    m.put("batch_wait_ms", config.work().batchWaitMs());
                    m.put("result", ServeLoad.run(uri, bytes, type, requests, concurrency));
                    m.put("lone_request", ServeLoad.run(uri, bytes, type, 20, 1));
                    m.put("mean_batch", server.meanBatch());
                }
                out.put(config.work().maxBatch() == 1 ? "unbatched" : "batched", m);
            }
        }
    }
}
