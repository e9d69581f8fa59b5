package dev.captioner.serve;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.captioner.Captioner;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import dev.captioner.testutil.Fixtures;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * A pretrained folder, in either decoder layout, served over HTTP: concurrent uploads (micro-batched together) get the
 * greedy and beam-3 captions PyTorch chose for them, and no attention field.
 */
class PretrainedServeTest {

    static final Path FIXTURE = Path.of("src/test/resources/fixtures/hf/vit-gpt2-tiny");

    @ParameterizedTest(name = "merged {0}")
    @ValueSource(booleans = {true, false})
    void concurrentUploadsGetTheCaptionsPyTorchChose(boolean merged, @TempDir Path tmp) throws Exception {
        Path dir = Fixtures.copyTree(FIXTURE, tmp.resolve("model"));
        for (String f : merged ? List.of("decoder_model.onnx", "decoder_with_past_model.onnx")
                : List.of("decoder_model_merged.onnx")) {
            Files.delete(dir.resolve("onnx").resolve(f));
        }
        JsonNode expected = new ObjectMapper().readTree(FIXTURE.resolveSibling("expected.json").toFile());
        List<String> names = List.of("rgb_225x224.png", "rgb_301x199.png", "rgb_37x23.png", "gray_45x33.png");
        try (ModelService service = new ModelService(Captioner.load(dir))) {
            CaptionServer server = CaptionServer.start(service, ServeSpec.builder().port(0).maxUploadBytes(10 << 20)
                    .workers(2, 64).maxPixels(100_000_000L).build());
            try {
                HttpClient client = HttpClient.newHttpClient();
                for (String mode : List.of("greedy", "beam3")) {
                    List<CompletableFuture<HttpResponse<String>>> calls = new ArrayList<>();
                    for (String n : names) {
                        byte[] png = Files.readAllBytes(Path.of("src/test/resources/fixtures/images", n));
                        calls.add(client.sendAsync(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port()
                                + "/api/caption?beam=" + (mode.equals("greedy") ? 1 : 3)))
                                .header("Content-Type", "image/png").POST(HttpRequest.BodyPublishers.ofByteArray(png))
                                .build(), HttpResponse.BodyHandlers.ofString()));
                    }
                    for (int i = 0; i < names.size(); i++) {
                        HttpResponse<String> r = calls.get(i).get();
                        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
                        JsonNode body = new ObjectMapper().readTree(r.body());
                        assertThat(body.get("caption").asText()).as(names.get(i) + " " + mode)
                                .isEqualTo(expected.get("images/" + names.get(i)).get(mode + "_text").asText());
                        assertThat(body.has("attention")).isFalse();
                    }
                }
            } finally {
                server.close();
            }
        }
    }
}
