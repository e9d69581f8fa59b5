package dev.captioner.serve;

import jakarta.servlet.ReadListener;
import jakarta.servlet.ServletInputStream;
import java.io.IOException;
import java.time.Duration;
import java.util.Arrays;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Reads a request body without holding a thread while the client is slow: servlet non-blocking
 * I/O collects what arrives into a bounded buffer, and a timer fails the upload when it falls
 * below the minimum rate after its first second, or misses the request's deadline. A slow client
 * therefore costs a connection and the bytes it sent, never a thread.
 */
final class UploadReader {

    /** The first second of an upload is exempt from the minimum rate (connection set-up, TCP slow start). */
    static final Duration GRACE = Duration.ofSeconds(1);
    private static final long CHECK_MS = 200;

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

    /** An upload this young is never evicted: it may not have had time to show its rate. */
    static final Duration EVICTION_AGE = Duration.ofMillis(100);

    private final ScheduledExecutorService timer;
    private final long maxBytes;
    private final long minRate;
    private final Set<Body> active = ConcurrentHashMap.newKeySet();

    /**
     * @param timer runs the rate and deadline checks
     * @param maxBytes largest body accepted
     * @param minRate bytes per second after the first second (0: no minimum)
     */
    UploadReader(ScheduledExecutorService timer, long maxBytes, long minRate) {
        this.timer = timer;
        this.maxBytes = maxBytes;
        this.minRate = minRate;
    }

    /**
     * Starts reading; the request must be in asynchronous mode.
     *
     * @param in the request's body
     * @param declaredLength the body's Content-Length, or -1 if it was sent chunked
     * @param deadlineNanos {@link System#nanoTime()} by which the body must be complete
     * @return the body, or an {@link UploadFailure} (413 over the limit, 408 too slow or too late,
     *     400 a broken connection or body)
     */
    CompletableFuture<byte[]> read(ServletInputStream in, long declaredLength, long deadlineNanos) {
        Body body = new Body(in, declaredLength, deadlineNanos);
        active.add(body);
        body.check = timer.scheduleAtFixedRate(body::check, CHECK_MS, CHECK_MS, TimeUnit.MILLISECONDS);
        body.result.whenComplete((r, e) -> {
            body.check.cancel(false);
            active.remove(body);
        });
        in.setReadListener(body);
        return body.result;
    }

    /**
     * Makes room for a new upload when every slot is taken: the slowest upload being read, if it
     * is older than {@link #EVICTION_AGE} and below the minimum rate, fails with 408 and frees its
     * slot. A client that trickles bytes so cannot keep others out.
     *
     * @return whether an upload was evicted
     */
    boolean evictSlowest() {
        if (minRate <= 0) {
            return false;
        }
        long now = System.nanoTime();
        Body slowest = null;
        double slowestRate = minRate;
        for (Body b : active) {
            double age = (now - b.start) / 1e9;
            if (age * 1e9 < EVICTION_AGE.toNanos()) {
                continue;
            }
            double rate = b.received / age;
            if (rate < slowestRate) {
                slowest = b;
                slowestRate = rate;
            }
        }
        return slowest != null && slowest.fail(new UploadFailure(408, String.format(Locale.ROOT,
                "the upload was slower than the minimum of %.0f KiB/s while others waited", minRate / 1024.0)));
    }

    private String tooLarge() {
        return String.format(Locale.ROOT, "upload larger than the limit of %.1f MB", maxBytes / 1048576.0);
    }

    /** One body being read. */
    private final class Body implements ReadListener {
        final CompletableFuture<byte[]> result = new CompletableFuture<>();
        final ServletInputStream in;
        final long declared;
        final long deadline;
        final long start = System.nanoTime();
        /** What has arrived: {@code buf[0, count)}; sized by the declared length when there is one. */
        byte[] buf;
        int count;
        final AtomicBoolean done = new AtomicBoolean();
        volatile long received;
        ScheduledFuture<?> check;

        Body(ServletInputStream in, long declared, long deadline) {
            this.in = in;
            this.declared = declared;
            this.deadline = deadline;
            // The declared length was checked against the limit before reading; a body that
            // comes without one grows as it arrives.
            this.buf = new byte[(int) (declared >= 0 ? Math.min(declared, maxBytes) : 64 * 1024)];
        }

        @Override
        public void onDataAvailable() throws IOException {
            byte[] chunk = new byte[16 * 1024];
            while (!done.get() && in.isReady()) {
                int n = in.read(chunk);
                if (n < 0) {
                    return;
                }
                synchronized (this) {
                    if (count + (long) n > maxBytes) {
                        fail(new UploadFailure(413, tooLarge()));
                        return;
                    }
                    if (count + n > buf.length) {
                        buf = Arrays.copyOf(buf, (int) Math.min(maxBytes, Math.max(count + (long) n, 2L * buf.length)));
                    }
                    System.arraycopy(chunk, 0, buf, count, n);
                    count += n;
                    received = count;
                }
            }
        }

        @Override
        public void onAllDataRead() {
            if (done.compareAndSet(false, true)) {
                synchronized (this) {
                    result.complete(count == buf.length ? buf : Arrays.copyOf(buf, count));
                }
            }
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

        boolean fail(UploadFailure failure) {
            if (done.compareAndSet(false, true)) {
                result.completeExceptionally(failure);
                return true;
            }
            return false;
        }
    }
}
