package dev.captioner.serve;

import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.eclipse.jetty.io.Connection;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;

/**
 * A connection has {@code timeout} to send a request's headers, counted from its opening or from
 * its previous answer; past that it is closed. Jetty's idle timeout alone lets a client that
 * sends one header byte every few seconds hold a connection for ever (slowloris); this bounds
 * the whole header. It is a handler (which sees each request begin once its headers are in, and
 * end) and a connection listener (which sees connections open and close), with a sweep twice a
 * second.
 */
final class HeaderDeadline extends Handler.Wrapper implements Connection.Listener {

    private final long timeoutNanos;
    private final Map<Connection, State> connections = new ConcurrentHashMap<>();

    /** A connection's requests in progress, and since when it has had none. */
    private static final class State {
        int requests;
        long idleSince = System.nanoTime();

        synchronized void begin() {
            requests++;
        }

        synchronized void end() {
            requests--;
            idleSince = System.nanoTime();
        }

        synchronized boolean late(long now, long timeout) {
            return requests == 0 && now - idleSince > timeout;
        }
    }

    /**
     * @param timeout how long a connection may take to send a request's headers
     * @param timer runs the sweep
     */
    HeaderDeadline(Duration timeout, ScheduledExecutorService timer) {
        this.timeoutNanos = timeout.toNanos();
        long period = Math.max(50, Math.min(500, timeout.toMillis() / 4));
        timer.scheduleAtFixedRate(this::sweep, period, period, TimeUnit.MILLISECONDS);
    }

    @Override
    public void onOpened(Connection connection) {
        connections.put(connection, new State());
    }

    @Override
    public void onClosed(Connection connection) {
        connections.remove(connection);
    }

    @Override
    public boolean handle(Request request, Response response, Callback callback) throws Exception {
        State state = connections.get(request.getConnectionMetaData().getConnection());
        if (state == null) {
            return super.handle(request, response, callback);
        }
        state.begin();
        boolean handled = super.handle(request, response, new Callback.Nested(callback) {
            @Override
            public void succeeded() {
                state.end();
                super.succeeded();
            }

            @Override
            public void failed(Throwable x) {
                state.end();
                super.failed(x);
            }
        });
        if (!handled) {
            state.end();
        }
        return handled;
    }

    private void sweep() {
        long now = System.nanoTime();
        connections.forEach((connection, state) -> {
            if (state.late(now, timeoutNanos)) {
                connections.remove(connection);
                connection.getEndPoint().close();
            }
        });
    }
}
