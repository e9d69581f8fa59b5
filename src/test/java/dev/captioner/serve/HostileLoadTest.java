package dev.captioner.serve;

import static org.assertj.core.api.Assertions.assertThat;

import dev.captioner.testutil.IsolatedClasses;
import dev.captioner.testutil.Jpegs;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * What hostile uploads cost a server: JPEGs built to keep a decoder busy are answered 4xx within
 * the decode time limit while health stays quick; headers that promise 10 MB hold no memory; a
 * flood of large progressive JPEGs at 1 GB of heap gets 503 and 4xx, never a 500 or an
 * OutOfMemoryError; and normal load, 64 clients with phone-sized photos, all gets 200.
 */
class HostileLoadTest {

    private static HttpResponse<String> post(HttpClient client, int port, byte[] body) throws Exception {
        return client.send(request(port, body), HttpResponse.BodyHandlers.ofString());
    }

    private static HttpRequest request(int port, byte[] body) {
        return HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/api/caption"))
                .header("Content-Type", "image/jpeg").timeout(Duration.ofSeconds(60))
                .POST(HttpRequest.BodyPublishers.ofByteArray(body)).build();
    }

    private static double healthSeconds(HttpClient client, int port) throws Exception {
        long t0 = System.nanoTime();
        HttpResponse<String> h = client.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port
                + "/api/health")).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(h.statusCode()).isEqualTo(200);
        return (System.nanoTime() - t0) / 1e9;
    }

    @Test
    void jpegsBuiltToKeepADecoderBusyAre4xxWithinTheDecodeLimitAndHealthStaysQuick() throws Exception {
        Duration decodeLimit = Duration.ofSeconds(2);
        Map<String, byte[]> hostile = Map.of(
                "restart-marker trick", Jpegs.restartTrick(Jpegs.photo(128, 128, 1), 10_000),
                "10,000 scans", Jpegs.manyScans(Jpegs.photo(128, 128, 2), 10_000),
                "corrupt sequential", Jpegs.cutCodedData(Jpegs.photo(1024, 768, 3), 0.5));
        try (CaptionServer server = CaptionServer.start(new ScaledService(), ServeSpec.builder().port(0)
                .workers(2, 16).batching(1, 0).timeouts(ServeSpec.DEFAULT_REQUEST_TIMEOUT,
                        ServeSpec.DEFAULT_MIN_UPLOAD_RATE, decodeLimit).build())) {
            HttpClient client = HttpClient.newHttpClient();
            for (Map.Entry<String, byte[]> e : hostile.entrySet()) {
                List<CompletableFuture<HttpResponse<String>>> all = new ArrayList<>();
                long t0 = System.nanoTime();
                for (int i = 0; i < 4; i++) {
                    all.add(client.sendAsync(request(server.port(), e.getValue()), HttpResponse.BodyHandlers.ofString()));
                }
                assertThat(healthSeconds(client, server.port())).as("health while " + e.getKey() + " arrives")
                        .isLessThan(1.0);
                for (CompletableFuture<HttpResponse<String>> f : all) {
                    HttpResponse<String> r = f.get(30, TimeUnit.SECONDS);
                    assertThat(r.statusCode()).as(e.getKey() + ": " + r.body()).isBetween(400, 499);
                    assertThat(r.body()).contains("\"error\"");
                }
                assertThat((System.nanoTime() - t0) / 1e9).as(e.getKey() + ": answered within the decode limit + 1 s")
                        .isLessThan(decodeLimit.toSeconds() + 1.0);
            }
        }
    }

    @Test
    void headersPromisingTenMegabytesHoldNoMemory() throws Exception {
        try (CaptionServer server = CaptionServer.start(new ScaledService(), ServeSpec.builder().port(0)
                .workers(2, 64).build())) {
            long before = usedHeap();
            List<Socket> open = new ArrayList<>();
            try {
                for (int i = 0; i < 16; i++) {
                    Socket s = new Socket("127.0.0.1", server.port());
                    OutputStream out = s.getOutputStream();
                    out.write(("POST /api/caption HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: image/jpeg\r\n"
                            + "Content-Length: 10485760\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
                    out.flush();
                    open.add(s);
                }
                Thread.sleep(500);
                assertThat(usedHeap() - before).as("heap held by 16 bodies that never came").isLessThan(16L << 20);
                HttpResponse<String> metrics = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(
                        "http://127.0.0.1:" + server.port() + "/metrics")).build(), HttpResponse.BodyHandlers.ofString());
                assertThat(metrics.body()).contains("captioner_uploads_in_flight 16.0")
                        .contains("captioner_memory_budget_in_use_bytes 0.0");
            } finally {
                for (Socket s : open) {
                    s.close();
                }
            }
        }
    }

    private static long usedHeap() {
        System.gc();
        Runtime rt = Runtime.getRuntime();
        return rt.totalMemory() - rt.freeMemory();
    }

    /**
     * In a JVM of its own with a 1 GB heap that exits on OutOfMemoryError, with 16 workers so
     * that only the memory budget (half the heap) bounds the decodes: 16 requests whose headers
     * promise 10 MB, then 16 progressive 6000 x 6000 JPEGs at once, each needing about 120 MB to
     * decode (libjpeg's coefficient buffer and the subsampled raster).
     */
    @Test
    @Timeout(300)
    void aFloodOfLargeProgressiveJpegsAtOneGigabyteOfHeapGets503Or4xxNeverA500() throws Exception {
        byte[] large = Jpegs.jpeg(Jpegs.photo(6000, 6000, 4), true);
        List<String> command = List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-Xmx1g",
                "-XX:+ExitOnOutOfMemoryError", "-Djava.awt.headless=true", "-cp",
                String.join(java.io.File.pathSeparator, IsolatedClasses.classPath()), ScaledService.class.getName(), "16");
        Process child = new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.DISCARD).start();
        try {
            BufferedReader lines = new BufferedReader(new InputStreamReader(child.getInputStream(), StandardCharsets.UTF_8));
            String line;
            int port = -1;
            while ((line = lines.readLine()) != null) {
                if (line.startsWith("port ")) {
                    port = Integer.parseInt(line.substring(5).trim());
                    break;
                }
            }
            assertThat(port).as("the child server's port").isPositive();
            List<Socket> promises = new ArrayList<>();
            for (int i = 0; i < 16; i++) {
                Socket s = new Socket("127.0.0.1", port);
                s.getOutputStream().write(("POST /api/caption HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: image/jpeg\r\n"
                        + "Content-Length: 10485760\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
                promises.add(s);
            }
            HttpClient client = HttpClient.newHttpClient();
            List<CompletableFuture<HttpResponse<String>>> all = new ArrayList<>();
            for (int i = 0; i < 16; i++) {
                all.add(client.sendAsync(request(port, large), HttpResponse.BodyHandlers.ofString()));
            }
            Map<Integer, Integer> statuses = new TreeMap<>();
            for (CompletableFuture<HttpResponse<String>> f : all) {
                HttpResponse<String> r = f.get(120, TimeUnit.SECONDS);
                statuses.merge(r.statusCode(), 1, Integer::sum);
                assertThat(r.statusCode()).as(r.body()).isNotEqualTo(500);
                assertThat(r.body()).containsAnyOf("\"error\"", "\"caption\"");
            }
            System.out.println("16 progressive 6000x6000 JPEGs at -Xmx1g: answers by status " + statuses);
            assertThat(statuses.keySet()).as("answered, refused busy, or refused for size; never 500")
                    .isSubsetOf(200, 413, 422, 503);
            assertThat(child.isAlive()).as("no OutOfMemoryError").isTrue();
            assertThat(healthSeconds(client, port)).isLessThan(1.0);
            for (Socket s : promises) {
                s.close();
            }
        } finally {
            child.getOutputStream().close();
            if (!child.waitFor(20, TimeUnit.SECONDS)) {
                child.destroyForcibly();
            }
        }
    }

    @Test
    void sixtyFourClientsWithPhoneSizedPhotosAllGet200() throws Exception {
        List<byte[]> photos = List.of(Jpegs.jpeg(Jpegs.photo(4000, 3000, 5), false),
                Jpegs.jpeg(Jpegs.photo(4600, 3450, 6), false), Jpegs.jpeg(Jpegs.photo(4000, 3000, 7), true));
        for (byte[] p : photos) {
            assertThat(p.length).as("a phone-sized file").isBetween(800_000, 3_000_000);
        }
        try (CaptionServer server = CaptionServer.start(new ScaledService(), ServeSpec.builder().port(0)
                .workers(2, 64).build())) {
            HttpClient client = HttpClient.newHttpClient();
            List<CompletableFuture<HttpResponse<String>>> all = new ArrayList<>();
            for (int i = 0; i < 64; i++) {
                all.add(client.sendAsync(request(server.port(), photos.get(i % photos.size())),
                        HttpResponse.BodyHandlers.ofString()));
            }
            Map<Integer, Integer> statuses = new TreeMap<>();
            for (CompletableFuture<HttpResponse<String>> f : all) {
                statuses.merge(f.get(120, TimeUnit.SECONDS).statusCode(), 1, Integer::sum);
            }
            assertThat(statuses).as("64 concurrent clients").isEqualTo(Map.of(200, 64));
        }
    }
}
