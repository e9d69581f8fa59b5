package dev.captioner.serve;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.captioner.decode.Caption;
import dev.captioner.image.RgbImage;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * What a production model server owes its operators and its neighbours: every error JSON (Jetty's
 * own too), slow clients that cost nothing, deadlines, readiness, metrics Prometheus can read,
 * request ids, an API key, loopback-only host names, and an OpenAPI description that matches
 * the routes.
 */
class ProductionServeTest {

    private CaptionServer server;
    private final HttpClient client = HttpClient.newHttpClient();
    private final ObjectMapper json = new ObjectMapper();

    @AfterEach
    void stop() {
        if (server != null) {
            server.close();
        }
    }

    private static ServeSpec.Builder builder() {
        return ServeSpec.builder().port(0).maxUploadBytes(1 << 20).workers(2, 16).maxPixels(1_000_000).batching(1, 0);
    }

    private static ServeSpec config() {
        return builder().build();
    }

    private URI uri(String path) {
        return URI.create("http://127.0.0.1:" + server.port() + path);
    }

    private HttpResponse<String> get(String path, String... headers) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(uri(path)).timeout(Duration.ofSeconds(20));
        for (int i = 0; i < headers.length; i += 2) {
            b.header(headers[i], headers[i + 1]);
        }
        return client.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    private HttpResponse<String> post(String path, String type, byte[] body, String... headers) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(uri(path)).timeout(Duration.ofSeconds(20))
                .POST(HttpRequest.BodyPublishers.ofByteArray(body)).header("Content-Type", type);
        for (int i = 0; i < headers.length; i += 2) {
            b.header(headers[i], headers[i + 1]);
        }
        return client.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    /** An error: the status, JSON with {@code error} and {@code request_id}, the same id in the header. */
    private JsonNode error(HttpResponse<String> r, int status) throws Exception {
        assertThat(r.statusCode()).as(r.body()).isEqualTo(status);
        return jsonError(r.headers().firstValue("Content-Type").orElse(""), r.headers().firstValue("X-Request-Id")
                .orElse(null), r.body());
    }

    private JsonNode jsonError(String contentType, String requestId, String body) throws Exception {
        assertThat(contentType).startsWith("application/json");
        assertThat(body).doesNotContain("<html").doesNotContain("<h1").doesNotContain("\tat ");
        JsonNode b = json.readTree(body);
        assertThat(b.get("error").asText()).isNotBlank();
        assertThat(b.get("request_id").asText()).isNotBlank().isEqualTo(requestId);
        return b;
    }

    /** Sends raw bytes and reads the whole answer (the server closes after an error it found while parsing). */
    private String rawExchange(String request) throws Exception {
        try (Socket s = new Socket("127.0.0.1", server.port())) {
            s.setSoTimeout(10_000);
            s.getOutputStream().write(request.getBytes(StandardCharsets.ISO_8859_1));
            s.getOutputStream().flush();
            return new String(s.getInputStream().readAllBytes(), StandardCharsets.ISO_8859_1);
        }
    }

    private void rawError(String answer, int status) throws Exception {
        assertThat(answer).startsWith("HTTP/1.1 " + status);
        int split = answer.indexOf("\r\n\r\n");
        String head = answer.substring(0, split).toLowerCase(java.util.Locale.ROOT);
        String contentType = head.lines().filter(l -> l.startsWith("content-type:")).findFirst().orElse("")
                .substring("content-type:".length()).strip();
        String id = answer.substring(0, split).lines().filter(l -> l.toLowerCase(java.util.Locale.ROOT)
                .startsWith("x-request-id:")).findFirst().orElse(":").split(":", 2)[1].strip();
        jsonError(contentType, id, answer.substring(split + 4));
    }

