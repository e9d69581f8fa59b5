package dev.captioner.serve;

import dev.captioner.decode.DecodeOptions;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.time.Duration;

/**
 * Settings of {@code captioner serve}. Made with the eight-argument constructor (the production
 * limits then take their defaults) and the {@code with…} methods.
 *
 * @param host interface to bind (loopback by default)
 * @param port TCP port; 0 picks a free one
 * @param maxUploadBytes largest accepted request body
 * @param workers requests decoded (and, without batching, captioned) at once
 * @param queue requests that may wait for a worker before the server answers 503
 * @param beam default beam width
 * @param maxBeam largest beam a request may ask for
 * @param maxPixels largest image accepted, in pixels
 * @param maxBatch most concurrent requests captioned in one network call; 1 turns batching off
 *     (each worker then runs its own request)
 * @param batchWaitMs longest a request waits for others to join its batch
 * @param maxUploads request bodies read at once; more get 503 before their body is read
 * @param requestTimeout the longest a caption request may take, upload included: a slower
 *     upload gets 408, slower captioning 504
 * @param minUploadRate bytes per second an upload must keep up after its first second (408 if not)
 * @param decodeTimeout the longest one image may take to decode (422 if longer)
 * @param corsOrigin the one web origin allowed to call the API from a browser, or null for none
 * @param apiKey the key {@code /api/caption} and {@code /metrics} require as
 *     {@code Authorization: Bearer KEY}, or null for an open server
 */
