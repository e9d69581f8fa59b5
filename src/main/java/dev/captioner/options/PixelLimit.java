package dev.captioner.options;

import dev.captioner.image.ImageLoader;
import picocli.CommandLine.Option;

/**
 * {@code --max-pixels}: the largest image decoded, declared here once for every command and job
 * that reads images.
 */
public final class PixelLimit {

    /** The server's default: its heap (-Xmx) also bounds the pixels it decodes at once. */
    public static final long SERVE_DEFAULT = 40_000_000L;

    @Option(names = "--max-pixels", paramLabel = "N",
            description = "Refuse images with more pixels than this (default: " + ImageLoader.DEFAULT_MAX_PIXELS_TEXT
                    + "; serve: 40000000, as its heap also bounds the pixels decoded at once); on a batch, the image "
                    + "is reported and skipped.")
    Long maxPixels;

    /** @return the limit given or the default, checked to be positive */
    public long maxPixels() {
        return maxPixelsOr(ImageLoader.DEFAULT_MAX_PIXELS);
    }

    /**
     * @param otherwise the command's default
     * @return the limit given or {@code otherwise}, checked to be positive
     */
    public long maxPixelsOr(long otherwise) {
        long n = maxPixels == null ? otherwise : maxPixels;
        if (n < 1) {
            throw new IllegalArgumentException("--max-pixels must be positive, was " + n);
        }
        return n;
    }
}