    @Test
    void everyBadRequestIsA4xxJsonErrorJettysOwnIncluded() throws Exception {
        server = CaptionServer.start(new CaptionServerTest.FakeService(0), config());
        // A near-miss of the multipart type is not multipart: 415, never Jetty's 500.
        error(post("/api/caption", "multipart/form-datax; boundary=b", "x".getBytes(StandardCharsets.UTF_8)), 415);
        // Multipart without a boundary, and with malformed part headers: 400, not 413.
        error(post("/api/caption", "multipart/form-data", new byte[] {1}), 400);
        byte[] broken = ("--b\r\nContent-Disposition form-data name=image\r\n\r\nxyz\r\n--b--\r\n")
                .getBytes(StandardCharsets.UTF_8);
        assertThat(error(post("/api/caption", "multipart/form-data; boundary=b", broken), 400).get("error").asText())
                .contains("multipart");
        // A 20 KB header line: 431.
        rawError(rawExchange("GET /api/health HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Big: " + "a".repeat(20_000) + "\r\n\r\n"),
                431);
        // An ambiguous path (what curl --path-as-is sends): 400.
        rawError(rawExchange("GET /%2e%2e/%2e%2e/etc/passwd HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n"),
                400);
        rawError(rawExchange("GET /api/%2fhealth HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n"), 400);
        // A request line too long: 414; an HTTP version that does not exist: 505; a bad length: 400.
        rawError(rawExchange("GET /" + "a".repeat(20_000) + " HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n"), 414);
        rawError(rawExchange("GET /api/health HTTP/7.3\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n"), 505);
        rawError(rawExchange("POST /api/caption HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: x\r\n"
                + "Connection: close\r\n\r\n"), 400);
        // Unknown routes and methods.
        error(get("/api/files?path=/etc/passwd"), 404);
        error(get("/nothing-here.html"), 404);
        error(client.send(HttpRequest.newBuilder(uri("/api/caption")).build(), HttpResponse.BodyHandlers.ofString()), 405);
        // The server still works.
        assertThat(post("/api/caption", "image/png", CaptionServerTest.png(8, 8)).statusCode()).isEqualTo(200);
    }

    @Test
    void requestIdsAreHonouredOrMadeAndEchoed() throws Exception {
        server = CaptionServer.start(new CaptionServerTest.FakeService(0), config());
        HttpResponse<String> given = get("/api/health", "X-Request-Id", "abc-123");
        assertThat(given.headers().firstValue("X-Request-Id")).hasValue("abc-123");
        HttpResponse<String> made = get("/api/health");
        assertThat(made.headers().firstValue("X-Request-Id").orElse("")).hasSize(36);
        HttpResponse<String> insane = get("/api/health", "X-Request-Id", "a b\tc");
        assertThat(insane.headers().firstValue("X-Request-Id").orElse("")).hasSize(36);
        JsonNode e = error(post("/api/caption", "text/plain", new byte[] {1}, "X-Request-Id", "req-42"), 415);
        assertThat(e.get("request_id").asText()).isEqualTo("req-42");
    }

    @Test
    void aLoopbackServerAnswersOnlyLoopbackNames() throws Exception {
        server = CaptionServer.start(new CaptionServerTest.FakeService(0), config());
        // What a page on another site reaches after rebinding its own name to 127.0.0.1.
        String answer = rawExchange("GET /api/model HTTP/1.1\r\nHost: evil.example:" + server.port()
                + "\r\nConnection: close\r\n\r\n");
        rawError(answer, 403);
        for (String host : List.of("localhost", "127.0.0.1", "[::1]")) {
            assertThat(rawExchange("GET /api/health HTTP/1.1\r\nHost: " + host + ":" + server.port()
                    + "\r\nConnection: close\r\n\r\n")).as(host).startsWith("HTTP/1.1 200");
        }
    }

