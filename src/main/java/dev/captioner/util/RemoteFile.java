package dev.captioner.util;

import java.util.List;
import java.util.Locale;

/**
 * A published file captioner can fetch: its name, the addresses that serve it (tried in order:
 * the first is the official one, the others mirrors that serve identical bytes), and what
 * checks it: a published MD5 and/or SHA-256. Where nothing is published, the SHA-256 of the
 * first download is recorded and later downloads must match it.
 *
 * @param fileName the file's name once downloaded
 * @param urls where to fetch it, in order of preference
 * @param md5 the published MD5 (lower-case hex), or null
 * @param sha256 the published or known SHA-256 (lower-case hex), or null
 * @param size its size in bytes, or -1 if unknown
 */
public record RemoteFile(String fileName, List<String> urls, String md5, String sha256, long size) {

    /** Validates the entry. */
    public RemoteFile {
        if (fileName == null || fileName.isBlank() || fileName.contains("/") || fileName.contains("\\")) {
            throw new IllegalArgumentException("a remote file needs a plain file name, was " + fileName);
        }
        urls = List.copyOf(urls);
        if (urls.isEmpty()) {
            throw new IllegalArgumentException(fileName + ": no address to fetch it from");
        }
        md5 = md5 == null ? null : md5.toLowerCase(Locale.ROOT);
        sha256 = sha256 == null ? null : sha256.toLowerCase(Locale.ROOT);
    }

    /**
     * @param base a mirror's base address, e.g. {@code https://mirror.example/flickr8k/}
     * @return the same file fetched from {@code base + fileName} only; the checksums still apply
     */
    public RemoteFile fromMirror(String base) {
        String b = base.endsWith("/") ? base : base + "/";
        return new RemoteFile(fileName, List.of(b + fileName), md5, sha256, size);
    }

    /** @return whether a published checksum checks the file */
    public boolean hasPublishedChecksum() {
        return md5 != null || sha256 != null;
    }

    /** @return the size in a form people read ("1.1 GB"), or "size unknown" */
    public String humanSize() {
        return humanSize(size);
    }

    /**
     * @param bytes a size in bytes, or a negative number when unknown
     * @return it in a form people read
     */
    public static String humanSize(long bytes) {
        if (bytes < 0) {
            return "size unknown";
        }
        if (bytes >= 1L << 30) {
            return String.format(Locale.ROOT, "%.1f GB", bytes / (double) (1L << 30));
        }
        if (bytes >= 1L << 20) {
            return String.format(Locale.ROOT, "%.1f MB", bytes / (double) (1L << 20));
        }
        return String.format(Locale.ROOT, "%.1f KB", bytes / 1024.0);
    }
}
