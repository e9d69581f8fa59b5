package dev.captioner.serve;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.captioner.decode.Caption;
import dev.captioner.image.RgbImage;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The API against a stand-in model, on a random loopback port: every status code. */
class CaptionServerTest {

    /** A stand-in that describes the image it got, optionally slowly. */
    static final class FakeService implements CaptionService {
        final long delayMs;
        final CountDownLatch entered = new CountDownLatch(1);

        FakeService(long delayMs) {
            this.delayMs = delayMs;
        }

        @Override
        public List<Caption> caption(RgbImage image, int beam) {
            entered.countDown();
            try {
                Thread.sleep(delayMs);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            List<Caption> out = new ArrayList<>();
            for (int k = 0; k < beam; k++) {
                out.add(new Caption(List.of("image", String.valueOf(image.width()), "by", String.valueOf(image.height())),
                        -k - 1.0, -k - 1.0, true));
            }
            return out;
        }

        @Override
        public Map<String, Object> describe() {
            return Map.of("architecture", "merge", "encoder", "fake", "vocabulary_size", 7);
        }
    }

    private CaptionServer server;
    private final HttpClient client = HttpClient.newHttpClient();
    private final ObjectMapper json = new ObjectMapper();

    @AfterEach
    void stop() {
        if (server != null) {
            server.close();
        }
    }

    private CaptionServer start(CaptionService service, long maxUpload, int workers, int queue, long maxPixels) {
        server = CaptionServer.start(service, ServeSpec.builder().port(0).maxUploadBytes(maxUpload).workers(workers, queue).maxPixels(maxPixels)
                .batching(1, 0).build());
        return server;
    }

    private URI uri(String path) {
        return URI.create("http://127.0.0.1:" + server.port() + path);
    }

    static byte[] png(int w, int h) throws Exception {
        BufferedImage img = new BufferedImage(w, h, BufferedImage.TYPE_INT_RGB);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ImageIO.write(img, "png", out);
        return out.toByteArray();
    }

    private HttpResponse<String> raw(String path, String type, byte[] body) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(uri(path)).POST(HttpRequest.BodyPublishers.ofByteArray(body));
        if (type != null) {
            b.header("Content-Type", type);
        }
        return client.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    static byte[] multipart(String boundary, String field, String filename, byte[] content) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        String head = "--" + boundary + "\r\nContent-Disposition: form-data; name=\"" + field + "\"; filename=\"" + filename
                + "\"\r\nContent-Type: application/octet-stream\r\n\r\n";
        out.writeBytes(head.getBytes(StandardCharsets.UTF_8));
        out.writeBytes(content);
        out.writeBytes(("\r\n--" + boundary + "--\r\n").getBytes(StandardCharsets.UTF_8));
        return out.toByteArray();
    }

    private HttpResponse<String> form(String path, String field, byte[] content) throws Exception {
        String boundary = "----captioner-test-boundary";
        return raw(path, "multipart/form-data; boundary=" + boundary, multipart(boundary, field, "photo.png", content));
    }

    private JsonNode body(HttpResponse<String> r) throws Exception {
        assertThat(r.headers().firstValue("Content-Type").orElse("")).startsWith("application/json");
        assertThat(r.body()).doesNotContain("Exception").doesNotContain("\tat ").doesNotContain("at dev.captioner");
        return json.readTree(r.body());
    }

    @Test
    void captionsMultipartAndRawUploads() throws Exception {
        start(new FakeService(0), 1 << 20, 2, 8, 1_000_000);
        HttpResponse<String> r = form("/api/caption?beam=3", "image", png(40, 30));
        assertThat(r.statusCode()).isEqualTo(200);
        JsonNode b = body(r);
        assertThat(b.get("caption").asText()).isEqualTo("image 40 by 30");
        assertThat(b.get("alternatives")).hasSize(3);
        assertThat(b.get("alternatives").get(1).get("score").asDouble()).isEqualTo(-2.0);
        assertThat(b.get("ms").isIntegralNumber()).as("ms is a whole number of milliseconds").isTrue();
        HttpResponse<String> rawPng = raw("/api/caption", "image/png", png(12, 9));
        assertThat(rawPng.statusCode()).isEqualTo(200);
        assertThat(body(rawPng).get("alternatives")).hasSize(1);
    }