    @Test
    void withAKeyTheApiNeedsItAndHealthDoesNot() throws Exception {
        String key = "k-0123456789abcdef-secret";
        server = CaptionServer.start(new CaptionServerTest.FakeService(0), builder().access(key, null).build());
        byte[] png = CaptionServerTest.png(8, 8);
        HttpResponse<String> none = post("/api/caption", "image/png", png);
        error(none, 401);
        assertThat(none.headers().firstValue("WWW-Authenticate").orElse("")).startsWith("Bearer");
        error(post("/api/caption", "image/png", png, "Authorization", "Bearer wrong-key-0123456789"), 401);
        error(post("/api/caption", "image/png", png, "Authorization", "Basic " + key), 401);
        assertThat(post("/api/caption", "image/png", png, "Authorization", "Bearer " + key).statusCode()).isEqualTo(200);
        error(get("/metrics"), 401);
        assertThat(get("/metrics", "Authorization", "Bearer " + key).statusCode()).isEqualTo(200);
        assertThat(get("/api/health").statusCode()).isEqualTo(200);
        assertThat(get("/api/ready").statusCode()).isEqualTo(200);
        assertThat(builder().access(key, null).build().toString()).doesNotContain(key);
    }

    @Test
    void readinessFollowsLoadingAndDraining() throws Exception {
        CountDownLatch release = new CountDownLatch(1);
        server = CaptionServer.startLoading(() -> {
            release.await(20, TimeUnit.SECONDS);
            return new CaptionServerTest.FakeService(0);
        }, config());
        assertThat(get("/api/health").statusCode()).isEqualTo(200);
        HttpResponse<String> loading = get("/api/ready");
        assertThat(loading.statusCode()).isEqualTo(503);
        assertThat(json.readTree(loading.body()).get("status").asText()).isEqualTo("loading");
        error(post("/api/caption", "image/png", CaptionServerTest.png(8, 8)), 503);
        release.countDown();
        server.awaitLoaded();
        assertThat(get("/api/ready").statusCode()).isEqualTo(200);
        assertThat(post("/api/caption", "image/png", CaptionServerTest.png(8, 8)).statusCode()).isEqualTo(200);
    }

