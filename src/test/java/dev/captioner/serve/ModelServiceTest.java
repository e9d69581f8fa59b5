package dev.captioner.serve;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.captioner.Captioner;
import dev.captioner.decode.Caption;
import dev.captioner.testutil.TinyPipeline;
import dev.captioner.image.ImageLoader;
import dev.captioner.image.RgbImage;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The real service frees the model only when no network call runs, and times its stages. */
class ModelServiceTest {

    @TempDir
    Path tmp;

    @Test
    void closeWaitsForTheRunningCallThenRefusesNewOnes() throws Exception {
        TinyPipeline p = TinyPipeline.build(tmp);
        RgbImage image = ImageLoader.withDefaults().load(p.data().resolve("Flicker8k_Dataset/shapes_000001.jpg"));
        ModelService service = new ModelService(Captioner.load(p.model()));
        // What GET /api/model answers has the shape OpenAPI describes.
        com.fasterxml.jackson.databind.ObjectMapper json = new com.fasterxml.jackson.databind.ObjectMapper();
        com.fasterxml.jackson.databind.JsonNode api;
        try (java.io.InputStream in = CaptionServer.class.getResourceAsStream("openapi.json")) {
            api = json.readTree(in);
        }
        List<String> problems = new java.util.ArrayList<>();
        MetricsAndOpenApiTest.conforms(json.valueToTree(service.describe()), api.at("/components/schemas/ModelInfo"), api,
                "describe()", problems);
        assertThat(problems).isEmpty();
        CountDownLatch inside = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        List<String> stages = new java.util.concurrent.CopyOnWriteArrayList<>();
        service.timeStages((stage, seconds) -> {
            stages.add(stage);
            if (stage.equals("encode")) {
                // Between the encoder and the caption search: a call is running.
                inside.countDown();
                try {
                    release.await(20, TimeUnit.SECONDS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
        });
        CompletableFuture<List<Caption>> call = CompletableFuture.supplyAsync(() -> service.caption(image, 2));
        assertThat(inside.await(20, TimeUnit.SECONDS)).isTrue();
        CompletableFuture<Void> close = CompletableFuture.runAsync(service::close);
        Thread.sleep(300);
        assertThat(close).as("close waits while a call runs").isNotDone();
        release.countDown();
        close.get(20, TimeUnit.SECONDS);
        assertThat(call.get(20, TimeUnit.SECONDS)).hasSize(2);
        assertThat(stages).containsExactly("encode", "caption");
        assertThatThrownBy(() -> service.caption(image, 1)).isInstanceOf(RejectedExecutionException.class);
    }

    @Test
    void aPretrainedFolderIsServedAsAModelIsAndDescribedAsOpenApiSays() throws Exception {
        Path folder = Path.of("src/test/resources/fixtures/hf/vit-gpt2-tiny");
        RgbImage image = ImageLoader.withDefaults().load(Path.of("src/test/resources/fixtures/images/rgb_301x199.png"));
        try (ModelService service = new ModelService(Captioner.load(folder))) {
            com.fasterxml.jackson.databind.ObjectMapper json = new com.fasterxml.jackson.databind.ObjectMapper();
            com.fasterxml.jackson.databind.JsonNode api;
            try (java.io.InputStream in = CaptionServer.class.getResourceAsStream("openapi.json")) {
                api = json.readTree(in);
            }
            List<String> problems = new java.util.ArrayList<>();
            MetricsAndOpenApiTest.conforms(json.valueToTree(service.describe()), api.at("/components/schemas/ModelInfo"),
                    api, "describe()", problems);
            assertThat(problems).isEmpty();
            assertThat(service.attentionGrid()).isNull();
            // Micro-batches of several images give each the caption it gets alone.
            List<List<Caption>> two = service.caption(List.of(service.prepare(image), service.prepare(image)), 3);
            assertThat(two.get(1).get(0).text()).isEqualTo(service.caption(image, 3).get(0).text())
                    .isEqualTo(two.get(0).get(0).text());
        }
    }
}