public record ServeConfig(String host, int port, long maxUploadBytes, int workers, int queue, int beam, int maxBeam,
        long maxPixels, int maxBatch, int batchWaitMs, int maxUploads, Duration requestTimeout, long minUploadRate,
        Duration decodeTimeout, String corsOrigin, String apiKey) {

    /** Default batch: up to 8 requests, waiting at most 5 ms for company. */
    public static final int DEFAULT_MAX_BATCH = 8;
    /** Default wait for a batch to fill, in milliseconds. */
    public static final int DEFAULT_BATCH_WAIT_MS = 5;
    /** Default limit on an uploaded image's pixels: 40 megapixels, more than a 7000 × 5600 photo. */
    public static final long DEFAULT_MAX_PIXELS = 40_000_000L;
    /** Default deadline of a caption request: 30 s. */
    public static final Duration DEFAULT_REQUEST_TIMEOUT = Duration.ofSeconds(30);
    /** Default slowest upload after its first second: 16 KiB/s. */
    public static final long DEFAULT_MIN_UPLOAD_RATE = 16 * 1024;
    /** Default longest decode of one image: 10 s (a 12-megapixel JPEG takes about 0.15 s). */
    public static final Duration DEFAULT_DECODE_TIMEOUT = Duration.ofSeconds(10);

    /** Validates the settings. */
    public ServeConfig {
        if (host == null || host.isBlank()) {
            throw new IllegalArgumentException("host is required");
        }
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
        if (maxUploads < 1 || maxUploads > 10_000) {
            throw new IllegalArgumentException("max uploads must be between 1 and 10000, was " + maxUploads);
        }
        if (requestTimeout == null || requestTimeout.toMillis() < 100 || requestTimeout.toSeconds() > 3600) {
            throw new IllegalArgumentException("request timeout must be between 0.1 and 3600 s, was " + requestTimeout);
        }
        if (minUploadRate < 0) {
            throw new IllegalArgumentException("min upload rate must not be negative, was " + minUploadRate);
        }
        if (decodeTimeout == null || decodeTimeout.toMillis() < 10) {
            throw new IllegalArgumentException("decode timeout must be at least 10 ms, was " + decodeTimeout);
        }
        if (apiKey != null && apiKey.strip().length() < 16) {
            throw new IllegalArgumentException("an API key must have at least 16 characters");
        }
        apiKey = apiKey == null ? null : apiKey.strip();
    }

    /** Settings without batching, with the default production limits. */
    public ServeConfig(String host, int port, long maxUploadBytes, int workers, int queue, int beam, int maxBeam,
            long maxPixels) {
        this(host, port, maxUploadBytes, workers, queue, beam, maxBeam, maxPixels, 1, 0, 2 * workers,
                DEFAULT_REQUEST_TIMEOUT, DEFAULT_MIN_UPLOAD_RATE, DEFAULT_DECODE_TIMEOUT, null, null);
    }

    /**
     * @return loopback, port 8080, 10 MiB uploads, one worker per core, 64 waiting requests, greedy,
     *     beams up to 10, 40-megapixel images, batches of up to 8 requests waiting at most 5 ms, two
     *     uploads read per worker, 30 s per request, uploads at least 16 KiB/s, 10 s per decode
     */
    public static ServeConfig defaults() {
        int cores = Runtime.getRuntime().availableProcessors();
        return new ServeConfig("127.0.0.1", 8080, 10L << 20, cores, 64, 1, 10, DEFAULT_MAX_PIXELS)
                .withBatching(DEFAULT_MAX_BATCH, DEFAULT_BATCH_WAIT_MS);
    }

    /**
     * @param max most requests per network call (1: off)
     * @param waitMs longest wait for a batch to fill
     * @return a copy with that batching
     */
    public ServeConfig withBatching(int max, int waitMs) {
        return new ServeConfig(host, port, maxUploadBytes, workers, queue, beam, maxBeam, maxPixels, max, waitMs,
                maxUploads, requestTimeout, minUploadRate, decodeTimeout, corsOrigin, apiKey);
    }

    /**
     * @param uploads request bodies read at once
     * @param minRate bytes per second an upload must keep up after its first second
     * @param timeout the longest a caption request may take
     * @return a copy with those limits
     */
    public ServeConfig withUploadLimits(int uploads, long minRate, Duration timeout) {
        return new ServeConfig(host, port, maxUploadBytes, workers, queue, beam, maxBeam, maxPixels, maxBatch,
                batchWaitMs, uploads, timeout, minRate, decodeTimeout, corsOrigin, apiKey);
    }

    /**
     * @param timeout the longest one image may take to decode
     * @return a copy with that limit
     */
    public ServeConfig withDecodeTimeout(Duration timeout) {
        return new ServeConfig(host, port, maxUploadBytes, workers, queue, beam, maxBeam, maxPixels, maxBatch,
                batchWaitMs, maxUploads, requestTimeout, minUploadRate, timeout, corsOrigin, apiKey);
    }

    /**
     * @param origin the web origin allowed to call the API from a browser (e.g.
     *     {@code https://photos.example}), or null for none
     * @param key the API key, or null for an open server
     * @return a copy with that access
     */
    public ServeConfig withAccess(String origin, String key) {
        return new ServeConfig(host, port, maxUploadBytes, workers, queue, beam, maxBeam, maxPixels, maxBatch,
                batchWaitMs, maxUploads, requestTimeout, minUploadRate, decodeTimeout, origin, key);
    }

    /** @return whether {@link #host} is a loopback address (only this machine can connect) */
    public boolean loopback() {
        if (host.equalsIgnoreCase("localhost")) {
            return true;
        }
        try {
            return InetAddress.getByName(host).isLoopbackAddress();
        } catch (UnknownHostException e) {
            return false;
        }
    }

    /** The key never appears in logs or messages. */
    @Override
    public String toString() {
        return "ServeConfig[host=" + host + ", port=" + port + ", maxUploadBytes=" + maxUploadBytes + ", workers=" + workers
                + ", queue=" + queue + ", beam=" + beam + ", maxBeam=" + maxBeam + ", maxPixels=" + maxPixels
                + ", maxBatch=" + maxBatch + ", batchWaitMs=" + batchWaitMs + ", maxUploads=" + maxUploads
                + ", requestTimeout=" + requestTimeout + ", minUploadRate=" + minUploadRate + ", decodeTimeout="
                + decodeTimeout + ", corsOrigin=" + corsOrigin + ", apiKey=" + (apiKey == null ? "none" : "set") + "]";
    }
}
