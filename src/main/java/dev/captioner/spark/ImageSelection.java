package dev.captioner.spark;

import java.io.Serializable;

/**
 * Which image files a job reads, and how it spreads them.
 *
 * @param images folder or file URI
 * @param glob file-name filter, or null for every file
 * @param partitions partitions, or 0 for Spark's split
 */
public record ImageSelection(String images, String glob, int partitions) implements Serializable {

    private static final long serialVersionUID = 1L;

    /** Validates the settings. */
    public ImageSelection {
        if (images == null || partitions < 0) {
            throw new IllegalArgumentException("images are required and --partitions must not be negative");
        }
    }
}
