package dev.captioner.serve;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.captioner.Captioner;
import dev.captioner.testutil.Cli;
import dev.captioner.testutil.TinyPipeline;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A bounded, seeded fuzz test: a few hundred byte-level mutations (truncation, bit flips, header
 * edits, size fields set huge) of valid JPEG, PNG, GIF, BMP and WebP files, sent to the HTTP API
 * of a real (tiny) model and given to {@code captioner caption}. Every answer must be 200 or a
 * 4xx/503 with a JSON reason, the server must stay up, the heap bounded, and the command must
 * caption or report every file without stopping.
 */
class HostileInputFuzzTest {

    private static final long SEED = 20261127L;
    private static final int PER_FORMAT = 50;

    @TempDir
    static Path shared;

    static TinyPipeline p;
    static ModelService service;
    static CaptionServer server;
    static Map<String, byte[]> mutants;

    @BeforeAll
    static void start() throws Exception {
        p = TinyPipeline.build(shared);
        service = new ModelService(Captioner.load(p.model()));
        server = CaptionServer.start(service, ServeSpec.builder().port(0).maxUploadBytes(1 << 20)
                .workers(2, 64).maxPixels(2_000_000L).build());
        mutants = mutants();
    }

    @AfterAll
    static void stop() {
        server.close();
        service.close();
    }

    private static byte[] fixture(String name) throws Exception {
        try (InputStream in = HostileInputFuzzTest.class.getResourceAsStream("/fixtures/images/" + name)) {
            return in.readAllBytes();
        }
    }

    /** Every mutant, named by its format, number and what was done to it. */
    static Map<String, byte[]> mutants() throws Exception {
        Map<String, byte[]> out = new LinkedHashMap<>();
        Random random = new Random(SEED);
        // The 512-pixel photos are large enough that the test model's 32-pixel encoder lets the
        // server decode them smaller: their mutants reach the JPEG gate and, when it passes them,
        // libjpeg-turbo's scaled decode through OpenCV.
        Map<String, byte[]> bases = new LinkedHashMap<>();
        for (String base : List.of("baseline_123x77.jpg", "progressive_99x101.jpg", "rgb_37x23.png",
                "palette_40x30.gif", "rgb_70x41.bmp", "lossless_33x21.webp")) {
            bases.put(base, fixture(base));
        }
        bases.put("photo_512x384.jpg", dev.captioner.testutil.Jpegs.jpeg(dev.captioner.testutil.Jpegs.photo(512, 384, 11),
                false));
        bases.put("progressive_512x512.jpg", dev.captioner.testutil.Jpegs.jpeg(
                dev.captioner.testutil.Jpegs.photo(512, 512, 12), true));
        for (Map.Entry<String, byte[]> b : bases.entrySet()) {
            String base = b.getKey();
            byte[] valid = b.getValue();
            for (int i = 0; i < PER_FORMAT; i++) {
                int kind = random.nextInt(5);
                byte[] m = valid.clone();
                String what;
                switch (kind) {
                    case 0 -> {
                        m = java.util.Arrays.copyOf(valid, random.nextInt(valid.length));
                        what = "cut";
                    }
                    case 1 -> {
                        for (int f = 1 + random.nextInt(8); f > 0; f--) {
                            int at = random.nextInt(m.length);
                            m[at] ^= (byte) (1 << random.nextInt(8));
                        }
                        what = "bits";
                    }
                    case 2 -> {
                        for (int f = 1 + random.nextInt(6); f > 0; f--) {
                            m[random.nextInt(Math.min(64, m.length))] = (byte) random.nextInt(256);
                        }
                        what = "header";
                    }
                    case 3 -> {
                        // Size fields of the header set to large values.
                        int at = 4 + random.nextInt(Math.min(28, m.length - 6));
                        m[at] = (byte) 0x7F;
                        m[at + 1] = (byte) 0xFF;
                        what = "size";
                    }
                    default -> {
                        int from = random.nextInt(m.length);
                        int len = Math.min(m.length - from, 1 + random.nextInt(64));
                        byte[] grown = new byte[m.length + len];
                        System.arraycopy(m, 0, grown, 0, from + len);
                        System.arraycopy(m, from, grown, from + len, m.length - from);
                        m = grown;
                        what = "repeat";
                    }
                }
                out.put(String.format("%s.%03d.%s", base, i, what) + base.substring(base.lastIndexOf('.')), m);
            }
        }
        return out;
    }

