package dev.captioner.serve;

import dev.captioner.decode.DecodeSpec;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.time.Duration;

/**
 * Settings of {@code captioner serve}, in four groups. Made with {@link #builder()}, which starts
 * from the production defaults.
 *
 * @param network where to listen and how many connections to hold
 * @param work how requests are run: workers, the queue, batching, the beam
 * @param limits what one request, and all of them together, may cost
 * @param access who may call: the API key and the one web origin
 */
public record ServeSpec(Network network, Work work, Limits limits, Access access) {

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
    /** Default most connections held open at once. */
    public static final int DEFAULT_MAX_CONNECTIONS = 256;
    /** Default time a connection has to send a request's headers. */
    public static final Duration DEFAULT_HEADER_TIMEOUT = Duration.ofSeconds(10);

    /** Validates the settings. */
    public ServeSpec {
        if (network == null || work == null || limits == null || access == null) {
            throw new IllegalArgumentException("every group of settings is required");
        }
    }

    /**
     * @param host interface to bind (loopback by default)
     * @param port TCP port; 0 picks a free one
     * @param maxConnections most connections held open at once; more wait in the kernel's backlog
     * @param headerTimeout how long a connection has to send a request's headers, from its opening
     *     or its previous answer, before it is closed
     */
    public record Network(String host, int port, int maxConnections, Duration headerTimeout) {
        /** Validates the settings. */
        public Network {
            if (host == null || host.isBlank()) {
                throw new IllegalArgumentException("host is required");
            }
            if (port < 0 || port > 65535) {
                throw new IllegalArgumentException("port must be between 0 and 65535, was " + port);
            }
            if (maxConnections < 1 || maxConnections > 100_000) {
                throw new IllegalArgumentException("max connections must be between 1 and 100000, was " + maxConnections);
            }
            if (headerTimeout == null || headerTimeout.toMillis() < 100 || headerTimeout.toSeconds() > 3600) {
                throw new IllegalArgumentException("header timeout must be between 0.1 and 3600 s, was " + headerTimeout);
            }
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
    }

    /**
     * @param workers requests decoded (and, without batching, captioned) at once
     * @param queue requests that may wait for a worker before the server answers 503
     * @param maxBatch most concurrent requests captioned in one network call; 1 turns batching off
     * @param batchWaitMs longest a request waits for others to join its batch
     * @param beam default beam width
     * @param maxBeam largest beam a request may ask for
     */
    public record Work(int workers, int queue, int maxBatch, int batchWaitMs, int beam, int maxBeam) {
        /** Validates the settings. */
        public Work {
            if (workers < 1 || workers > 256 || queue < 0) {
                throw new IllegalArgumentException("workers must be between 1 and 256 and queue non-negative");
            }
            if (maxBatch < 1 || maxBatch > 256) {
                throw new IllegalArgumentException("max batch must be between 1 and 256, was " + maxBatch);
            }
            if (batchWaitMs < 0 || batchWaitMs > 1000) {
                throw new IllegalArgumentException("batch wait must be between 0 and 1000 ms, was " + batchWaitMs);
            }
            DecodeSpec.requireBeam(maxBeam);
            if (DecodeSpec.requireBeam(beam) > maxBeam) {
                throw new IllegalArgumentException("beam must be between 1 and " + maxBeam + ", was " + beam);
            }
        }

        /** @return caption requests that may be waiting for or in a batch at once */
        public int batchable() {
            return workers * maxBatch + queue;
        }
    }

