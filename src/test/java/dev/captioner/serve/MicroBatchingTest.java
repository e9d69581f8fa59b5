package dev.captioner.serve;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.captioner.decode.Caption;
import dev.captioner.image.RgbImage;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Dynamic micro-batching of concurrent requests, against a stand-in model that records its batches. */
class MicroBatchingTest {

    /** Prepares an image as its size; captions each input "image W by H", recording every batch. */
    static class RecordingService implements BatchCaptionService {
        final List<List<Integer>> batches = new CopyOnWriteArrayList<>();
        final List<Integer> beams = new CopyOnWriteArrayList<>();
        final AtomicInteger single = new AtomicInteger();

        @Override
        public float[] prepare(RgbImage image) {
            return new float[] {image.width(), image.height()};
        }

        @Override
        public List<List<Caption>> caption(List<float[]> inputs, int beam) {
            batches.add(inputs.stream().map(i -> (int) i[0]).toList());
            beams.add(beam);
            try {
                Thread.sleep(30); // a network call: others arrive meanwhile
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            List<List<Caption>> out = new ArrayList<>();
            for (float[] in : inputs) {
                List<Caption> beamCaptions = new ArrayList<>();
                for (int k = 0; k < beam; k++) {
                    beamCaptions.add(new Caption(List.of("image", String.valueOf((int) in[0]), "by",
                            String.valueOf((int) in[1])), -k - 1.0, -k - 1.0, true));
                }
                out.add(beamCaptions);
            }
            return out;
        }

        @Override
        public List<Caption> caption(RgbImage image, int beam) {
            single.incrementAndGet();
            return caption(List.of(prepare(image)), beam).get(0);
        }

        @Override
        public Map<String, Object> describe() {
            return Map.of("architecture", "merge", "encoder", "recording", "feature_dim", 4, "vocabulary_size", 7,
                    "max_length", 9);
        }
    }

    private CaptionServer server;
    private final HttpClient client = HttpClient.newHttpClient();

    @AfterEach
    void stop() {
        if (server != null) {
            server.close();
        }
    }

    private void start(RecordingService service, int maxBatch, int waitMs) {
        server = CaptionServer.start(service, ServeSpec.builder().port(0).maxUploadBytes(1 << 20)
                .workers(4, 64).maxPixels(1_000_000L).batching(maxBatch, waitMs).build());
    }

    private List<String> sendConcurrently(int n, int beamEvery) throws Exception {
        List<CompletableFuture<HttpResponse<String>>> futures = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            int beam = beamEvery > 0 && i % beamEvery == 0 ? 2 : 1;
            HttpRequest r = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port() + "/api/caption?beam=" + beam))
                    .header("Content-Type", "image/png").POST(HttpRequest.BodyPublishers.ofByteArray(
                            CaptionServerTest.png(10 + i, 7))).build();
            futures.add(client.sendAsync(r, HttpResponse.BodyHandlers.ofString()));
        }
        List<String> captions = new ArrayList<>();
        for (CompletableFuture<HttpResponse<String>> f : futures) {
            HttpResponse<String> r = f.get(30, java.util.concurrent.TimeUnit.SECONDS);
            assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
            captions.add(new ObjectMapper().readTree(r.body()).get("caption").asText());
        }
        return captions;
    }

    @Test
    void concurrentRequestsShareNetworkCallsAndEachGetsItsOwnCaption() throws Exception {
        RecordingService service = new RecordingService();
        start(service, 8, 200);
        List<String> captions = sendConcurrently(12, 0);
        for (int i = 0; i < 12; i++) {
            assertThat(captions.get(i)).isEqualTo("image " + (10 + i) + " by 7");
        }
        assertThat(service.single.get()).isZero();
        assertThat(service.batches.stream().mapToInt(List::size).sum()).isEqualTo(12);
        assertThat(service.batches.stream().mapToInt(List::size).max().orElse(0)).isBetween(2, 8);
        assertThat(service.batches.size()).isLessThan(12);
        assertThat(server.meanBatch()).isGreaterThan(1);
    }

    @Test
    void differentBeamWidthsAreBatchedApart() throws Exception {
        RecordingService service = new RecordingService();
        start(service, 8, 200);
        List<String> captions = sendConcurrently(9, 3);
        for (int i = 0; i < 9; i++) {
            assertThat(captions.get(i)).isEqualTo("image " + (10 + i) + " by 7");
        }
        for (int b = 0; b < service.batches.size(); b++) {
            for (int width : service.batches.get(b)) {
                int expectedBeam = (width - 10) % 3 == 0 ? 2 : 1;
                assertThat(service.beams.get(b)).as("batch %s", service.batches.get(b)).isEqualTo(expectedBeam);
            }
        }
    }

    @Test
    void aLoneRequestIsNotHeldForCompanyThatIsNotComing() throws Exception {
        RecordingService service = new RecordingService();
        start(service, 8, 1000);
        for (int i = 0; i < 3; i++) {
            long start = System.nanoTime();
            assertThat(sendConcurrently(1, 0)).containsExactly("image 10 by 7");
            // Nobody else is on the way, so the batch runs at once rather than after the 1 s wait.
            assertThat((System.nanoTime() - start) / 1e6).isLessThan(700);
        }
        assertThat(service.batches).allSatisfy(b -> assertThat(b).hasSize(1));
    }

    @Test
    void aBatchThatFailsAnswersEachOfItsRequestsAndTheServerGoesOn() throws Exception {
        java.util.concurrent.atomic.AtomicBoolean fail = new java.util.concurrent.atomic.AtomicBoolean(true);
        RecordingService service = new RecordingService() {
            @Override
            public List<List<Caption>> caption(List<float[]> inputs, int beam) {
                if (fail.get()) {
                    throw new IllegalStateException("the network failed");
                }
                return super.caption(inputs, beam);
            }
        };
        start(service, 8, 200);
        List<CompletableFuture<HttpResponse<String>>> futures = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            futures.add(client.sendAsync(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port()
                    + "/api/caption")).header("Content-Type", "image/png").POST(HttpRequest.BodyPublishers.ofByteArray(
                            CaptionServerTest.png(10 + i, 7))).build(), HttpResponse.BodyHandlers.ofString()));
        }
        for (CompletableFuture<HttpResponse<String>> f : futures) {
            HttpResponse<String> r = f.get(30, java.util.concurrent.TimeUnit.SECONDS);
            // A failure of the model is a bug, not the client's: 500, with the id to find it in the log.
            assertThat(r.statusCode()).isEqualTo(500);
            com.fasterxml.jackson.databind.JsonNode b = new ObjectMapper().readTree(r.body());
            assertThat(b.get("error").asText()).contains("internal error").contains(b.get("request_id").asText());
            assertThat(r.body()).doesNotContain("the network failed").doesNotContain("IllegalStateException");
        }
        fail.set(false);
        assertThat(sendConcurrently(3, 0)).containsExactly("image 10 by 7", "image 11 by 7", "image 12 by 7");
    }

    @Test
    void maxBatchOneTurnsBatchingOff() throws Exception {
        RecordingService service = new RecordingService();
        start(service, 1, 200);
        sendConcurrently(6, 0);
        assertThat(service.single.get()).isEqualTo(6);
        assertThat(service.batches).allSatisfy(b -> assertThat(b).hasSize(1));
        assertThat(server.meanBatch()).isZero();
    }
}