    @Test
    void everyMutantGetsAnAnswerAndTheServerStaysUp() throws Exception {
        HttpClient client = HttpClient.newHttpClient();
        URI uri = URI.create("http://127.0.0.1:" + server.port() + "/api/caption");
        ObjectMapper json = new ObjectMapper();
        Map<Integer, Integer> statuses = new java.util.TreeMap<>();
        List<Map.Entry<String, byte[]>> all = new ArrayList<>(mutants.entrySet());
        long heapBefore = usedHeap();
        for (int i = 0; i < all.size(); i += 4) {
            List<CompletableFuture<HttpResponse<String>>> batch = new ArrayList<>();
            for (Map.Entry<String, byte[]> e : all.subList(i, Math.min(all.size(), i + 4))) {
                batch.add(client.sendAsync(HttpRequest.newBuilder(uri).header("Content-Type", "image/png")
                        .POST(HttpRequest.BodyPublishers.ofByteArray(e.getValue())).build(),
                        HttpResponse.BodyHandlers.ofString()));
            }
            for (int j = 0; j < batch.size(); j++) {
                HttpResponse<String> r = batch.get(j).get(60, TimeUnit.SECONDS);
                String name = all.get(i + j).getKey();
                assertThat(r.statusCode()).as(name + ": " + r.body()).isIn(200, 400, 413, 415, 422, 503);
                assertThat(json.readTree(r.body()).has(r.statusCode() == 200 ? "caption" : "error")).as(name).isTrue();
                statuses.merge(r.statusCode(), 1, Integer::sum);
            }
        }
        int native_ = reachingTheNativeDecoder(all);
        System.out.println("fuzz: " + all.size() + " mutants, answers by status " + statuses + ", " + native_
                + " passed the JPEG gate to libjpeg-turbo");
        assertThat(statuses).containsKeys(200, 400);
        assertThat(native_).as("mutants that reach the native decoder").isGreaterThan(5);
        HttpResponse<String> health = client.send(HttpRequest.newBuilder(
                URI.create("http://127.0.0.1:" + server.port() + "/api/health")).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(health.body()).contains("ok");
        assertThat(usedHeap() - heapBefore).as("heap held after the fuzz run").isLessThan(200L << 20);
    }

    /** @return how many of the large JPEG mutants the gate passes to libjpeg-turbo (read through its own class) */
    private static int reachingTheNativeDecoder(List<Map.Entry<String, byte[]>> all) throws Exception {
        Class<?> structure = Class.forName("dev.captioner.image.JpegStructure");
        java.lang.reflect.Method isJpeg = structure.getDeclaredMethod("isJpeg", byte[].class);
        java.lang.reflect.Method read = structure.getDeclaredMethod("read", byte[].class, long.class);
        java.lang.reflect.Method scalable = structure.getDeclaredMethod("scalable");
        for (java.lang.reflect.Method m : List.of(isJpeg, read, scalable)) {
            m.setAccessible(true);
        }
        int n = 0;
        for (Map.Entry<String, byte[]> e : all) {
            if (e.getKey().startsWith("photo_512") || e.getKey().startsWith("progressive_512")) {
                byte[] b = e.getValue();
                if ((boolean) isJpeg.invoke(null, (Object) b)
                        && (boolean) scalable.invoke(read.invoke(null, b, Long.MAX_VALUE))) {
                    n++;
                }
            }
        }
        return n;
    }

    /** Sends raw bytes on a fresh connection and reads until the server closes or the answer is whole. */
    private static String exchange(byte[] request) throws Exception {
        try (java.net.Socket s = new java.net.Socket("127.0.0.1", server.port())) {
            s.setSoTimeout(15_000);
            try {
                s.getOutputStream().write(request);
                s.getOutputStream().flush();
                s.shutdownOutput();
            } catch (java.io.IOException closedEarly) {
                // the server answered and closed before taking everything: read what it said
            }
            return new String(s.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.ISO_8859_1);
        }
    }

    @Test
    void malformedMultipartAndHeaderGarbageGetJsonErrorsNeverA500() throws Exception {
        Random random = new Random(SEED + 1);
        byte[] image = fixture("rgb_37x23.png");
        String boundary = "fuzzBoundary42";
        java.io.ByteArrayOutputStream valid = new java.io.ByteArrayOutputStream();
        valid.writeBytes(("--" + boundary + "\r\nContent-Disposition: form-data; name=\"image\"; filename=\"a.png\"\r\n"
                + "Content-Type: image/png\r\n\r\n").getBytes(java.nio.charset.StandardCharsets.ISO_8859_1));
        valid.writeBytes(image);
        valid.writeBytes(("\r\n--" + boundary + "--\r\n").getBytes(java.nio.charset.StandardCharsets.ISO_8859_1));
        byte[] form = valid.toByteArray();
        String[] types = {"multipart/form-data; boundary=" + boundary, "multipart/form-data; boundary=other",
            "multipart/form-data", "multipart/form-datax; boundary=" + boundary, "multipart/mixed; boundary=" + boundary,
            "image/png", "image/", "image/png/x", "text/html", ""};
        Map<Integer, Integer> statuses = new java.util.TreeMap<>();
        for (int i = 0; i < 120; i++) {
            String head;
            byte[] body;
            switch (i % 4) {
                case 0 -> {
                    // A multipart body with a few bytes of its headers or boundaries changed.
                    body = form.clone();
                    for (int f = 1 + random.nextInt(4); f > 0; f--) {
                        int at = random.nextBoolean() ? random.nextInt(160) : body.length - 1 - random.nextInt(30);
                        body[at] = (byte) (32 + random.nextInt(95));
                    }
                    head = "Content-Type: " + types[0] + "\r\n";
                }
                case 1 -> {
                    body = form;
                    head = "Content-Type: " + types[random.nextInt(types.length)] + "\r\n";
                }
                case 2 -> {
                    // Header lines of random printable and control bytes.
                    body = image;
                    StringBuilder h = new StringBuilder("Content-Type: image/png\r\n");
                    for (int k = 1 + random.nextInt(3); k > 0; k--) {
                        for (int c = random.nextInt(300); c > 0; c--) {
                            h.append((char) random.nextInt(random.nextInt(4) == 0 ? 32 : 127));
                        }
                        h.append("\r\n");
                    }
                    head = h.toString();
                }
                default -> {
                    body = image;
                    head = "Content-Type: image/png\r\nContent-Length: " + List.of("-1", "x", "99999999999999999999",
                            "12, 13", " 5").get(random.nextInt(5)) + "\r\n";
                }
            }
            String start = "POST /api/caption HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n" + head;
            if (!head.contains("Content-Length")) {
                start += "Content-Length: " + body.length + "\r\n";
            }
            java.io.ByteArrayOutputStream request = new java.io.ByteArrayOutputStream();
            request.writeBytes((start + "\r\n").getBytes(java.nio.charset.StandardCharsets.ISO_8859_1));
            request.writeBytes(body);
            String answer = exchange(request.toByteArray());
            assertThat(answer).as("case %d", i).startsWith("HTTP/1.1 ");
            int status = Integer.parseInt(answer.substring(9, 12));
            statuses.merge(status, 1, Integer::sum);
            assertThat(status).as("case %d: %s", i, answer).isIn(200, 400, 408, 413, 415, 422, 431, 503);
            String bodyText = answer.substring(answer.indexOf("\r\n\r\n") + 4);
            assertThat(answer.toLowerCase(java.util.Locale.ROOT)).as("case %d", i).contains("content-type: application/json");
            assertThat(new ObjectMapper().readTree(bodyText).has(status == 200 ? "caption" : "error")).as("case %d", i)
                    .isTrue();
        }
        System.out.println("fuzz: 120 malformed requests, answers by status " + statuses);
        assertThat(statuses).containsKeys(200, 400, 415);
    }

    @Test
    void captionReportsEveryBadFileAndCaptionsTheRest() throws Exception {
        Path dir = Files.createDirectories(shared.resolve("mutants"));
        for (Map.Entry<String, byte[]> e : mutants.entrySet()) {
            Files.write(dir.resolve(e.getKey()), e.getValue());
        }
        Files.copy(p.data().resolve("Flicker8k_Dataset/shapes_000001.jpg"), dir.resolve("zz_good.jpg"));
        Cli r = Cli.run("caption", "--model", p.model().toString(), "--max-pixels", "2000000", dir.toString());
        assertThat(r.status()).isEqualTo(1);
        long captioned = r.out().lines().count();
        long failed = r.err().lines().filter(l -> l.startsWith("error: ") && !l.contains("could not be captioned")).count();
        assertThat(captioned + failed).isEqualTo(mutants.size() + 1);
        assertThat(r.out()).contains("zz_good.jpg\t");
        assertThat(r.err()).doesNotContain("internal error").doesNotContain("\tat ").doesNotContain("EOFException");
        assertThat(r.err()).contains(failed + " of " + (mutants.size() + 1) + " images could not be captioned");
    }

    private static long usedHeap() {
        System.gc();
        Runtime rt = Runtime.getRuntime();
        return rt.totalMemory() - rt.freeMemory();
    }
}
