package dev.captioner.util;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/** Checksums of files. */
public final class Digests {

    private Digests() {}

    /**
     * @param file a file
     * @param algorithm a {@link MessageDigest} name: {@code MD5}, {@code SHA-256}
     * @return its digest in lower-case hex
     * @throws IOException if it cannot be read
     */
    public static String of(Path file, String algorithm) throws IOException {
        MessageDigest md = digest(algorithm);
        try (InputStream in = Files.newInputStream(file)) {
            byte[] buf = new byte[1 << 20];
            int n;
            while ((n = in.read(buf)) > 0) {
                md.update(buf, 0, n);
            }
        }
        return HexFormat.of().formatHex(md.digest());
    }

    /**
     * @param file a file
     * @return its SHA-256 in lower-case hex
     * @throws CaptionerException naming the file if it cannot be read
     */
    public static String sha256(Path file) {
        try {
            return of(file, "SHA-256");
        } catch (IOException e) {
            throw new CaptionerException(file + ": cannot read: " + e.getMessage(), e);
        }
    }

    private static MessageDigest digest(String algorithm) {
        try {
            return MessageDigest.getInstance(algorithm);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("the JDK lacks " + algorithm, e);
        }
    }
}
