package dev.captioner.image;

import java.io.IOException;
import javax.imageio.stream.ImageInputStreamImpl;

/**
 * An encoded image in memory as ImageIO reads it, that stops giving bytes once its deadline has
 * passed: a decoder that pulls its input as it goes (libjpeg through the JDK's JPEG reader, a
 * progressive file's many scans) then fails with an {@link IOException} instead of running on.
 */
final class DeadlineImageInputStream extends ImageInputStreamImpl {

    private final byte[] bytes;
    private final long deadline;

    /**
     * @param bytes the encoded image
     * @param deadline the {@link System#nanoTime()} after which reading fails; {@link Long#MAX_VALUE}
     *     for none
     */
    DeadlineImageInputStream(byte[] bytes, long deadline) {
        this.bytes = bytes;
        this.deadline = deadline;
    }

    private void checkDeadline() throws IOException {
        if (deadline != Long.MAX_VALUE && System.nanoTime() - deadline > 0) {
            throw new IOException("decoding took longer than its time limit");
        }
    }

    @Override
    public int read() throws IOException {
        checkDeadline();
        bitOffset = 0;
        return streamPos < bytes.length ? bytes[(int) streamPos++] & 0xFF : -1;
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
        checkDeadline();
        bitOffset = 0;
        if (len == 0) {
            return 0;
        }
        if (streamPos >= bytes.length) {
            return -1;
        }
        int n = (int) Math.min(len, bytes.length - streamPos);
        System.arraycopy(bytes, (int) streamPos, b, off, n);
        streamPos += n;
        return n;
    }

    @Override
    public long length() {
        return bytes.length;
    }
}
