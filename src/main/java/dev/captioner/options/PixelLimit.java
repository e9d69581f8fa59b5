package dev.captioner.options;

import dev.captioner.image.ImageLoader;
import picocli.CommandLine.Option;

/** {@code --max-pixels}: the largest image decoded, for every command and job that reads images. */
public final class PixelLimit {

    @Option(names = "--max-pixels", defaultValue = ImageLoader.DEFAULT_MAX_PIXELS_TEXT, paramLabel = "N",
            description = "Refuse images with more pixels than this (default: ${DEFAULT-VALUE}); on a batch, the image is "
                    + "reported and skipped.")
    long maxPixels;

    /** @return the limit, checked to be positive */
    public long maxPixels() {
        if (maxPixels < 1) {
            throw new IllegalArgumentException("--max-pixels must be positive, was " + maxPixels);
        }
        return maxPixels;
    }
}
