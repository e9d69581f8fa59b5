package dev.captioner.vision;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.sun.net.httpserver.HttpServer;
import dev.captioner.util.CaptionerException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The downloader against a loopback HTTP server that honours range requests. */
class WeightsDownloaderTest {

    @TempDir
    Path tmp;

    private HttpServer server;
    private final byte[] body = new byte[300_000];
    private final AtomicReference<String> lastRange = new AtomicReference<>();

    @BeforeEach
    void start() throws Exception {
        for (int i = 0; i < body.length; i++) {
            body[i] = (byte) (i * 31 + 7);
        }
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.createContext("/weights.h5", exchange -> {
            String range = exchange.getRequestHeaders().getFirst("Range");
            lastRange.set(range);
            int from = range == null ? 0 : Integer.parseInt(range.replaceAll("bytes=(\\d+)-.*", "$1"));
            byte[] part = Arrays.copyOfRange(body, from, body.length);
            exchange.sendResponseHeaders(range == null ? 200 : 206, part.length);
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(part);
            }
        });
        server.createContext("/missing.h5", exchange -> {
            exchange.sendResponseHeaders(404, -1);
            exchange.close();
        });
        server.start();
    }

    @AfterEach
    void stop() {
        server.stop(0);
    }

    private String url(String path) {
        return "http://127.0.0.1:" + server.getAddress().getPort() + path;
    }

    private String md5() throws Exception {
        return HexFormat.of().formatHex(MessageDigest.getInstance("MD5").digest(body));
    }

    @Test
    void downloadsAndChecksTheMd5() throws Exception {
        Path target = tmp.resolve("cache/w.h5");
        new WeightsDownloader().fetch(new WeightsFile("w.h5", url("/weights.h5"), md5(), body.length), target);
        assertThat(Files.readAllBytes(target)).isEqualTo(body);
        assertThat(lastRange.get()).isNull();
        assertThat(target.resolveSibling("w.h5.part")).doesNotExist();
    }

    @Test
    void resumesAnInterruptedDownloadWithARangeRequest() throws Exception {
        Path target = tmp.resolve("w.h5");
        Files.write(tmp.resolve("w.h5.part"), Arrays.copyOf(body, 100_000));
        new WeightsDownloader().fetch(new WeightsFile("w.h5", url("/weights.h5"), md5(), body.length), target);
        assertThat(lastRange.get()).isEqualTo("bytes=100000-");
        assertThat(Files.readAllBytes(target)).isEqualTo(body);
    }

    @Test
    void aBadChecksumIsAnErrorAndLeavesNoFileThatLooksComplete() {
        Path target = tmp.resolve("w.h5");
        WeightsFile wrong = new WeightsFile("w.h5", url("/weights.h5"), "0123456789abcdef0123456789abcdef", -1);
        assertThatThrownBy(() -> new WeightsDownloader().fetch(wrong, target)).isInstanceOf(CaptionerException.class)
                .hasMessageContaining("MD5").hasMessageContaining("expected 0123456789abcdef");
        assertThat(target).doesNotExist();
        assertThat(tmp.resolve("w.h5.part")).doesNotExist();
    }

    @Test
    void notFoundIsAnErrorNamingTheUrl() {
        assertThatThrownBy(() -> new WeightsDownloader().fetch(new WeightsFile("m.h5", url("/missing.h5"), null, -1),
                tmp.resolve("m.h5"))).hasMessageContaining("/missing.h5: HTTP 404");
    }

    @Test
    void offlineGivesTheUrlAndWhereToPutTheFile() throws Exception {
        int port = server.getAddress().getPort();
        server.stop(0);
        Path target = tmp.resolve("cache/w.h5");
        assertThatThrownBy(() -> new WeightsDownloader().fetch(new WeightsFile("w.h5",
                "http://127.0.0.1:" + port + "/weights.h5", null, -1), target))
                .isInstanceOf(CaptionerException.class)
                .hasMessageContaining("http://127.0.0.1:" + port + "/weights.h5")
                .hasMessageContaining(target.toAbsolutePath().toString());
    }

    @Test
    void aFileAlreadyInPlaceIsNotDownloadedAgain() throws Exception {
        Path target = Files.write(tmp.resolve("w.h5"), new byte[] {1});
        new WeightsDownloader().fetch(new WeightsFile("w.h5", url("/missing.h5"), null, -1), target);
        assertThat(Files.readAllBytes(target)).containsExactly(1);
    }
}
