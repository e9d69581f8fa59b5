package dev.captioner.util;

import java.io.FileNotFoundException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.net.ConnectException;
import java.net.HttpURLConnection;
import java.net.NoRouteToHostException;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.net.UnknownHostException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Fetches published files (datasets, weights) into a folder, the way a careful user would by
 * hand, only without forgetting a step: the bytes go to {@code NAME.part}, an interrupted or
 * dropped transfer is resumed with an HTTP range request (with retries and exponential backoff,
 * and a read timeout so a stalled connection is noticed), the checksum is verified before the
 * file is renamed to its final name, and a file whose checksum is wrong is deleted and reported.
 * The addresses of a {@link RemoteFile} are tried in order: one that is missing (404) or cannot
 * be reached falls back to the next. A file at its final name is therefore always complete and
 * verified.
 */
public final class Downloader {

    /**
     * Timing of downloads.
     *
     * @param connectTimeout how long to wait for a connection
     * @param readTimeout how long a transfer may stall before it is retried
     * @param attempts tries per address for a transfer that breaks off
     * @param backoff wait before the first retry, doubled for each further one
     * @param maxBytes the largest file accepted; 0 for twice its catalogued size (or
     *     {@link #UNKNOWN_SIZE_CAP} when the catalogue gives none)
     */
    public record Spec(Duration connectTimeout, Duration readTimeout, int attempts, Duration backoff,
            long maxBytes) {

        /** Validates the settings. */
        public Spec {
            if (attempts < 1 || attempts > 20) {
                throw new IllegalArgumentException("attempts must be between 1 and 20, was " + attempts);
            }
            if (maxBytes < 0) {
                throw new IllegalArgumentException("max bytes must not be negative, was " + maxBytes);
            }
        }

        /** Spec with the default size cap. */
        public Spec(Duration connectTimeout, Duration readTimeout, int attempts, Duration backoff) {
            this(connectTimeout, readTimeout, attempts, backoff, 0);
        }

        /** @return 20 s to connect, 60 s of silence before a retry, 4 attempts from 2 s apart */
        public static Spec defaults() {
            return new Spec(Duration.ofSeconds(20), Duration.ofSeconds(60), 4, Duration.ofSeconds(2));
        }

        /**
         * @param bytes the largest file accepted (a mirror's files may differ in size from the
         *     catalogue's; their checksums still apply)
         * @return a copy with that cap
         */
        public Spec withMaxBytes(long bytes) {
            return new Spec(connectTimeout, readTimeout, attempts, backoff, bytes);
        }

        /** @return the largest size accepted for {@code file} */
        long cap(RemoteFile file) {
            return maxBytes > 0 ? maxBytes : file.size() > 0 ? 2 * file.size() : UNKNOWN_SIZE_CAP;
        }
    }

    /** The cap on a file whose size the catalogue does not give: 64 GiB. */
    public static final long UNKNOWN_SIZE_CAP = 64L << 30;

    /** A download that did not end with a verified file. */
    public static final class DownloadFailedException extends CaptionerException {
        private static final long serialVersionUID = 1L;
        private final transient RemoteFile file;
        private final boolean unreachable;

        DownloadFailedException(RemoteFile file, boolean unreachable, String message) {
            super(message);
            this.file = file;
            this.unreachable = unreachable;
        }

        /** @return the file that could not be fetched */
        public RemoteFile file() {
            return file;
        }

        /** @return true if no address could even be reached (offline, or blocked by a firewall) */
        public boolean unreachable() {
            return unreachable;
        }
    }

    /** The address has no such file (404, 410, 403): try the next one. */
    private static final class NotThere extends IOException {
        private static final long serialVersionUID = 1L;

        NotThere(String message) {
            super(message);
        }
    }

    private final PrintStream log;
    private final Spec settings;

    /** @param log where fallbacks, retries and recorded checksums are reported */
    public Downloader(PrintStream log) {
        this(log, Spec.defaults());
    }

    /**
     * @param log where fallbacks, retries and recorded checksums are reported
     * @param settings timeouts and retries
     */
    public Downloader(PrintStream log, Spec settings) {
        this.log = log;
        this.settings = settings;
    }

