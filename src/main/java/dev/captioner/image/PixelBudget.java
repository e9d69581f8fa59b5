package dev.captioner.image;

import java.time.Duration;
import java.util.Locale;
import java.util.concurrent.TimeUnit;

/**
 * Bounds the pixels being decoded at once, across threads, so that several large images decoded
 * together cannot exhaust the heap: a per-image pixel limit alone does not, since a few
 * well-compressed 100-megapixel PNGs fit in a small upload and each needs over a gigabyte once
 * decoded. A decode takes a lease on its pixels (read from the header, before any raster is
 * allocated) and returns it when the decoded image has been converted.
 */
public final class PixelBudget {

    /**
     * Heap bytes one pixel may need while it is decoded: the decoder's raster (up to 8 bytes for
     * 16-bit RGBA PNGs) plus the 3-byte RGB copy, rounded up.
     */
    public static final int BYTES_PER_PIXEL = 12;

    private final long capacity;
    private final Duration wait;
    private long inUse;

    /**
     * @param capacity most pixels decoded at once
     * @param wait how long a decode waits for room before giving up, or null to wait as long as
     *     it takes
     */
    public PixelBudget(long capacity, Duration wait) {
        if (capacity < 1) {
            throw new IllegalArgumentException("pixel budget must be positive, was " + capacity);
        }
        this.capacity = capacity;
        this.wait = wait;
    }

    /**
     * A budget of a share of the heap this JVM may grow to ({@code -Xmx}).
     *
     * @param heapFraction the share of the maximum heap that decoding may use, in (0, 1]
     * @param wait how long a decode waits for room, or null to wait as long as it takes
     * @return the budget
     */
    public static PixelBudget ofHeap(double heapFraction, Duration wait) {
        if (!(heapFraction > 0 && heapFraction <= 1)) {
            throw new IllegalArgumentException("heap fraction must be in (0, 1], was " + heapFraction);
        }
        long bytes = (long) (Runtime.getRuntime().maxMemory() * heapFraction);
        return new PixelBudget(Math.max(1, bytes / BYTES_PER_PIXEL), wait);
    }

    /** @return most pixels decoded at once */
    public long capacity() {
        return capacity;
    }

    /** @return pixels being decoded now */
    public synchronized long inUse() {
        return inUse;
    }

    /** Returns pixels to the budget when closed. */
    public interface Lease extends AutoCloseable {
        @Override
        void close();
    }

    /**
     * Takes pixels from the budget, waiting for room as configured.
     *
     * @param pixels the image's width × height
     * @param name the image, for messages
     * @return a lease to close when the decoded raster is no longer needed
     * @throws ImageTooLargeException if the image alone is over the whole budget
     * @throws DecoderBusyException if no room came free in time
     */
    public Lease acquire(long pixels, String name) {
        if (pixels > capacity) {
            throw new ImageTooLargeException(String.format(Locale.ROOT,
                    "%s: image has %.1f megapixels, more than this process can decode with its memory (%.1f megapixels; "
                            + "give Java more heap with -Xmx)", name, pixels / 1e6, capacity / 1e6));
        }
        try {
            synchronized (this) {
                long deadline = wait == null ? Long.MAX_VALUE : System.nanoTime() + wait.toNanos();
                while (inUse + pixels > capacity) {
                    long left = deadline - System.nanoTime();
                    if (left <= 0) {
                        throw new DecoderBusyException(name + ": too many large images are being decoded at once; "
                                + "try again shortly");
                    }
                    TimeUnit.NANOSECONDS.timedWait(this, Math.min(left, TimeUnit.SECONDS.toNanos(1)));
                }
                inUse += pixels;
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new DecoderBusyException(name + ": interrupted while waiting to decode");
        }
        return () -> release(pixels);
    }

    private synchronized void release(long pixels) {
        inUse -= pixels;
        notifyAll();
    }
}
