package dev.captioner.bench;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A bounded load on {@code POST /api/caption}: a fixed number of requests from a fixed number of
 * concurrent clients, then it stops. Reports failures and latency percentiles.
 */
public final class ServeLoad {

    /**
     * What the load saw.
     *
     * @param requests requests sent
     * @param concurrency clients at once
     * @param failures requests that did not get 200
     * @param p50Ms median latency
     * @param p95Ms 95th percentile latency
     * @param maxMs slowest request
     * @param seconds wall time
     * @param requestsPerSecond answered requests (200) per second
     */
    public record Result(int requests, int concurrency, int failures, double p50Ms, double p95Ms, double maxMs,
            double seconds, double requestsPerSecond) {}

    private ServeLoad() {}

    /**
     * @param endpoint the caption endpoint
     * @param image the image to send, as the raw body
     * @param contentType its media type
     * @param requests how many
     * @param concurrency how many at once
     * @return latencies and failures
     */
    public static Result run(URI endpoint, byte[] image, String contentType, int requests, int concurrency)
            throws Exception {
        HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();
        AtomicInteger next = new AtomicInteger();
        AtomicInteger failures = new AtomicInteger();
        List<Double> latencies = Collections.synchronizedList(new ArrayList<>());
        ExecutorService pool = Executors.newFixedThreadPool(concurrency);
        long start = System.nanoTime();
        try {
            List<Future<?>> clients = new ArrayList<>();
            for (int c = 0; c < concurrency; c++) {
                clients.add(pool.submit(() -> {
                    while (next.getAndIncrement() < requests) {
                        HttpRequest req = HttpRequest.newBuilder(endpoint).timeout(Duration.ofSeconds(60))
                                .header("Content-Type", contentType).POST(HttpRequest.BodyPublishers.ofByteArray(image))
                                .build();
                        long t = System.nanoTime();
                        try {
                            HttpResponse<String> r = client.send(req, HttpResponse.BodyHandlers.ofString());
                            if (r.statusCode() != 200) {
                                failures.incrementAndGet();
                            }
                        } catch (Exception e) {
                            failures.incrementAndGet();
                        }
                        latencies.add((System.nanoTime() - t) / 1e6);
                    }
                    return null;
                }));
            }
            for (Future<?> f : clients) {
                f.get();
            }
        } finally {
            pool.shutdownNow();
        }
        double seconds = (System.nanoTime() - start) / 1e9;
        List<Double> sorted = new ArrayList<>(latencies);
        Collections.sort(sorted);
        return new Result(requests, concurrency, failures.get(), percentile(sorted, 0.5), percentile(sorted, 0.95),
                sorted.isEmpty() ? 0 : sorted.get(sorted.size() - 1), seconds, (requests - failures.get()) / seconds);
    }

    private static double percentile(List<Double> sorted, double q) {
        if (sorted.isEmpty()) {
            return 0;
        }
        int i = (int) Math.ceil(q * sorted.size()) - 1;
        return sorted.get(Math.max(0, Math.min(sorted.size() - 1, i)));
    }
}
