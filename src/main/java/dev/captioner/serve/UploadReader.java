package dev.captioner.serve;

import dev.captioner.image.MemoryBudget;
import jakarta.servlet.ReadListener;
import jakarta.servlet.ServletInputStream;
import java.io.IOException;
import java.time.Duration;
import java.util.Arrays;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Reads a request body without holding a thread while the client is slow: servlet non-blocking
 * I/O collects what arrives into a buffer that grows with the data (never with what
 * Content-Length claims), each byte of it leased from the server's {@link MemoryBudget}; a timer
 * fails the upload when it falls below the minimum rate after its first second, or misses the
 * request's deadline. A slow client therefore costs a connection and the bytes it sent, never a
 * thread, and a client that only sends headers costs nothing.
 */
final class UploadReader {

    /** The first second of an upload is exempt from the minimum rate (connection set-up, TCP slow start). */
    static final Duration GRACE = Duration.ofSeconds(1);
    private static final long CHECK_MS = 200;
    /** The buffer's first size, and the least it grows by. */
    private static final int FIRST = 16 * 1024;
    /**
     * How long a refused upload's remaining body is read and thrown away before the answer goes
     * out. Answered while the client still sends, the connection is reset, and a client that
     * reads only after sending loses the answer; a second covers any upload within the limits
     * on a fast link, and bounds what a refused client costs.
     */
    static final Duration DRAIN = Duration.ofSeconds(1);

    /** Why an upload failed: the HTTP status to answer with, and the reason. */
    static final class UploadFailure extends IOException {
        private static final long serialVersionUID = 1L;
        private final int status;

        UploadFailure(int status, String message) {
            super(message);
            this.status = status;
        }

        int status() {
            return status;
        }
    }

    /** A complete body and the memory it holds until closed. */
    record Upload(byte[] bytes, MemoryBudget.Lease lease) implements AutoCloseable {
        @Override
        public void close() {
            lease.close();
        }
    }

    private final ScheduledExecutorService timer;
    private final long maxBytes;
    private final long minRate;
    private final MemoryBudget budget;
    private final Set<Body> active = ConcurrentHashMap.newKeySet();

    /**
     * @param timer runs the rate and deadline checks
     * @param maxBytes largest body accepted
     * @param minRate bytes per second after the first second (0: no minimum)
     * @param budget lends the memory bodies are read into
     */
    UploadReader(ScheduledExecutorService timer, long maxBytes, long minRate, MemoryBudget budget) {
        this.timer = timer;
        this.maxBytes = maxBytes;
        this.minRate = minRate;
        this.budget = budget;
    }

    /** @return bodies being read now */
    int inFlight() {
        return active.size();
    }

    /**
     * Starts reading; the request must be in asynchronous mode.
     *
     * @param in the request's body
     * @param declaredLength the body's Content-Length, or -1 if it was sent chunked
     * @param deadlineNanos {@link System#nanoTime()} by which the body must be complete
     * @return the body, or an {@link UploadFailure} (413 over the limit, 408 too slow or too late,
     *     503 no memory left for it, 400 a broken connection or body)
     */
    CompletableFuture<Upload> read(ServletInputStream in, long declaredLength, long deadlineNanos) {
        Body body = new Body(in, declaredLength, deadlineNanos, budget.empty());
        active.add(body);
        body.check = timer.scheduleAtFixedRate(body::check, CHECK_MS, CHECK_MS, TimeUnit.MILLISECONDS);
        body.result.whenComplete((r, e) -> {
            body.check.cancel(false);
            active.remove(body);
            if (e != null) {
                body.lease.close();
            }
        });
        in.setReadListener(body);
        return body.result;
    }

    private String tooLarge() {
        return String.format(Locale.ROOT, "upload larger than the limit of %.1f MB", maxBytes / 1048576.0);
    }

    /** One body being read. */
    private final class Body implements ReadListener {
        final CompletableFuture<Upload> result = new CompletableFuture<>();
        final ServletInputStream in;
        final long declared;
        final long deadline;
        final MemoryBudget.Lease lease;
        final long start = System.nanoTime();
        /** What has arrived: {@code buf[0, count)}. */
        byte[] buf = new byte[0];
        int count;
        final AtomicBoolean done = new AtomicBoolean();
        volatile long received;
        ScheduledFuture<?> check;
        /** A refusal waiting for the rest of the body to be drained, or null. */
        volatile UploadFailure refused;
        volatile long drainUntil;

