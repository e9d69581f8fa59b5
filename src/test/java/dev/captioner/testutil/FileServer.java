package dev.captioner.testutil;

import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;

/** A loopback HTTP server of fixed files, for download tests that must never touch the network. */
public final class FileServer implements AutoCloseable {

    private final HttpServer server;
    private final Map<String, byte[]> files = new ConcurrentHashMap<>();
    private final AtomicInteger requests = new AtomicInteger();
    private volatile Function<String, byte[]> otherwise = path -> null;

    private FileServer() {
        try {
            server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        server.createContext("/", exchange -> {
            requests.incrementAndGet();
            String path = exchange.getRequestURI().getPath();
            byte[] b = files.containsKey(path) ? files.get(path) : otherwise.apply(path);
            if (b == null) {
                exchange.sendResponseHeaders(404, -1);
                exchange.close();
                return;
            }
            exchange.sendResponseHeaders(200, b.length);
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(b);
            }
        });
        server.start();
    }

    /** @return a running server with no files (everything is 404) */
    public static FileServer start() {
        return new FileServer();
    }

    /** Serves {@code content} at {@code path}. */
    public FileServer put(String path, byte[] content) {
        files.put(path, content);
        return this;
    }

    /** Answers paths without a file with what {@code content} gives (null: 404). */
    public FileServer otherwise(Function<String, byte[]> content) {
        this.otherwise = content;
        return this;
    }

    /** @return the full address of {@code path} */
    public String url(String path) {
        return "http://127.0.0.1:" + server.getAddress().getPort() + path;
    }

    /** @return requests answered so far */
    public int requests() {
        return requests.get();
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
