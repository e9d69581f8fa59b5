package dev.captioner.cli;

import dev.captioner.Captioner;
import dev.captioner.options.ModelChoice;
import dev.captioner.options.ModelWeights;
import dev.captioner.options.Settings;
import dev.captioner.serve.CaptionServer;
import dev.captioner.serve.ModelService;
import dev.captioner.serve.ServeConfig;
import java.time.Duration;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code captioner serve}: the HTTP API and web page. */
@Command(name = "serve", mixinStandardHelpOptions = true,
        description = "Serve the model over HTTP: POST /api/caption, GET /api/health, GET /api/model, and a web page at /.")
public final class ServeCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Mixin
    ModelChoice model;

    @Option(names = "--host", defaultValue = "127.0.0.1", paramLabel = "HOST",
            description = "Interface to listen on (default: ${DEFAULT-VALUE}, loopback only).")
    String host;

    @Option(names = "--port", defaultValue = "8080", paramLabel = "PORT", description = "Port (default: ${DEFAULT-VALUE}).")
    int port;

    @Option(names = "--max-upload-mb", defaultValue = "10", paramLabel = "MB", description = "Largest upload (default: ${DEFAULT-VALUE}).")
    double maxUploadMb;

    @Option(names = "--workers", paramLabel = "N", description = "Requests captioned at once (default: cores).")
    Integer workers;

    @Option(names = "--queue", defaultValue = "64", paramLabel = "N",
            description = "Requests that may wait before the server answers 503 (default: ${DEFAULT-VALUE}).")
    int queue;

    @Option(names = "--beam", defaultValue = "1", paramLabel = "K", description = "Default beam width (default: ${DEFAULT-VALUE}).")
    int beam;

    @Mixin
    ModelWeights weights;

    @Option(names = "--max-pixels", defaultValue = "40000000", paramLabel = "N",
            description = "Refuse images with more pixels than this (default: ${DEFAULT-VALUE}); the heap (-Xmx) "
                    + "also bounds the pixels decoded at once.")
    long maxPixels;

    @Option(names = "--max-batch", defaultValue = "8", paramLabel = "N",
            description = "Concurrent requests captioned in one network call (default: ${DEFAULT-VALUE}; 1 turns "
                    + "batching off: each worker then runs its own request).")
    int maxBatch;

    @Option(names = "--batch-wait-ms", defaultValue = "5", paramLabel = "T",
            description = "Longest a request waits for others to join its batch (default: ${DEFAULT-VALUE}).")
    int batchWaitMs;

    @Override
    public Integer call() throws Exception {
        int n = workers == null ? Runtime.getRuntime().availableProcessors() : workers;
        ServeConfig config = Settings.of(spec, () -> new ServeConfig(host, port, (long) (maxUploadMb * 1024 * 1024), n,
                queue, beam, 10, maxPixels, maxBatch, batchWaitMs));
        Captioner.Options options = Settings.of(spec, () -> new Captioner.Options(1, 0, weights.weightsPath(), maxPixels));
        ModelService service = new ModelService(Captioner.load(model.modelPath(), options));
        CaptionServer server;
        try {
            server = CaptionServer.start(service, config);
        } catch (RuntimeException e) {
            service.close();
            throw e;
        }
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            // Requests in flight finish and the pool drains before the model is closed.
            server.stopGracefully(Duration.ofSeconds(30));
            service.close();
        }, "captioner-shutdown"));
        spec.commandLine().getOut().printf("serving %s on http://%s:%d/ (Ctrl-C or SIGTERM to stop)%n", model.model(),
                host.contains(":") ? "[" + host + "]" : host, server.port());
        spec.commandLine().getOut().flush();
        server.awaitStop();
        return 0;
    }
}
