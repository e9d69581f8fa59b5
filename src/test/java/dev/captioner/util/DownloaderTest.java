package dev.captioner.util;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The downloader against a loopback HTTP server that honours range requests and misbehaves on
 * purpose: a connection dropped half-way, a stalled one, a corrupted byte, a missing file on the
 * first address, and no server at all. No test touches the real network.
 */
class DownloaderTest {

    @TempDir
    Path tmp;

    private HttpServer server;
    private final byte[] body = new byte[300_000];
    private final List<String> ranges = new CopyOnWriteArrayList<>();
    private final AtomicInteger dropped = new AtomicInteger();
    private final AtomicInteger stalled = new AtomicInteger();
    private final ByteArrayOutputStream logBytes = new ByteArrayOutputStream();
    private final PrintStream log = new PrintStream(logBytes, true);

    /** Fast timings for tests: a stall is noticed after 400 ms, retries 20 ms apart. */
    private static final Downloader.Spec FAST = new Downloader.Spec(Duration.ofSeconds(2),
            Duration.ofMillis(400), 4, Duration.ofMillis(20));

    @BeforeEach
    void start() throws Exception {
        for (int i = 0; i < body.length; i++) {
            body[i] = (byte) (i * 31 + 7);
        }
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.createContext("/ok/", exchange -> serve(exchange, body, -1, 0));
        server.createContext("/drop/", exchange -> serve(exchange, body, dropped.getAndIncrement() == 0 ? 100_000 : -1, 0));
        server.createContext("/stall/", exchange -> serve(exchange, body, -1,
                stalled.getAndIncrement() == 0 ? 150_000 : 0));
        server.createContext("/corrupt/", exchange -> {
            byte[] bad = body.clone();
            bad[12_345] ^= 1;
            serve(exchange, bad, -1, 0);
        });
        // Drops the first transfer; then answers a range request with 206 but the whole file, from byte 0.
        server.createContext("/wrong-range/", exchange -> {
            if (dropped.getAndIncrement() == 0) {
                serve(exchange, body, 100_000, 0);
                return;
            }
            ranges.add(String.valueOf(exchange.getRequestHeaders().getFirst("Range")));
            exchange.getResponseHeaders().add("Content-Range", "bytes 0-" + (body.length - 1) + "/" + body.length);
            exchange.sendResponseHeaders(exchange.getRequestHeaders().getFirst("Range") == null ? 200 : 206, body.length);
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(body);
            }
        });
        // A file twice and a bit the catalogued size, with and without a Content-Length.
        byte[] huge = new byte[2 * body.length + 1000];
        server.createContext("/huge/", exchange -> serve(exchange, huge, -1, 0));
        server.createContext("/huge-chunked/", exchange -> {
            exchange.sendResponseHeaders(200, 0);
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(huge);
            } catch (IOException closedByTheClient) {
                // the downloader hung up at its limit
            }
        });
        server.createContext("/missing/", exchange -> {
            exchange.sendResponseHeaders(404, -1);
            exchange.close();
        });
        server.setExecutor(java.util.concurrent.Executors.newCachedThreadPool());
        server.start();
    }

    /**
     * Serves {@code content} from the requested offset. With {@code dropAt} the connection is
     * closed after that many bytes of the whole file; with {@code stallAt} the server goes silent
     * there for 3 s before going on.
     */
    private void serve(HttpExchange exchange, byte[] content, int dropAt, int stallAt) throws IOException {
        String range = exchange.getRequestHeaders().getFirst("Range");
        ranges.add(String.valueOf(range));
        int from = range == null ? 0 : Integer.parseInt(range.replaceAll("bytes=(\\d+)-.*", "$1"));
        if (from >= content.length) {
            exchange.sendResponseHeaders(416, -1);
            exchange.close();
            return;
        }
        if (range != null) {
            exchange.getResponseHeaders().add("Content-Range", "bytes " + from + "-" + (content.length - 1) + "/"
                    + content.length);
        }
        exchange.sendResponseHeaders(range == null ? 200 : 206, content.length - from);
        try (OutputStream out = exchange.getResponseBody()) {
            int end = dropAt > 0 ? dropAt : content.length;
            int pause = stallAt > 0 ? stallAt : -1;
            for (int i = from; i < end; i += 1000) {
                if (pause > 0 && i >= pause) {
                    out.flush();
                    sleep(3000);
                    pause = -1;
                }
                out.write(content, i, Math.min(1000, end - i));
            }
            if (dropAt > 0) {
                throw new IOException("dropped on purpose");
            }
        }
    }

    private static void sleep(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @AfterEach
    void stop() {
        server.stop(0);
    }

    private String url(String dir) {
        return "http://127.0.0.1:" + server.getAddress().getPort() + dir + "file.bin";
    }

    private String md5() throws Exception {
        return HexFormat.of().formatHex(MessageDigest.getInstance("MD5").digest(body));
    }

    private RemoteFile file(String md5, String... dirs) {
        return new RemoteFile("file.bin", java.util.Arrays.stream(dirs).map(this::url).toList(), md5, null, body.length);
    }

    @Test
    void downloadsVerifiesAndRenames() throws Exception {
        Path got = new Downloader(log, FAST).fetch(file(md5(), "/ok/"), tmp.resolve("cache"));
        assertThat(got).isEqualTo(tmp.resolve("cache/file.bin"));
        assertThat(Files.readAllBytes(got)).isEqualTo(body);
        assertThat(tmp.resolve("cache/file.bin.part")).doesNotExist();
        assertThat(ranges).containsExactly("null");
    }

    @Test
    void aServerThatResumesFromTheWrongByteIsCaughtAndTheDownloadStartsAgain() throws Exception {
        // No published checksum: a wrongly appended file would be kept and its SHA-256 recorded.
        RemoteFile unchecked = new RemoteFile("file.bin", List.of(url("/wrong-range/")), null, null, body.length);
        Path got = new Downloader(log, FAST).fetch(unchecked, tmp.resolve("w"));
        assertThat(Files.readAllBytes(got)).isEqualTo(body);
        assertThat(ranges).contains("bytes=100000-", "null");
        assertThat(logBytes.toString()).contains("resumed at byte 0, not 100000; starting again");
    }

    @Test
    void a416StartsAgainInsteadOfTakingThePartFileAsComplete() throws Exception {
        Path dir = Files.createDirectories(tmp.resolve("r"));
        // A part file longer than the real file (say, a different file of the same name before).
        Files.write(dir.resolve("file.bin.part"), new byte[body.length + 10]);
        RemoteFile unchecked = new RemoteFile("file.bin", List.of(url("/ok/")), null, null, body.length);
        Path got = new Downloader(log, FAST).fetch(unchecked, dir);
        assertThat(Files.readAllBytes(got)).isEqualTo(body);
        assertThat(logBytes.toString()).contains("HTTP 416");
        assertThat(Downloader.rangeStart("bytes 10-20/300")).isEqualTo(10);
        assertThat(Downloader.rangeStart("bytes */300")).isEqualTo(-1);
        assertThat(Downloader.rangeStart(null)).isEqualTo(-1);
    }

    @Test
    void aConnectionDroppedHalfWayIsResumedWithARangeRequest() throws Exception {
        Path got = new Downloader(log, FAST).fetch(file(md5(), "/drop/"), tmp);
        assertThat(Files.readAllBytes(got)).isEqualTo(body);
        assertThat(ranges).hasSize(2);
        assertThat(ranges.get(1)).matches("bytes=\\d+-");
        assertThat(logBytes.toString()).contains("resuming");
    }

    @Test
    void aStalledConnectionIsNoticedAndResumed() throws Exception {
        Path got = new Downloader(log, FAST).fetch(file(md5(), "/stall/"), tmp);
        assertThat(Files.readAllBytes(got)).isEqualTo(body);
        assertThat(ranges.get(ranges.size() - 1)).startsWith("bytes=");
        assertThat(logBytes.toString()).contains("no data for");
    }

    @Test
    void aCorruptedByteFailsTheChecksumAndLeavesNothingThatLooksComplete() throws Exception {
        assertThatThrownBy(() -> new Downloader(log, FAST).fetch(file(md5(), "/corrupt/"), tmp))
                .isInstanceOf(Downloader.DownloadFailedException.class)
                .hasMessageContaining("file.bin: the downloaded file has MD5 ").hasMessageContaining("expected " + md5())
                .hasMessageContaining("deleted it");
        assertThat(tmp.resolve("file.bin")).doesNotExist();
        assertThat(tmp.resolve("file.bin.part")).doesNotExist();
    }

    @Test
    void aMissingFileOnTheFirstAddressFallsBackToTheNext() throws Exception {
        Path got = new Downloader(log, FAST).fetch(file(md5(), "/missing/", "/ok/"), tmp);
        assertThat(Files.readAllBytes(got)).isEqualTo(body);
        assertThat(logBytes.toString()).contains("/missing/file.bin: HTTP 404; trying the next address");
    }

    @Test
    void aMirrorReplacesTheAddressesButNotTheChecksum() throws Exception {
        RemoteFile official = file(md5(), "/missing/");
        String base = "http://127.0.0.1:" + server.getAddress().getPort() + "/ok/";
        assertThat(Files.readAllBytes(new Downloader(log, FAST).fetch(official.fromMirror(base), tmp))).isEqualTo(body);
        String bad = "http://127.0.0.1:" + server.getAddress().getPort() + "/corrupt/";
        assertThatThrownBy(() -> new Downloader(log, FAST).fetch(official.fromMirror(bad), tmp.resolve("b")))
                .hasMessageContaining("MD5");
    }

    @Test
    void offlineIsReportedAsUnreachableNamingEveryAddress() throws Exception {
        RemoteFile f = file(null, "/ok/", "/missing/");
        server.stop(0);
        assertThatThrownBy(() -> new Downloader(log, FAST).fetch(f, tmp)).isInstanceOfSatisfying(
                Downloader.DownloadFailedException.class, e -> {
                    assertThat(e.unreachable()).isTrue();
                    assertThat(e.getMessage()).contains(f.urls().get(0)).contains(f.urls().get(1));
                });
        assertThat(tmp.resolve("file.bin")).doesNotExist();
    }

    @Test
    void withoutAPublishedChecksumTheFirstDownloadIsRecordedAndLaterOnesMustMatchIt() throws Exception {
        RemoteFile unpublished = file(null, "/ok/");
        Path got = new Downloader(log, FAST).fetch(unpublished, tmp);
        Path record = Downloader.recordOf(got);
        assertThat(record).hasContent(HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(body)));
        assertThat(logBytes.toString()).contains("no checksum is published for file.bin; recorded its SHA-256");
        Files.delete(got);
        RemoteFile changed = file(null, "/corrupt/");
        assertThatThrownBy(() -> new Downloader(log, FAST).fetch(changed, tmp))
                .hasMessageContaining("recorded at its first download");
        assertThat(got).doesNotExist();
    }

    @Test
    void aFileAlreadyInPlaceWithItsChecksumIsNotFetchedAgain() throws Exception {
        Path there = Files.write(tmp.resolve("file.bin"), body);
        assertThat(new Downloader(log, FAST).fetch(file(md5(), "/missing/"), tmp)).isEqualTo(there);
        assertThat(ranges).isEmpty();
    }

    @Test
    void aFinalFileIsCheckedAgainBeforeEachUse() throws Exception {
        Downloader d = new Downloader(log, FAST);
        Path got = d.fetch(file(md5(), "/ok/"), tmp.resolve("cache"));
        int requests = ranges.size();
        assertThat(d.fetch(file(md5(), "/ok/"), tmp.resolve("cache"))).isEqualTo(got);
        assertThat(ranges).as("a good cached file is not fetched again").hasSize(requests);
        byte[] changed = body.clone();
        changed[99] ^= 1;
        Files.write(got, changed);
        assertThatThrownBy(() -> d.fetch(file(md5(), "/ok/"), tmp.resolve("cache")))
                .isInstanceOf(CaptionerException.class).hasMessageContaining("file.bin").hasMessageContaining("MD5")
                .hasMessageContaining("delete it");
    }

    @Test
    void aFileOverTwiceItsCataloguedSizeIsRefusedAndNothingIsLeft() throws Exception {
        for (String dir : List.of("/huge/", "/huge-chunked/")) {
            Path cache = tmp.resolve("cache" + dir.length());
            assertThatThrownBy(() -> new Downloader(log, FAST).fetch(file(md5(), dir), cache))
                    .isInstanceOf(Downloader.DownloadFailedException.class).hasMessageContaining("limit of")
                    .as(dir);
            try (var left = Files.list(cache)) {
                assertThat(left.toList()).as("nothing left behind from " + dir).isEmpty();
            }
        }
        // A mirror may be allowed more; the checksum still refuses the wrong bytes.
        assertThatThrownBy(() -> new Downloader(log, FAST.withMaxBytes(1L << 30)).fetch(file(md5(), "/huge/"),
                tmp.resolve("mirror"))).hasMessageContaining("MD5");
    }
}