    @Test
    void readinessSaysStoppingWhileDraining() throws Exception {
        CaptionServerTest.FakeService slow = new CaptionServerTest.FakeService(2000);
        server = CaptionServer.start(slow, config());
        try (Socket keepAlive = new Socket("127.0.0.1", server.port())) {
            keepAlive.setSoTimeout(10_000);
            var inFlight = client.sendAsync(HttpRequest.newBuilder(uri("/api/caption")).header("Content-Type", "image/png")
                    .POST(HttpRequest.BodyPublishers.ofByteArray(CaptionServerTest.png(8, 8))).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(slow.entered.await(10, TimeUnit.SECONDS)).isTrue();
            CaptionServer s = server;
            Thread stopper = new Thread(() -> s.stopGracefully(Duration.ofSeconds(10)));
            stopper.start();
            Thread.sleep(200);
            // On the connection opened before the stop, readiness now says stopping.
            OutputStream out = keepAlive.getOutputStream();
            out.write("GET /api/ready HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n"
                    .getBytes(StandardCharsets.US_ASCII));
            out.flush();
            String answer = new String(keepAlive.getInputStream().readAllBytes(), StandardCharsets.US_ASCII);
            assertThat(answer).startsWith("HTTP/1.1 503");
            assertThat(inFlight.get(20, TimeUnit.SECONDS).statusCode()).isEqualTo(200);
            stopper.join(15_000);
        }
        server = null;
    }

    @Test
    void aStuckModelFailsItsRequestsByTheDeadlineNotTheServer() throws Exception {
        CountDownLatch never = new CountDownLatch(1);
        CaptionService stuck = new CaptionService() {
            @Override
            public List<Caption> caption(RgbImage image, int beam) {
                try {
                    never.await();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
                return List.of();
            }

            @Override
            public Map<String, Object> describe() {
                return Map.of();
            }
        };
        server = CaptionServer.start(stuck, builder().timeouts(Duration.ofMillis(800), 16 * 1024,
                ServeSpec.DEFAULT_DECODE_TIMEOUT).build());
        long start = System.nanoTime();
        JsonNode e = error(post("/api/caption", "image/png", CaptionServerTest.png(8, 8)), 504);
        assertThat(e.get("error").asText()).contains("request timeout");
        assertThat((System.nanoTime() - start) / 1e6).isBetween(700.0, 5000.0);
        assertThat(get("/api/health").statusCode()).isEqualTo(200);
        never.countDown();
    }

    /** Opens a connection that sends headers for a body of {@code length} bytes and then {@code sent} of them. */
    private Socket slowUpload(int length, int sent) throws Exception {
        Socket s = new Socket("127.0.0.1", server.port());
        s.setSoTimeout(15_000);
        OutputStream out = s.getOutputStream();
        out.write(("POST /api/caption HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: image/png\r\nContent-Length: " + length
                + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
        out.write(new byte[sent]);
        out.flush();
        return s;
    }

    private static String answer(Socket s) throws Exception {
        InputStream in = s.getInputStream();
        return new String(in.readAllBytes(), StandardCharsets.ISO_8859_1);
    }

    @Test
    void anUploadBelowTheMinimumRateGets408AndNoSlotIsHeldForLong() throws Exception {
        server = CaptionServer.start(new CaptionServerTest.FakeService(0), config());
        long start = System.nanoTime();
        try (Socket slow = slowUpload(100_000, 10)) {
            String a = answer(slow);
            assertThat((System.nanoTime() - start) / 1e9).as("answered soon after the first second").isBetween(0.9, 5.0);
            rawError(a, 408);
            assertThat(a).contains("slower than the minimum");
        }
    }

    @Test
    void aRequestFindingTheQueueFullIs503BeforeItsBodyIsRead() throws Exception {
        // One worker, one place in the queue, both taken by captions that take 1.5 s.
        server = CaptionServer.start(new CaptionServerTest.FakeService(1500), builder().workers(1, 1).build());
        List<CompletableFuture<HttpResponse<String>>> busy = new ArrayList<>();
        for (int i = 0; i < 2; i++) {
            busy.add(HttpClient.newHttpClient().sendAsync(HttpRequest.newBuilder(uri("/api/caption"))
                    .header("Content-Type", "image/png").POST(HttpRequest.BodyPublishers.ofByteArray(
                            CaptionServerTest.png(8, 8))).build(), HttpResponse.BodyHandlers.ofString()));
            Thread.sleep(200);
        }
        // Headers promising a body that never comes: refused at once, from the headers.
        try (Socket waiting = slowUpload(100_000, 0)) {
            String a = answer(waiting);
            rawError(a, 503);
            assertThat(a).containsIgnoringCase("Retry-After");
        }
        assertThat(get("/api/health").statusCode()).isEqualTo(200);
        for (CompletableFuture<HttpResponse<String>> f : busy) {
            assertThat(f.get(10, TimeUnit.SECONDS).statusCode()).isEqualTo(200);
        }
    }

    @Test
    void twoHundredSlowUploadsStopNeitherHealthNorANormalCaption() throws Exception {
        // Slow uploads take no place in the queue; each holds a connection (under the default
        // cap of 256) until the minimum rate, the default 16 KiB/s, cuts it off after a second.
        server = CaptionServer.start(new CaptionServerTest.FakeService(0), config());
        long heapBefore = usedHeap();
        List<Socket> slow = new ArrayList<>();
        try {
            for (int i = 0; i < 200; i++) {
                slow.add(slowUpload(500_000, 1));
            }
            Thread trickle = new Thread(() -> {
                // One byte every 10 s on every connection still open.
                try {
                    Thread.sleep(10_000);
                    for (Socket s : slow) {
                        s.getOutputStream().write(0);
                    }
                } catch (Exception ignored) {
                    // the server closed it, or the test ended
                }
            });
            trickle.setDaemon(true);
            trickle.start();
            Thread.sleep(300);
            for (int round = 0; round < 3; round++) {
                long t0 = System.nanoTime();
                assertThat(get("/api/health").statusCode()).isEqualTo(200);
                assertThat((System.nanoTime() - t0) / 1e9).as("health, round " + round).isLessThan(1.0);
                long t1 = System.nanoTime();
                HttpResponse<String> caption = post("/api/caption", "image/png", CaptionServerTest.png(8, 8));
                assertThat(caption.statusCode()).as(caption.body()).isEqualTo(200);
                assertThat((System.nanoTime() - t1) / 1e9).as("a normal caption, round " + round).isLessThan(1.0);
                Thread.sleep(400);
            }
            int answered = 0;
            for (Iterator<Socket> it = slow.iterator(); it.hasNext();) {
                Socket s = it.next();
                s.setSoTimeout(5_000);
                String a = answer(s);
                if (a.startsWith("HTTP/1.1 408")) {
                    answered++;
                }
            }
            assertThat(answered).as("slow uploads cut off for their rate").isEqualTo(200);
            assertThat(usedHeap() - heapBefore).as("heap held").isLessThan(64L << 20);
        } finally {
            for (Socket s : slow) {
                s.close();
            }
        }
    }

    private static long usedHeap() {
        System.gc();
        Runtime rt = Runtime.getRuntime();
        return rt.totalMemory() - rt.freeMemory();
    }

    @Test
    void aConnectionThatTricklesItsHeadersIsClosedAtTheHeaderTimeout() throws Exception {
        server = CaptionServer.start(new CaptionServerTest.FakeService(0),
                builder().connections(ServeSpec.DEFAULT_MAX_CONNECTIONS, Duration.ofSeconds(1)).build());
        try (Socket s = new Socket("127.0.0.1", server.port())) {
            s.setSoTimeout(10_000);
            OutputStream out = s.getOutputStream();
            long start = System.nanoTime();
            byte[] header = "GET /api/health HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
                    .getBytes(StandardCharsets.US_ASCII);
            boolean closed = false;
            for (byte b : header) {
                try {
                    out.write(b);
                    out.flush();
                } catch (java.io.IOException e) {
                    closed = true;
                    break;
                }
                Thread.sleep(100); // each byte well within Jetty's idle timeout
                if (s.getInputStream().available() < 0) {
                    break;
                }
            }
            if (!closed) {
                closed = s.getInputStream().read() < 0;
            }
            double seconds = (System.nanoTime() - start) / 1e9;
            assertThat(closed).as("the connection was closed").isTrue();
            assertThat(seconds).as("closed at the header timeout, not after the whole trickle").isBetween(0.9, 4.5);
        }
        // A prompt request on a new connection is answered as ever.
        assertThat(get("/api/health").statusCode()).isEqualTo(200);
    }

    @Test
    void connectionsBeyondTheLimitWaitUntilOneCloses() throws Exception {
        server = CaptionServer.start(new CaptionServerTest.FakeService(0),
                builder().connections(4, ServeSpec.DEFAULT_HEADER_TIMEOUT).build());
        List<Socket> idle = new ArrayList<>();
        try {
            for (int i = 0; i < 4; i++) {
                idle.add(new Socket("127.0.0.1", server.port()));
            }
            Thread.sleep(200);
            try (Socket fifth = new Socket("127.0.0.1", server.port())) {
                fifth.getOutputStream().write("GET /api/health HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n"
                        .getBytes(StandardCharsets.US_ASCII));
                fifth.setSoTimeout(800);
                assertThatWaits(fifth);
                idle.remove(0).close();
                fifth.setSoTimeout(5_000);
                assertThat(answer(fifth)).startsWith("HTTP/1.1 200");
            }
        } finally {
            for (Socket s : idle) {
                s.close();
            }
        }
    }

    private static void assertThatWaits(Socket s) throws Exception {
        try {
            int b = s.getInputStream().read();
            throw new AssertionError("answered beyond the connection limit (first byte " + b + ")");
        } catch (java.net.SocketTimeoutException expected) {
            // not accepted yet: it waits in the backlog
        }
    }
}
