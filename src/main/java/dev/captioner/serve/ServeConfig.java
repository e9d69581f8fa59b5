package dev.captioner.serve;

import dev.captioner.decode.DecodeOptions;

/**
 * Settings of {@code captioner serve}.
 *
 * @param host interface to bind (loopback by default)
 * @param port TCP port; 0 picks a free one
 * @param maxUploadBytes largest accepted request body
 * @param workers requests captioned at once
 * @param queue requests that may wait for a worker before the server answers 503
 * @param beam default beam width
 * @param maxBeam largest beam a request may ask for
 * @param maxPixels largest image accepted, in pixels
 * @param maxBatch most concurrent requests captioned in one network call; 1 turns batching off
 *     (each worker then runs its own request)
 * @param batchWaitMs longest a request waits for others to join its batch
 */
public record ServeConfig(String host, int port, long maxUploadBytes, int workers, int queue, int beam, int maxBeam,
        long maxPixels, int maxBatch, int batchWaitMs) {

    /** Default batch: up to 8 requests, waiting at most 5 ms for company. */
    public static final int DEFAULT_MAX_BATCH = 8;
    /** Default wait for a batch to fill, in milliseconds. */
    public static final int DEFAULT_BATCH_WAIT_MS = 5;

    /** Default limit on an uploaded image's pixels: 40 megapixels, more than a 7000 × 5600 photo. */
    public static final long DEFAULT_MAX_PIXELS = 40_000_000L;

    /** Validates the settings. */
    public ServeConfig {
        if (port < 0 || port > 65535) {
            throw new IllegalArgumentException("port must be between 0 and 65535, was " + port);
        }
        if (maxUploadBytes < 1) {
            throw new IllegalArgumentException("max upload must be positive");
        }
        if (workers < 1 || workers > 256 || queue < 0) {
            throw new IllegalArgumentException("workers must be between 1 and 256 and queue non-negative");
        }
        if (beam < 1 || beam > maxBeam || maxBeam > DecodeOptions.MAX_BEAM) {
            throw new IllegalArgumentException("beam must be between 1 and " + maxBeam + ", was " + beam);
        }
        if (maxPixels < 1) {
            throw new IllegalArgumentException("max pixels must be positive, was " + maxPixels);
        }
        if (maxBatch < 1 || maxBatch > 256) {
            throw new IllegalArgumentException("max batch must be between 1 and 256, was " + maxBatch);
        }
        if (batchWaitMs < 0 || batchWaitMs > 1000) {
            throw new IllegalArgumentException("batch wait must be between 0 and 1000 ms, was " + batchWaitMs);
        }
    }

    /** Settings without batching. */
    public ServeConfig(String host, int port, long maxUploadBytes, int workers, int queue, int beam, int maxBeam,
            long maxPixels) {
        this(host, port, maxUploadBytes, workers, queue, beam, maxBeam, maxPixels, 1, 0);
    }

    /**
     * @param max most requests per network call (1: off)
     * @param waitMs longest wait for a batch to fill
     * @return a copy with that batching
     */
    public ServeConfig withBatching(int max, int waitMs) {
        return new ServeConfig(host, port, maxUploadBytes, workers, queue, beam, maxBeam, maxPixels, max, waitMs);
    }

    /**
     * @return loopback, port 8080, 10 MiB uploads, one worker per core, 64 waiting requests, greedy,
     *     beams up to 10, 40-megapixel images, batches of up to 8 requests waiting at most 5 ms
     */
    public static ServeConfig defaults() {
        int cores = Runtime.getRuntime().availableProcessors();
        return new ServeConfig("127.0.0.1", 8080, 10L << 20, cores, 64, 1, 10, DEFAULT_MAX_PIXELS, DEFAULT_MAX_BATCH,
                DEFAULT_BATCH_WAIT_MS);
    }
}
