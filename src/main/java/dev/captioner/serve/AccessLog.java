package dev.captioner.serve;

import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The access log (logger {@code captioner.access}): one line per request — method, path,
 * status, bytes, milliseconds, request id — written by a thread of its own, so that formatting
 * and the console's I/O stay off the requests' path: a slow or blocked standard error (a full
 * pipe) never holds a request. When the writer falls behind by more than a queue's worth, lines
 * are dropped and counted, never the requests slowed.
 */
final class AccessLog implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger("captioner.access");

    private record Line(String method, String path, int status, long bytes, double ms, String id) {}

    private final BlockingQueue<Line> queue = new ArrayBlockingQueue<>(8192);
    private final AtomicLong dropped = new AtomicLong();
    private final Thread writer;
    private volatile boolean closed;

    AccessLog() {
        writer = new Thread(this::write, "captioner-access-log");
        writer.setDaemon(true);
        if (LOG.isInfoEnabled()) {
            writer.start();
        }
    }

    /** Queues one request's line (nothing when the access log is turned off). */
    void log(String method, String path, int status, long bytes, double ms, String id) {
        if (!writer.isAlive() || !queue.offer(new Line(method, path, status, bytes, ms, id))) {
            if (writer.isAlive()) {
                dropped.incrementAndGet();
            }
        }
    }

    private void write() {
        while (!closed || !queue.isEmpty()) {
            try {
                Line l = queue.poll(200, TimeUnit.MILLISECONDS);
                if (l != null) {
                    LOG.info("{} {} {} {} {} {}", l.method(), l.path(), l.status(), l.bytes(),
                            String.format(java.util.Locale.ROOT, "%.1f", l.ms()), l.id());
                }
                long d = dropped.getAndSet(0);
                if (d > 0) {
                    LOG.warn("{} access-log lines dropped: the log could not keep up", d);
                }
            } catch (InterruptedException e) {
                return;
            }
        }
    }

    /** Writes what is queued, then stops. */
    @Override
    public void close() {
        closed = true;
        try {
            writer.join(2000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