    /**
     * Fetches {@code file} into {@code dir} unless it is already there.
     *
     * @param file what to fetch
     * @param dir the folder it goes into
     * @return the verified file
     * @throws DownloadFailedException if no address gave a verified file
     */
    public Path fetch(RemoteFile file, Path dir) {
        Path target = dir.resolve(file.fileName());
        if (Files.isRegularFile(target)) {
            // Never trusted by its name or size: the checksum is checked again before each use.
            String problem = mismatch(file, target);
            if (problem != null) {
                throw new CaptionerException(target + ": " + problem + "; it changed since it was downloaded (delete it "
                        + "to download it again)");
            }
            return target;
        }
        Path part = dir.resolve(file.fileName() + ".part");
        try {
            Files.createDirectories(dir);
        } catch (IOException e) {
            throw new CaptionerException(dir + ": cannot create: " + e.getMessage(), e);
        }
        List<String> problems = new ArrayList<>();
        int unreachable = 0;
        for (String url : file.urls()) {
            try {
                transferWithRetries(file, url, part);
                verifyAndCommit(file, part, target);
                return target;
            } catch (ConnectException | UnknownHostException | NoRouteToHostException e) {
                unreachable++;
                problems.add(url + ": cannot connect (" + e.getClass().getSimpleName() + ")");
            } catch (NotThere e) {
                problems.add(e.getMessage());
            } catch (ChecksumMismatch e) {
                problems.add(e.getMessage());
            } catch (IOException e) {
                problems.add(url + ": " + e.getMessage());
            }
            if (file.urls().size() > 1) {
                log.println("download: " + problems.get(problems.size() - 1)
                        + (url.equals(file.urls().get(file.urls().size() - 1)) ? "" : "; trying the next address"));
            }
        }
        boolean none = unreachable == file.urls().size();
        throw new DownloadFailedException(file, none, "cannot download " + file.fileName() + ": "
                + String.join("; ", problems) + (none ? "" : " (run again to resume)"));
    }

    /** A downloaded file whose checksum is not the published one. */
    private static final class ChecksumMismatch extends IOException {
        private static final long serialVersionUID = 1L;

        ChecksumMismatch(String message) {
            super(message);
        }
    }

    private void transferWithRetries(RemoteFile file, String url, Path part) throws IOException {
        for (int attempt = 1; ; attempt++) {
            try {
                transfer(file, url, part);
                return;
            } catch (ConnectException | UnknownHostException | NoRouteToHostException | NotThere e) {
                throw e;
            } catch (IOException e) {
                if (attempt >= settings.attempts()) {
                    throw new IOException(e.getMessage() + " (gave up after " + attempt + " attempts)", e);
                }
                long wait = settings.backoff().toMillis() << (attempt - 1);
                long have = Files.isRegularFile(part) ? Files.size(part) : 0;
                log.printf(Locale.ROOT, "download: %s: %s after %s; resuming in %.1f s%n", file.fileName(),
                        e.getMessage(), RemoteFile.humanSize(have), wait / 1000.0);
                try {
                    Thread.sleep(wait);
                } catch (InterruptedException ie) {
                    Thread.currentThread().interrupt();
                    throw new IOException("interrupted (run again to resume)", ie);
                }
            }
        }
    }

    /** One HTTP transfer into the part file, resuming from what it already holds. */
    private void transfer(RemoteFile file, String url, Path part) throws IOException {
        long have = Files.isRegularFile(part) ? Files.size(part) : 0;
        HttpURLConnection c = (HttpURLConnection) URI.create(url).toURL().openConnection();
        c.setConnectTimeout((int) settings.connectTimeout().toMillis());
        c.setReadTimeout((int) settings.readTimeout().toMillis());
        c.setInstanceFollowRedirects(true);
        c.setRequestProperty("User-Agent", "captioner");
        if (have > 0) {
            c.setRequestProperty("Range", "bytes=" + have + "-");
        }
        try {
            boolean append = resumes(c, url, part, have);
            long total = c.getContentLengthLong() < 0 ? file.size() : c.getContentLengthLong() + (append ? have : 0);
            long cap = settings.cap(file);
            if (total > cap) {
                throw new NotThere(url + ": " + RemoteFile.humanSize(total) + ", over the limit of "
                        + RemoteFile.humanSize(cap) + " for " + file.fileName() + " (--max-download-gb for a mirror)");
            }
            copy(c, file, url, part, append ? have : 0, total, cap);
        } catch (SocketTimeoutException e) {
            throw new IOException("no data for " + settings.readTimeout().toSeconds() + " s", e);
        } catch (FileNotFoundException e) {
            throw new NotThere(url + ": not found");
        } finally {
            c.disconnect();
        }
    }

    /**
     * Reads the answer's status.
     *
     * @return whether the server sends the bytes after those the part file holds (append), or the
     *     whole file (start again)
     */
    private static boolean resumes(HttpURLConnection c, String url, Path part, long have) throws IOException {
        int status = c.getResponseCode();
        if (status == 416 && have > 0) {
            // The server will not resume from what the part file holds (it may be longer than
            // the file now is): the part file cannot be trusted, start again.
            Files.deleteIfExists(part);
            throw new IOException("the server refused to resume at byte " + have + " (HTTP 416); starting again");
        }
        if (status == 404 || status == 410 || status == 403) {
            throw new NotThere(url + ": HTTP " + status);
        }
        if (status != 200 && status != 206) {
            throw new IOException("HTTP " + status);
        }
        boolean append = status == 206;
        if (append) {
            // Appending is right only if the server sends exactly the bytes after those held.
            long start = rangeStart(c.getHeaderField("Content-Range"));
            if (start != have) {
                Files.deleteIfExists(part);
                throw new IOException("the server resumed at " + (start < 0 ? "an unknown byte" : "byte " + start)
                        + ", not " + have + "; starting again");
            }
        }
        return append;
    }