    /**
     * @param maxUploadBytes largest accepted request body
     * @param maxPixels largest image accepted, in pixels
     * @param memoryBytes bytes that uploads and decodes may hold at once; 0 for half the heap
     * @param requestTimeout the longest a caption request may take, upload included: a slower
     *     upload gets 408, slower captioning 504
     * @param minUploadRate bytes per second an upload must keep up after its first second (408 if not)
     * @param decodeTimeout the longest one image may take to decode (422 if longer)
     */
    public record Limits(long maxUploadBytes, long maxPixels, long memoryBytes, Duration requestTimeout,
            long minUploadRate, Duration decodeTimeout) {
        /** Validates the settings. */
        public Limits {
            if (maxUploadBytes < 1 || maxUploadBytes > Integer.MAX_VALUE - 8) {
                throw new IllegalArgumentException("max upload must be between 1 byte and 2 GB, was " + maxUploadBytes);
            }
            if (maxPixels < 1) {
                throw new IllegalArgumentException("max pixels must be positive, was " + maxPixels);
            }
            if (memoryBytes < 0) {
                throw new IllegalArgumentException("memory budget must not be negative, was " + memoryBytes);
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
        }
    }

    /**
     * @param apiKey the key every route but the open ones requires as
     *     {@code Authorization: Bearer KEY}, or null for an open server
     * @param corsOrigin the one web origin allowed to call the API from a browser, or null for none
     */
    public record Access(String apiKey, String corsOrigin) {
        /** Validates the settings. */
        public Access {
            if (apiKey != null && apiKey.strip().length() < 16) {
                throw new IllegalArgumentException("an API key must have at least 16 characters");
            }
            apiKey = apiKey == null ? null : apiKey.strip();
        }

        /** The key never appears in logs or messages. */
        @Override
        public String toString() {
            return "Access[apiKey=" + (apiKey == null ? "none" : "set") + ", corsOrigin=" + corsOrigin + "]";
        }
    }

    /** @return a builder at the production defaults (see {@link Builder}) */
    public static Builder builder() {
        return new Builder();
    }

    /** @return the production defaults */
    public static ServeSpec defaults() {
        return builder().build();
    }

    /**
     * Builds a {@link ServeSpec}. Defaults: loopback port 8080, 256 connections, 10 s for
     * headers; one worker per core, 64 waiting requests, batches of up to 8 requests waiting at
     * most 5 ms, greedy, beams up to 10; 10 MiB uploads, 40-megapixel images, half the heap for
     * uploads and decodes, 30 s per request, uploads at least 16 KiB/s, 10 s per decode; no key,
     * no CORS origin.
     */
    public static final class Builder {
        private String host = "127.0.0.1";
        private int port = 8080;
        private int maxConnections = DEFAULT_MAX_CONNECTIONS;
        private Duration headerTimeout = DEFAULT_HEADER_TIMEOUT;
        private int workers = Runtime.getRuntime().availableProcessors();
        private int queue = 64;
        private int maxBatch = DEFAULT_MAX_BATCH;
        private int batchWaitMs = DEFAULT_BATCH_WAIT_MS;
        private int beam = 1;
        private int maxBeam = 10;
        private long maxUploadBytes = 10L << 20;
        private long maxPixels = DEFAULT_MAX_PIXELS;
        private long memoryBytes;
        private Duration requestTimeout = DEFAULT_REQUEST_TIMEOUT;
        private long minUploadRate = DEFAULT_MIN_UPLOAD_RATE;
        private Duration decodeTimeout = DEFAULT_DECODE_TIMEOUT;
        private String apiKey;
        private String corsOrigin;

        private Builder() {
        }

        /** @param h interface to bind @return this */
        public Builder host(String h) {
            this.host = h;
            return this;
        }

        /** @param p TCP port, 0 for a free one @return this */
        public Builder port(int p) {
            this.port = p;
            return this;
        }

        /** @param n most connections held open @param headers time to send a request's headers @return this */
        public Builder connections(int n, Duration headers) {
            this.maxConnections = n;
            this.headerTimeout = headers;
            return this;
        }

        /** @param n requests decoded at once @param waiting requests that may wait @return this */
        public Builder workers(int n, int waiting) {
            this.workers = n;
            this.queue = waiting;
            return this;
        }

        /** @param max requests per network call (1: off) @param waitMs longest wait for a batch @return this */
        public Builder batching(int max, int waitMs) {
            this.maxBatch = max;
            this.batchWaitMs = waitMs;
            return this;
        }

        /** @param byDefault default beam width @param max largest a request may ask for @return this */
        public Builder beam(int byDefault, int max) {
            this.beam = byDefault;
            this.maxBeam = max;
            return this;
        }

        /** @param bytes largest request body @return this */
        public Builder maxUploadBytes(long bytes) {
            this.maxUploadBytes = bytes;
            return this;
        }

        /** @param pixels largest image accepted @return this */
        public Builder maxPixels(long pixels) {
            this.maxPixels = pixels;
            return this;
        }

        /** @param bytes memory uploads and decodes may hold at once, 0 for half the heap @return this */
        public Builder memoryBytes(long bytes) {
            this.memoryBytes = bytes;
            return this;
        }

        /**
         * @param request the longest a caption request may take
         * @param minRate bytes per second an upload must keep up after its first second
         * @param decode the longest one image may take to decode
         * @return this
         */
        public Builder timeouts(Duration request, long minRate, Duration decode) {
            this.requestTimeout = request;
            this.minUploadRate = minRate;
            this.decodeTimeout = decode;
            return this;
        }

        /** @param key the API key, or null @param origin the CORS origin, or null @return this */
        public Builder access(String key, String origin) {
            this.apiKey = key;
            this.corsOrigin = origin;
            return this;
        }

        /** @return the settings, validated */
        public ServeSpec build() {
            return new ServeSpec(new Network(host, port, maxConnections, headerTimeout),
                    new Work(workers, queue, maxBatch, batchWaitMs, beam, maxBeam),
                    new Limits(maxUploadBytes, maxPixels, memoryBytes, requestTimeout, minUploadRate, decodeTimeout),
                    new Access(apiKey, corsOrigin));
        }
    }
}
