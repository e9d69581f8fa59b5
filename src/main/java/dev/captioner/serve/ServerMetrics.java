package dev.captioner.serve;

import io.prometheus.metrics.core.metrics.Counter;
import io.prometheus.metrics.core.metrics.Gauge;
import io.prometheus.metrics.core.metrics.GaugeWithCallback;
import io.prometheus.metrics.core.metrics.Histogram;
import io.prometheus.metrics.expositionformats.PrometheusTextFormatWriter;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.function.DoubleSupplier;

/**
 * What {@code GET /metrics} reports, in Prometheus' text format (with Prometheus' own Java
 * client): requests by route, method and status; request latency; the latency of each stage of
 * a caption (image decoding, the encoder, the caption search); batch sizes; and gauges of the
 * queue, the uploads being read, the memory budget in use and the model's load time. Every name
 * starts with {@code captioner_}.
 */
final class ServerMetrics {

    /** Content type of the exposition. */
    static final String CONTENT_TYPE = PrometheusTextFormatWriter.CONTENT_TYPE;

    private static final double[] SECONDS = {0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30};

    private final PrometheusRegistry registry = new PrometheusRegistry();
    private final Counter requests = Counter.builder().name("captioner_http_requests_total")
            .help("HTTP requests answered, by route, method and status").labelNames("route", "method", "status")
            .register(registry);
    private final Histogram latency = Histogram.builder().name("captioner_http_request_duration_seconds")
            .help("Time from a request's headers to its answer, by route").labelNames("route").classicOnly()
            .classicUpperBounds(SECONDS).register(registry);
    private final Histogram stages = Histogram.builder().name("captioner_stage_duration_seconds")
            .help("Time of each stage of captioning: decode (the image file), encode (the image network), caption "
                    + "(the caption search); a batch's encode and caption count once per batch")
            .labelNames("stage").classicOnly().classicUpperBounds(SECONDS).register(registry);
    private final Histogram batches = Histogram.builder().name("captioner_batch_size")
            .help("Images per network call").classicOnly().classicUpperBounds(1, 2, 4, 8, 16, 32, 64, 128, 256)
            .register(registry);
    private final Gauge modelLoad = Gauge.builder().name("captioner_model_load_seconds")
            .help("How long the model took to load (0 until it has)").register(registry);

    /**
     * @param queueDepth requests waiting for a worker or a batch
     * @param uploads request bodies being read
     * @param bytesInUse bytes the memory budget has lent out
     * @param bytesCapacity the memory budget's size
     */
    ServerMetrics(DoubleSupplier queueDepth, DoubleSupplier uploads, DoubleSupplier bytesInUse, double bytesCapacity) {
        gauge("captioner_queue_depth", "Caption requests waiting for a worker or a batch", queueDepth);
        gauge("captioner_uploads_in_flight", "Request bodies being read", uploads);
        gauge("captioner_memory_budget_in_use_bytes", "Bytes held now by uploads, decoders and decoded images, out of "
                + "the budget", bytesInUse);
        gauge("captioner_memory_budget_capacity_bytes", "Bytes uploads, decoders and decoded images may hold at once",
                () -> bytesCapacity);
    }

    private void gauge(String name, String help, DoubleSupplier value) {
        GaugeWithCallback.builder().name(name).help(help).callback(cb -> cb.call(value.getAsDouble())).register(registry);
    }

    /**
     * @param route the matched route, or {@code other}
     * @param method the request's method
     * @param status the answer's status
     * @param seconds how long it took
     */
    void request(String route, String method, int status, double seconds) {
        requests.labelValues(route, method, String.valueOf(status)).inc();
        latency.labelValues(route).observe(seconds);
    }

    /**
     * @param stage decode, encode or caption
     * @param seconds how long it took
     */
    void stage(String stage, double seconds) {
        stages.labelValues(stage).observe(seconds);
    }

    /** @param images images in a network call */
    void batch(int images) {
        batches.observe(images);
    }

    /** @param seconds how long the model took to load */
    void modelLoaded(double seconds) {
        modelLoad.set(seconds);
    }

    /** @return every metric in Prometheus' text format */
    byte[] scrape() {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try {
            PrometheusTextFormatWriter.create().write(out, registry.scrape());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toByteArray();
    }
}