        Body(ServletInputStream in, long declared, long deadline, MemoryBudget.Lease lease) {
            this.in = in;
            this.declared = declared;
            this.deadline = deadline;
            this.lease = lease;
        }

        @Override
        public void onDataAvailable() throws IOException {
            byte[] chunk = new byte[16 * 1024];
            while (!done.get() && in.isReady()) {
                int n = in.read(chunk);
                if (n < 0) {
                    return;
                }
                if (refused != null) {
                    if (System.nanoTime() - drainUntil > 0) {
                        fail(refused);
                        return;
                    }
                    continue; // drained: thrown away
                }
                synchronized (this) {
                    if (count + (long) n > maxBytes) {
                        refuse(new UploadFailure(413, tooLarge()));
                        continue;
                    }
                    if (count + n > buf.length && !grow(count + n)) {
                        refuse(new UploadFailure(503, "busy: the server's memory for uploads and images is taken; "
                                + "try again shortly"));
                        continue;
                    }
                    System.arraycopy(chunk, 0, buf, count, n);
                    count += n;
                    received = count;
                }
            }
        }

        /**
         * Doubles the buffer (to at least {@code needed}, at most the declared length once the data
         * has not outgrown it, else the limit), leasing the new buffer before it is made: old and
         * new both exist during the copy.
         */
        private boolean grow(int needed) {
            long cap = Math.max(needed, Math.max(FIRST, 2L * buf.length));
            cap = Math.min(cap, declared >= needed ? declared : maxBytes);
            int old = buf.length;
            if (!lease.grow(cap)) {
                return false;
            }
            buf = Arrays.copyOf(buf, (int) cap);
            lease.shrink(old);
            return true;
        }

        /** Refuses the upload once the rest of its body has been drained ({@link #DRAIN}); its memory goes now. */
        private void refuse(UploadFailure failure) {
            buf = new byte[0];
            lease.close();
            drainUntil = System.nanoTime() + DRAIN.toNanos();
            refused = failure;
        }

        @Override
        public void onAllDataRead() {
            if (refused != null) {
                fail(refused);
                return;
            }
            if (done.compareAndSet(false, true)) {
                synchronized (this) {
                    result.complete(new Upload(count == buf.length ? buf : exact(), lease));
                }
            }
        }

        private byte[] exact() {
            return Arrays.copyOf(buf, count);
        }

        @Override
        public void onError(Throwable t) {
            boolean timedOut = t instanceof java.util.concurrent.TimeoutException
                    || t.getCause() instanceof java.util.concurrent.TimeoutException;
            fail(timedOut ? new UploadFailure(408, "the upload stalled and timed out")
                    : new UploadFailure(400, "the upload failed: " + (t.getMessage() == null ? t.getClass().getSimpleName()
                            : t.getMessage())));
        }

        /** The timer's look at this upload: too late, or slower than the minimum rate. */
        void check() {
            long now = System.nanoTime();
            UploadFailure r = refused;
            if (r != null) {
                if (now - drainUntil > 0) {
                    fail(r);
                }
                return;
            }
            if (now - deadline > 0) {
                fail(new UploadFailure(408, "the upload did not complete within the request timeout"));
                return;
            }
            long grace = GRACE.toNanos();
            if (minRate > 0 && now - start > grace) {
                double seconds = (now - start - grace) / 1e9;
                long wanted = (long) (minRate * seconds);
                if (declared >= 0) {
                    wanted = Math.min(wanted, declared);
                }
                if (received < wanted) {
                    fail(new UploadFailure(408, String.format(Locale.ROOT,
                            "the upload is slower than the minimum of %.0f KiB/s", minRate / 1024.0)));
                }
            }
        }

        /**
         * Fails the upload. The answer is written from the timer's thread, after the read
         * callback that found the failure has returned: answered inside it, the request would
         * end while Jetty still waits for more of its body, and Jetty then resets the connection
         * (the client may lose the answer) instead of draining it and closing it cleanly.
         */
        boolean fail(UploadFailure failure) {
            if (done.compareAndSet(false, true)) {
                timer.execute(() -> result.completeExceptionally(failure));
                return true;
            }
            return false;
        }
    }
}
