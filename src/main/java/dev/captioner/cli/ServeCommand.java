package dev.captioner.cli;

import dev.captioner.options.PixelLimit;
import dev.captioner.options.BeamWidth;
import dev.captioner.Captioner;
import dev.captioner.decode.DecodeSpec;
import dev.captioner.options.ExactDecode;
import dev.captioner.options.ModelChoice;
import dev.captioner.options.ModelWeights;
import dev.captioner.options.Checked;
import dev.captioner.serve.CaptionServer;
import dev.captioner.serve.ModelService;
import dev.captioner.serve.ServeSpec;
import dev.captioner.util.CaptionerException;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/** {@code captioner serve}: the HTTP API and web page. */
@Command(name = "serve", mixinStandardHelpOptions = true,
        description = "Serve the model over HTTP: POST /api/caption, GET /api/health, /api/ready, /api/model, /metrics, "
                + "/openapi.json, and a web page at /.")
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

    @Mixin
    BeamWidth beam;

    @Mixin
    ModelWeights weights;

    @Mixin
    ExactDecode decode;

    @Mixin
    PixelLimit pixels;

    @Option(names = "--max-batch", defaultValue = "8", paramLabel = "N",
            description = "Concurrent requests captioned in one network call (default: ${DEFAULT-VALUE}; 1 turns "
                    + "batching off: each worker then runs its own request).")
    int maxBatch;

    @Option(names = "--batch-wait-ms", defaultValue = "5", paramLabel = "T",
            description = "Longest a request waits for others to join its batch (default: ${DEFAULT-VALUE}).")
    int batchWaitMs;

    @Option(names = "--max-uploads", paramLabel = "N", hidden = true,
            description = "Deprecated and ignored: admission now follows the memory budget and the queue.")
    Integer maxUploads;

    @Option(names = "--max-connections", defaultValue = "256", paramLabel = "N",
            description = "Connections held open at once; more wait until one closes (default: ${DEFAULT-VALUE}).")
    int maxConnections;

    @Option(names = "--header-timeout", defaultValue = "10", paramLabel = "SECONDS",
            description = "Time a connection has to send a request's headers, from its opening or its previous "
                    + "answer, before it is closed (default: ${DEFAULT-VALUE}).")
    double headerTimeout;

    @Option(names = "--request-timeout", defaultValue = "30", paramLabel = "SECONDS",
            description = "Longest a caption request may take, upload included: 408 for a slower upload, 504 for "
                    + "slower captioning (default: ${DEFAULT-VALUE}).")
    double requestTimeout;

    @Option(names = "--min-upload-rate", defaultValue = "16", paramLabel = "KIB_PER_S",
            description = "Slowest upload accepted after its first second, 408 below it; 0 for no minimum "
                    + "(default: ${DEFAULT-VALUE}).")
    double minUploadRate;

    @Option(names = "--decode-timeout", defaultValue = "10", paramLabel = "SECONDS",
            description = "Longest one image may take to decode, 422 beyond it (default: ${DEFAULT-VALUE}).")
    double decodeTimeout;

    @Option(names = "--cors", paramLabel = "ORIGIN",
            description = "Let pages of this one web origin (e.g. https://photos.example) call the API from a browser "
                    + "(default: none).")
    String cors;

    @Option(names = "--api-key-file", paramLabel = "FILE",
            description = "Require 'Authorization: Bearer KEY' on every route but /api/health, /api/ready and the page, "
                    + "KEY being this file's content (at least 16 characters); the environment variable "
                    + "CAPTIONER_API_KEY does the same.")
    Path apiKeyFile;

    @Option(names = "--insecure", description = "Allow serving on a non-loopback address without an API key.")
    boolean insecure;

    @Override
    public Integer call() throws Exception {
        int n = workers == null ? Runtime.getRuntime().availableProcessors() : workers;
        String key = apiKey();
        if (maxUploads != null) {
            spec.commandLine().getErr().println("warning: --max-uploads is deprecated and ignored: admission follows the "
                    + "memory budget and the queue");
        }
        ServeSpec config = Checked.of(spec, () -> ServeSpec.builder().host(host).port(port)
                .connections(maxConnections, seconds(headerTimeout, "--header-timeout"))
                .workers(n, queue).batching(maxBatch, batchWaitMs).beam(beam.beamFor(model.modelPath(), 10), 10)
                .maxUploadBytes((long) (maxUploadMb * 1024 * 1024)).maxPixels(pixels.maxPixelsOr(PixelLimit.SERVE_DEFAULT))
                .timeouts(seconds(requestTimeout, "--request-timeout"), (long) (minUploadRate * 1024),
                        seconds(decodeTimeout, "--decode-timeout"))
                .access(key, cors).build());
        if (!config.network().loopback() && key == null && !insecure) {
            throw new ParameterException(spec.commandLine(), "--host " + host + " lets other machines in: give an API key "
                    + "(--api-key-file FILE or CAPTIONER_API_KEY), or pass --insecure to serve without one");
        }
        Captioner.Spec options = Checked.of(spec, () -> new Captioner.Spec(DecodeSpec.greedy(), weights.weightsPath(),
                pixels.maxPixelsOr(PixelLimit.SERVE_DEFAULT),
                decode.exact(), weights.trustModelPaths(), model.variant()));
        PrintWriter out = spec.commandLine().getOut();
        CaptionServer server = CaptionServer.startLoading(() -> new ModelService(Captioner.load(model.modelPath(),
                options)), config);
        out.printf("listening on http://%s:%d/, loading %s (Ctrl-C or SIGTERM to stop)%n",
                host.contains(":") ? "[" + host + "]" : host, server.port(), model.model());
        out.flush();
        long start = System.nanoTime();
        try {
            server.awaitLoaded();
        } catch (RuntimeException e) {
            server.close();
            throw e;
        }
        out.printf(Locale.ROOT, "model loaded in %.1f s; ready%s%n", (System.nanoTime() - start) / 1e9,
                key == null ? "" : " (API key required)");
        out.flush();
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            // Requests in flight finish and the workers stop before the model is freed; the model
            // itself waits for any network call still running.
            server.stopGracefully(Duration.ofSeconds(30));
            server.closeService();
        }, "captioner-shutdown"));
        server.awaitStop();
        return 0;
    }

    private static Duration seconds(double s, String option) {
        if (!(s > 0 && s <= 3600)) {
            throw new IllegalArgumentException(option + " must be between 0 and 3600 seconds, was " + s);
        }
        return Duration.ofMillis(Math.round(s * 1000));
    }

    /** @return the API key from --api-key-file or CAPTIONER_API_KEY, or null */
    private String apiKey() {
        if (apiKeyFile != null) {
            try {
                String k = Files.readString(apiKeyFile).strip();
                if (k.isEmpty()) {
                    throw new CaptionerException(apiKeyFile + ": the API key file is empty");
                }
                return k;
            } catch (IOException e) {
                throw new CaptionerException(apiKeyFile + ": cannot read the API key: " + e.getMessage(), e);
            }
        }
        String env = System.getenv("CAPTIONER_API_KEY");
        return env == null || env.isBlank() ? null : env.strip();
    }
}