    /** Copies the body into the part file (appending after {@code from} bytes), never past {@code cap}. */
    private void copy(HttpURLConnection c, RemoteFile file, String url, Path part, long from, long total, long cap)
            throws IOException {
        try (InputStream in = c.getInputStream();
                OutputStream out = Files.newOutputStream(part, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                        from > 0 ? StandardOpenOption.APPEND : StandardOpenOption.TRUNCATE_EXISTING);
                Progress progress = Progress.start(log, "download " + file.fileName(),
                        total > 0 ? total / 1024 : -1, "KiB")) {
            long done = from;
            progress.stepBy(done / 1024);
            byte[] buf = new byte[1 << 16];
            long pending = 0;
            int n;
            while ((n = in.read(buf)) > 0) {
                if (done + n > cap) {
                    out.close();
                    Files.deleteIfExists(part);
                    throw new NotThere(url + ": sent more than the limit of " + RemoteFile.humanSize(cap) + " for "
                            + file.fileName() + "; deleted what came (--max-download-gb for a mirror)");
                }
                out.write(buf, 0, n);
                done += n;
                pending += n;
                if (pending >= 1024) {
                    progress.stepBy(pending / 1024);
                    pending %= 1024;
                }
            }
            if (total > 0 && done < total) {
                throw new IOException("connection closed at " + done + " of " + total + " bytes");
            }
        }
    }

    /**
     * @param contentRange a {@code Content-Range} header ({@code bytes START-END/TOTAL}), or null
     * @return its start, or -1 if there is none or it cannot be read
     */
    static long rangeStart(String contentRange) {
        if (contentRange == null) {
            return -1;
        }
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("bytes\\s+(\\d+)-\\d+/(\\d+|\\*)")
                .matcher(contentRange.strip());
        return m.matches() ? Long.parseLong(m.group(1)) : -1;
    }

    /**
     * Checks the part file against the published checksums (or, where none is published, the
     * SHA-256 recorded at the first download) and only then gives it its final name.
     */
    private void verifyAndCommit(RemoteFile file, Path part, Path target) throws IOException {
        String sha256 = Digests.of(part, "SHA-256");
        Path record = recordOf(target);
        String problem = mismatch(file, part, record, sha256);
        if (problem != null) {
            Files.deleteIfExists(part);
            throw new ChecksumMismatch(file.fileName() + ": the downloaded file has " + problem
                    + "; deleted it (a mirror must serve identical bytes)");
        }
        AtomicFiles.commit(part, target);
        if (!file.hasPublishedChecksum() && !Files.isRegularFile(record)) {
            AtomicFiles.writeString(record, sha256 + "\n");
            log.println("download: no checksum is published for " + file.fileName() + "; recorded its SHA-256 "
                    + sha256 + " in " + record + " and later downloads must match it");
        }
    }

    /** @return what is wrong with a final file's checksums, or null if they are the expected ones */
    private static String mismatch(RemoteFile file, Path target) {
        try {
            return mismatch(file, target, recordOf(target), Digests.of(target, "SHA-256"));
        } catch (IOException e) {
            throw new CaptionerException(target + ": cannot read: " + e.getMessage(), e);
        }
    }

    /**
     * @param file the catalogue's entry
     * @param bytes the file whose checksums to compare
     * @param record where the SHA-256 of a file without a published checksum was recorded
     * @param sha256 the file's SHA-256
     * @return the difference from the published (or recorded) checksums, or null
     */
    private static String mismatch(RemoteFile file, Path bytes, Path record, String sha256) throws IOException {
        String md5 = file.md5() == null ? null : Digests.of(bytes, "MD5");
        String expectedSha = file.sha256() != null ? file.sha256()
                : Files.isRegularFile(record) ? Files.readString(record).strip() : null;
        if (md5 != null && !md5.equals(file.md5())) {
            return "MD5 " + md5 + ", expected " + file.md5();
        }
        if (expectedSha != null && !expectedSha.equalsIgnoreCase(sha256)) {
            return "SHA-256 " + sha256 + ", expected " + expectedSha
                    + (file.sha256() == null ? " (recorded at its first download in " + record + ")" : "");
        }
        return null;
    }

    /**
     * @param file a downloaded file
     * @return where the SHA-256 of its first download is recorded when no checksum is published
     */
    public static Path recordOf(Path file) {
        return file.resolveSibling(file.getFileName() + ".sha256");
    }
}
