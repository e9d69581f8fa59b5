package dev.captioner.image;

import java.time.Duration;
import java.util.Locale;
import java.util.concurrent.TimeUnit;

/**
 * Bounds the memory that work on untrusted images holds at once, across threads, in bytes: a
 * server's upload bodies as they arrive, each decoder's working memory (libjpeg's whole-image
 * coefficient buffer for a progressive file, estimated from the header) and the decoded pixels
 * until they have been made into the network's input. A per-image pixel limit alone does not
 * bound it: a few well-compressed 100-megapixel PNGs fit in small uploads and each needs over a
 * gigabyte once decoded. A decode takes its lease from the header, before any raster is
 * allocated; an upload grows its lease with the bytes that arrive, never with what its headers
 * claim.
 */
public final class MemoryBudget {

    /**
     * Heap bytes one decoded pixel may need: the decoder's raster (up to 8 bytes for 16-bit RGBA
     * PNGs) plus the 3-byte RGB copy, rounded up.
     */
    public static final int BYTES_PER_PIXEL = 12;

    private final long capacity;
    private final Duration wait;
    private long inUse;

    /**
     * @param capacity most bytes held at once
     * @param wait how long {@link #acquire} waits for room before giving up, or null to wait as
     *     long as it takes
     */
    public MemoryBudget(long capacity, Duration wait) {
        if (capacity < 1) {
            throw new IllegalArgumentException("memory budget must be positive, was " + capacity);
        }
        this.capacity = capacity;
        this.wait = wait;
    }

    /**
     * A budget of a share of the heap this JVM may grow to ({@code -Xmx}).
     *
     * @param heapFraction the share of the maximum heap, in (0, 1]
     * @param wait how long a decode waits for room, or null to wait as long as it takes
     * @return the budget
     */
    public static MemoryBudget ofHeap(double heapFraction, Duration wait) {
        if (!(heapFraction > 0 && heapFraction <= 1)) {
            throw new IllegalArgumentException("heap fraction must be in (0, 1], was " + heapFraction);
        }
        return new MemoryBudget(Math.max(1, (long) (Runtime.getRuntime().maxMemory() * heapFraction)), wait);
    }

    /** @return most bytes held at once */
    public long capacity() {
        return capacity;
    }

    /** @return bytes held now */
    public synchronized long inUse() {
        return inUse;
    }

    /** Bytes taken from the budget, returned when closed. */
    public interface Lease extends AutoCloseable {
        /**
         * Takes more bytes without waiting.
         *
         * @param bytes how many more
         * @return whether there was room (if not, the lease is unchanged)
         */
        boolean grow(long bytes);

        /**
         * Returns part of the lease.
         *
         * @param bytes how many bytes are no longer held (at most those held)
         */
        void shrink(long bytes);

        /** @return bytes held by this lease */
        long bytes();

        /** Returns every byte of this lease; closing again does nothing. */
        @Override
        void close();
    }

    /**
     * Takes bytes, waiting for room as configured.
     *
     * @param bytes what the work needs
     * @param name the image, for messages
     * @return a lease to close when the memory is no longer held
     * @throws ImageTooLargeException if the work alone needs more than the whole budget
     * @throws DecoderBusyException if no room came free in time
     */
    public Lease acquire(long bytes, String name) {
        if (bytes > capacity) {
            throw new ImageTooLargeException(String.format(Locale.ROOT,
                    "%s: decoding it needs about %.0f MB, more than this process may hold for images (%.0f MB; "
                            + "give Java more heap with -Xmx)", name, bytes / 1e6, capacity / 1e6));
        }
        try {
            synchronized (this) {
                long deadline = wait == null ? Long.MAX_VALUE : System.nanoTime() + wait.toNanos();
                while (inUse + bytes > capacity) {
                    long left = deadline - System.nanoTime();
                    if (left <= 0) {
                        throw new DecoderBusyException(name + ": too many large images are being handled at once; "
                                + "try again shortly");
                    }
                    TimeUnit.NANOSECONDS.timedWait(this, Math.min(left, TimeUnit.SECONDS.toNanos(1)));
                }
                inUse += bytes;
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new DecoderBusyException(name + ": interrupted while waiting to decode");
        }
        return new Held(bytes);
    }

    /** @return an empty lease, to {@link Lease#grow} as data arrives */
    public Lease empty() {
        return new Held(0);
    }

    private synchronized boolean take(long bytes) {
        if (inUse + bytes > capacity) {
            return false;
        }
        inUse += bytes;
        return true;
    }

    private synchronized void release(long bytes) {
        inUse -= bytes;
        notifyAll();
    }

    private final class Held implements Lease {
        private long held;
        private boolean closed;

        Held(long bytes) {
            this.held = bytes;
        }

        @Override
        public synchronized boolean grow(long bytes) {
            if (closed || !take(bytes)) {
                return false;
            }
            held += bytes;
            return true;
        }

        @Override
        public synchronized void shrink(long bytes) {
            long n = Math.min(Math.max(0, bytes), held);
            if (n > 0 && !closed) {
                held -= n;
                release(n);
            }
        }

        @Override
        public synchronized long bytes() {
            return held;
        }

        @Override
        public synchronized void close() {
            if (!closed) {
                closed = true;
                release(held);
                held = 0;
            }
        }
    }
}
