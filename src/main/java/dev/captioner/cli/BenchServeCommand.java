package dev.captioner.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import dev.captioner.Captioner;
import dev.captioner.bench.ServeLoad;
import dev.captioner.serve.CaptionServer;
import dev.captioner.serve.ModelService;
import dev.captioner.serve.ServeConfig;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code captioner bench serve}: latency and throughput of the HTTP API under a bounded load. */
@Command(name = "serve", mixinStandardHelpOptions = true,
        description = "Start the server on loopback with a model and send a bounded load of caption requests.")
public final class BenchServeCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Option(names = "--model", required = true, paramLabel = "DIR", description = "Model directory.")
    Path model;

    @Option(names = "--image", required = true, paramLabel = "FILE", description = "Image to send.")
    Path image;

    @Option(names = "--requests", defaultValue = "300", paramLabel = "N", description = "Requests (default: ${DEFAULT-VALUE}).")
    int requests;

    @Option(names = "--concurrency", defaultValue = "16", paramLabel = "N", description = "Clients at once (default: ${DEFAULT-VALUE}).")
    int concurrency;

    @Override
    public Integer call() throws Exception {
        ServeConfig d = ServeConfig.defaults();
        ServeConfig config = new ServeConfig("127.0.0.1", 0, d.maxUploadBytes(), d.workers(), 256, 1, 10, d.maxPixels());
        String name = image.getFileName().toString().toLowerCase(Locale.ROOT);
        String type = name.endsWith(".png") ? "image/png" : "image/jpeg";
        try (ModelService service = new ModelService(Captioner.load(model));
                CaptionServer server = CaptionServer.start(service, config)) {
            URI uri = URI.create("http://127.0.0.1:" + server.port() + "/api/caption");
            byte[] bytes = Files.readAllBytes(image);
            ServeLoad.run(uri, bytes, type, Math.min(20, requests), Math.min(4, concurrency)); // warm-up
            Map<String, Object> out = new LinkedHashMap<>();
            out.put("cores", Runtime.getRuntime().availableProcessors());
            out.put("workers", config.workers());
            out.put("result", ServeLoad.run(uri, bytes, type, requests, concurrency));
            spec.commandLine().getOut().println(new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT)
                    .writeValueAsString(out));
        }
        return 0;
    }
}
