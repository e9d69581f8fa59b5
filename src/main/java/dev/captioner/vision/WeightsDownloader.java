package dev.captioner.vision;

import dev.captioner.util.AtomicFiles;
import dev.captioner.util.CaptionerException;
import dev.captioner.util.Progress;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.ConnectException;
import java.net.URI;
import java.net.UnknownHostException;
import java.net.http.HttpClient;
import java.net.http.HttpConnectTimeoutException;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.HexFormat;

/**
 * Fetches a weights file into the cache with a progress bar. An interrupted download leaves a
 * {@code .part} file that the next attempt resumes with an HTTP range request; the finished file
 * is checked against the published MD5 and only then renamed into place, so a file at the final
 * path is always complete.
 */
public final class WeightsDownloader {

    private final HttpClient client;

    /** Uses a client that follows redirects (GitHub release assets redirect). */
    public WeightsDownloader() {
        this(HttpClient.newBuilder().followRedirects(HttpClient.Redirect.NORMAL)
                .connectTimeout(Duration.ofSeconds(20)).build());
    }

    WeightsDownloader(HttpClient client) {
        this.client = client;
    }

    /**
     * Downloads {@code file} to {@code target} unless it is already there.
     *
     * @param file what to fetch
     * @param target where it goes
     * @return {@code target}
     * @throws CaptionerException offline (giving the URL and the path to place the file at), on
     *     an HTTP error, or on a checksum mismatch
     */
    public Path fetch(WeightsFile file, Path target) {
        if (Files.isRegularFile(target)) {
            return target;
        }
        Path part = target.resolveSibling(target.getFileName() + ".part");
        try {
            Files.createDirectories(target.toAbsolutePath().getParent());
            download(file, part);
            String md5 = digest(part, "MD5");
            if (file.md5() != null && !file.md5().equalsIgnoreCase(md5)) {
                Files.deleteIfExists(part);
                throw new CaptionerException(file.url() + ": downloaded file has MD5 " + md5 + ", expected "
                        + file.md5() + " (deleted; run again to retry)");
            }
            AtomicFiles.commit(part, target);
            return target;
        } catch (ConnectException | UnknownHostException | HttpConnectTimeoutException e) {
            throw offline(file, target, e);
        } catch (IOException e) {
            if (e.getCause() instanceof UnknownHostException || e.getCause() instanceof ConnectException) {
                throw offline(file, target, e);
            }
            throw new CaptionerException("downloading " + file.url() + " failed: " + e.getMessage()
                    + " (run again to resume)", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new CaptionerException("download of " + file.url() + " interrupted (run again to resume)", e);
        }
    }

    private static CaptionerException offline(WeightsFile file, Path target, Exception e) {
        return new CaptionerException("cannot download " + file.url() + " (offline?); download it yourself and place it at "
                + target.toAbsolutePath() + ", or pass --weights FILE", e);
    }

    private void download(WeightsFile file, Path part) throws IOException, InterruptedException {
        long have = Files.isRegularFile(part) ? Files.size(part) : 0;
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(file.url())).GET();
        if (have > 0) {
            request.header("Range", "bytes=" + have + "-");
        }
        HttpResponse<InputStream> response = client.send(request.build(), HttpResponse.BodyHandlers.ofInputStream());
        int status = response.statusCode();
        boolean append = status == 206;
        if (status == 416 && have > 0) {
            response.body().close();
            return; // the part file is already complete
        }
        if (status != 200 && status != 206) {
            response.body().close();
            throw new CaptionerException(file.url() + ": HTTP " + status + " (expected the weights file)");
        }
        long total = response.headers().firstValueAsLong("Content-Length").orElse(-1) + (append ? have : 0);
        try (InputStream in = response.body();
                OutputStream out = Files.newOutputStream(part, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                        append ? StandardOpenOption.APPEND : StandardOpenOption.TRUNCATE_EXISTING);
                Progress progress = Progress.start("download", total > 0 ? total / 1024 : -1, "KiB")) {
            if (append) {
                progress.stepBy(have / 1024);
            }
            byte[] buf = new byte[1 << 16];
            long sinceStep = 0;
            int n;
            while ((n = in.read(buf)) > 0) {
                out.write(buf, 0, n);
                sinceStep += n;
                if (sinceStep >= 1024) {
                    progress.stepBy(sinceStep / 1024);
                    sinceStep %= 1024;
                }
            }
        }
    }

    /**
     * @param file a file
     * @param algorithm a {@link MessageDigest} name
     * @return its digest in lower-case hex
     * @throws IOException if it cannot be read
     */
    public static String digest(Path file, String algorithm) throws IOException {
        try {
            MessageDigest md = MessageDigest.getInstance(algorithm);
            try (InputStream in = Files.newInputStream(file)) {
                byte[] buf = new byte[1 << 20];
                int n;
                while ((n = in.read(buf)) > 0) {
                    md.update(buf, 0, n);
                }
            }
            return HexFormat.of().formatHex(md.digest());
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