    @Test
    void healthModelAndPage() throws Exception {
        start(new FakeService(0), 1 << 20, 1, 1, 1_000_000);
        HttpResponse<String> h = client.send(HttpRequest.newBuilder(uri("/api/health")).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(body(h).get("status").asText()).isEqualTo("ok");
        HttpResponse<String> m = client.send(HttpRequest.newBuilder(uri("/api/model")).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(body(m).get("encoder").asText()).isEqualTo("fake");
        HttpResponse<String> page = client.send(HttpRequest.newBuilder(uri("/")).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(page.statusCode()).isEqualTo(200);
        assertThat(page.body()).contains("<title>captioner</title>").contains("app.js").doesNotContain("https://");
        HttpResponse<String> js = client.send(HttpRequest.newBuilder(uri("/app.js")).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(js.statusCode()).isEqualTo(200);
        HttpResponse<String> nope = client.send(HttpRequest.newBuilder(uri("/api/files?path=/etc/passwd")).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(nope.statusCode()).isEqualTo(404);
        assertThat(body(nope).get("error").asText()).contains("no such endpoint");
    }

    @Test
    void badInputGetsTheRightStatusAndAJsonError() throws Exception {
        start(new FakeService(0), 4000, 1, 4, 2000);
        // 400: not an image, empty, missing field, bad beam.
        HttpResponse<String> notImage = raw("/api/caption", "image/jpeg", "hello".getBytes(StandardCharsets.UTF_8));
        assertThat(notImage.statusCode()).isEqualTo(400);
        assertThat(body(notImage).get("error").asText()).contains("not an image");
        assertThat(raw("/api/caption", "image/png", new byte[0]).statusCode()).isEqualTo(400);
        HttpResponse<String> noField = form("/api/caption", "picture", png(4, 4));
        assertThat(noField.statusCode()).isEqualTo(400);
        assertThat(body(noField).get("error").asText()).contains("'image'");
        for (String beam : List.of("0", "11", "x", "-1")) {
            HttpResponse<String> b = raw("/api/caption?beam=" + beam, "image/png", png(4, 4));
            assertThat(b.statusCode()).as("beam=" + beam).isEqualTo(400);
        }
        byte[] truncated = java.util.Arrays.copyOf(png(30, 30), 60);
        assertThat(raw("/api/caption", "image/png", truncated).statusCode()).isEqualTo(400);
        // 413: over the upload limit, raw and multipart.
        byte[] big = new byte[10_000];
        HttpResponse<String> tooBig = raw("/api/caption", "image/png", big);
        assertThat(tooBig.statusCode()).isEqualTo(413);
        assertThat(body(tooBig).get("error").asText()).contains("limit");
        assertThat(form("/api/caption", "image", big).statusCode()).isEqualTo(413);
        // 415: not an image type.
        HttpResponse<String> text = raw("/api/caption", "text/plain", "a picture".getBytes(StandardCharsets.UTF_8));
        assertThat(text.statusCode()).isEqualTo(415);
        assertThat(body(text).get("error").asText()).contains("text/plain");
        assertThat(raw("/api/caption", null, png(4, 4)).statusCode()).isEqualTo(415);
        // 422: over the pixel limit (2,000 pixels here).
        HttpResponse<String> huge = raw("/api/caption", "image/png", png(60, 50));
        assertThat(huge.statusCode()).isEqualTo(422);
        assertThat(body(huge).get("error").asText()).contains("over the limit");
        // The server still works.
        assertThat(raw("/api/caption", "image/png", png(20, 20)).statusCode()).isEqualTo(200);
    }

    /** A body of {@code size} bytes sent chunked: no Content-Length for the server to check first. */
    private HttpResponse<String> chunked(String type, byte[] prefix, long size) throws Exception {
        java.util.function.Supplier<java.io.InputStream> body = () -> new java.io.SequenceInputStream(
                new java.io.ByteArrayInputStream(prefix), new java.io.InputStream() {
                    long left = size - prefix.length;

                    @Override
                    public int read() {
                        return left-- > 0 ? 0 : -1;
                    }

                    @Override
                    public int read(byte[] b, int off, int len) {
                        if (left <= 0) {
                            return -1;
                        }
                        int n = (int) Math.min(len, left);
                        java.util.Arrays.fill(b, off, off + n, (byte) 0);
                        left -= n;
                        return n;
                    }
                });
        HttpRequest request = HttpRequest.newBuilder(uri("/api/caption")).header("Content-Type", type)
                .POST(HttpRequest.BodyPublishers.ofInputStream(body)).build();
        return client.send(request, HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void aChunkedBodyOverTheLimitIsRefusedWhileStreaming() throws Exception {
        start(new FakeService(0), 100_000, 1, 4, 1_000_000);
        HttpResponse<String> raw = chunked("image/png", png(8, 8), 20_000_000);
        assertThat(raw.statusCode()).isEqualTo(413);
        assertThat(body(raw).get("error").asText()).contains("limit");
        // The answer comes as soon as the limit is passed, while the client is still sending
        // (Jetty then drains the rest of the connection without keeping it).
        long[] sentWhenAnswered = {-1};
        try (java.net.Socket socket = new java.net.Socket("127.0.0.1", server.port())) {
            socket.setSoTimeout(20_000);
            java.io.OutputStream out = socket.getOutputStream();
            out.write(("POST /api/caption HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: image/png\r\n"
                    + "Transfer-Encoding: chunked\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
            java.util.concurrent.atomic.AtomicLong written = new java.util.concurrent.atomic.AtomicLong();
            Thread reader = new Thread(() -> {
                try {
                    if (socket.getInputStream().read() >= 0) {
                        sentWhenAnswered[0] = written.get();
                    }
                } catch (java.io.IOException ignored) {
                    // no answer: the assertion below says so
                }
            });
            reader.start();
            byte[] chunk = new byte[1 << 16];
            byte[] size = (Integer.toHexString(chunk.length) + "\r\n").getBytes(StandardCharsets.US_ASCII);
            try {
                while (written.get() < 20_000_000 && reader.isAlive()) {
                    out.write(size);
                    out.write(chunk);
                    out.write(new byte[] {'\r', '\n'});
                    written.addAndGet(chunk.length);
                    // About 6 MB/s: the whole body takes 3 s, an answer at the limit comes at once.
                    Thread.sleep(10);
                }
            } catch (java.io.IOException closed) {
                // the server may close instead of draining
            }
            reader.join(20_000);
        }
        assertThat(sentWhenAnswered[0]).as("bytes sent when the 413 arrived").isBetween(0L, 12_000_000L);
        String boundary = "----captioner-test-boundary";
        byte[] head = ("--" + boundary + "\r\nContent-Disposition: form-data; name=\"image\"; filename=\"a.png\"\r\n"
                + "Content-Type: image/png\r\n\r\n").getBytes(StandardCharsets.UTF_8);
        HttpResponse<String> form = chunked("multipart/form-data; boundary=" + boundary, head, 5_000_000);
        assertThat(form.statusCode()).isEqualTo(413);
        // A chunked upload under the limit is fine.
        assertThat(chunked("image/png", png(8, 8), png(8, 8).length).statusCode()).isEqualTo(200);
    }

    @Test
    @SuppressWarnings("try") // the resource is held for its side effect
    void aFullDecodingBudgetAnswers503AndAnImageThatCanNeverFit422() throws Exception {
        // 24,000 bytes: a 30 x 30 image needs 10,800 (12 per pixel), a 50 x 50 one 30,000.
        dev.captioner.image.MemoryBudget budget = new dev.captioner.image.MemoryBudget(24_000, Duration.ofMillis(100));
        server = CaptionServer.start(new FakeService(0), ServeSpec.builder().port(0).maxUploadBytes(1 << 20)
                .workers(2, 4).maxPixels(1_000_000).batching(1, 0).build(), budget);
        try (dev.captioner.image.MemoryBudget.Lease others = budget.acquire(18_000, "other uploads")) {
            HttpResponse<String> busy = raw("/api/caption", "image/png", png(30, 30));
            assertThat(busy.statusCode()).isEqualTo(503);
            assertThat(busy.headers().firstValue("Retry-After")).isPresent();
            assertThat(body(busy).get("error").asText()).contains("busy");
        }
        assertThat(raw("/api/caption", "image/png", png(30, 30)).statusCode()).isEqualTo(200);
        HttpResponse<String> never = raw("/api/caption", "image/png", png(50, 50));
        assertThat(never.statusCode()).isEqualTo(422);
        assertThat(body(never).get("error").asText()).contains("-Xmx");
        assertThat(budget.inUse()).isZero();
    }

    @Test
    void concurrentLargeImagesTakeTurnsWithinTheBudgetAndTheRestAre503() throws Exception {
        // 9 megapixels of black each, a small PNG; the budget holds one such image but not two, and
        // each keeps its pixels while it is captioned (slowly here), so concurrent uploads collide.
        byte[] large = dev.captioner.image.PngBomb.blackRgb(3000, 3000);
        dev.captioner.image.MemoryBudget budget = new dev.captioner.image.MemoryBudget(
                12_000_000L * dev.captioner.image.MemoryBudget.BYTES_PER_PIXEL, Duration.ofMillis(200));
        server = CaptionServer.start(new FakeService(1500), ServeSpec.builder().port(0).maxUploadBytes(1 << 20)
                .workers(4, 8).maxPixels(20_000_000).batching(1, 0).build(), budget);
        List<CompletableFuture<HttpResponse<String>>> all = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            all.add(client.sendAsync(HttpRequest.newBuilder(uri("/api/caption")).header("Content-Type", "image/png")
                    .POST(HttpRequest.BodyPublishers.ofByteArray(large)).build(), HttpResponse.BodyHandlers.ofString()));
        }
        Map<Integer, Integer> statuses = new java.util.TreeMap<>();
        for (CompletableFuture<HttpResponse<String>> f : all) {
            HttpResponse<String> r = f.get(60, TimeUnit.SECONDS);
            statuses.merge(r.statusCode(), 1, Integer::sum);
            if (r.statusCode() == 503) {
                assertThat(body(r).get("error").asText()).contains("too many large images");
                assertThat(r.headers().firstValue("Retry-After")).isPresent();
            }
        }
        assertThat(statuses).as("statuses of four concurrent uploads").containsOnlyKeys(200, 503);
        assertThat(statuses.get(200)).isGreaterThanOrEqualTo(1);
        assertThat(statuses.get(503)).isGreaterThanOrEqualTo(1);
        assertThat(budget.inUse()).isZero();
        assertThat(raw("/api/caption", "image/png", png(20, 20)).statusCode()).isEqualTo(200);
    }

    @Test
    @SuppressWarnings("try") // the resource is held for its side effect
    void whateverADecoderThrowsIsA400() throws Exception {
        start(new FakeService(0), 1 << 20, 1, 4, 1_000_000);
        try (dev.captioner.image.ThrowingDecoder plugin = new dev.captioner.image.ThrowingDecoder()) {
            HttpResponse<String> r = raw("/api/caption", "image/png", dev.captioner.image.ThrowingDecoder.file());
            assertThat(r.statusCode()).isEqualTo(400);
            assertThat(body(r).get("error").asText()).startsWith("upload: cannot decode");
        }
    }

    @Test
    void aFullQueueAnswers503() throws Exception {
        FakeService slow = new FakeService(600);
        start(slow, 1 << 20, 1, 0, 1_000_000);
        byte[] img = png(8, 8);
        List<CompletableFuture<HttpResponse<String>>> all = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            all.add(client.sendAsync(HttpRequest.newBuilder(uri("/api/caption")).header("Content-Type", "image/png")
                    .POST(HttpRequest.BodyPublishers.ofByteArray(img)).build(), HttpResponse.BodyHandlers.ofString()));
        }
        int ok = 0;
        int busy = 0;
        for (CompletableFuture<HttpResponse<String>> f : all) {
            HttpResponse<String> r = f.get(30, TimeUnit.SECONDS);
            if (r.statusCode() == 200) {
                ok++;
            } else {
                assertThat(r.statusCode()).isEqualTo(503);
                assertThat(body(r).get("error").asText()).contains("busy");
                busy++;
            }
        }
        assertThat(ok).isGreaterThanOrEqualTo(1);
        assertThat(busy).isGreaterThanOrEqualTo(1);
    }

    @Test
    void aRequestWhoseBodyIsStillArrivingWhenTheServerStopsGetsAnAnswer() throws Exception {
        start(new FakeService(0), 1 << 20, 1, 4, 1_000_000);
        byte[] img = png(8, 8);
        CaptionServer s = server;
        try (java.net.Socket socket = new java.net.Socket("127.0.0.1", server.port())) {
            socket.setSoTimeout(20_000);
            java.io.OutputStream out = socket.getOutputStream();
            out.write(("POST /api/caption HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: image/png\r\nContent-Length: "
                    + img.length + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
            out.write(img, 0, 10);
            out.flush();
            Thread.sleep(300);
            // The server is asked to stop while the upload is still arriving.
            Thread stopper = new Thread(() -> s.stopGracefully(Duration.ofSeconds(10)));
            long stopStart = System.nanoTime();
            stopper.start();
            Thread.sleep(400);
            assertThat(stopper.isAlive()).as("the stop waits for the request in flight").isTrue();
            out.write(img, 10, img.length - 10);
            out.flush();
            String answer = new String(socket.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            stopper.join(15_000);
            assertThat(stopper.isAlive()).isFalse();
            assertThat((System.nanoTime() - stopStart) / 1_000_000).isGreaterThan(350);
            // Counted in flight from the moment it arrived: answered (or, had it stalled past the
            // stopping server's idle timeout, told so), not cut off.
            // It arrived within its first second, so it is captioned and answered, not cut off.
            assertThat(answer).startsWith("HTTP/1.1 200").contains("application/json").contains("{\"caption\"");
        }
        server = null;
    }

    @Test
    void gracefulShutdownLetsInFlightRequestsFinish() throws Exception {
        FakeService slow = new FakeService(800);
        start(slow, 1 << 20, 1, 4, 1_000_000);
        CompletableFuture<HttpResponse<String>> inFlight = client.sendAsync(HttpRequest.newBuilder(uri("/api/caption"))
                .header("Content-Type", "image/png").POST(HttpRequest.BodyPublishers.ofByteArray(png(8, 8))).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(slow.entered.await(10, TimeUnit.SECONDS)).isTrue();
        CaptionServer s = server;
        Thread stopper = new Thread(() -> s.stopGracefully(Duration.ofSeconds(10)));
        stopper.start();
        HttpResponse<String> r = inFlight.get(20, TimeUnit.SECONDS);
        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(body(r).get("caption").asText()).isEqualTo("image 8 by 8");
        stopper.join(15_000);
        assertThat(stopper.isAlive()).isFalse();
        server = null;
    }
}
