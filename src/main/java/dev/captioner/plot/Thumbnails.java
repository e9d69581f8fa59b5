package dev.captioner.plot;

import dev.captioner.data.Dataset;
import dev.captioner.data.ImageRecord;
import dev.captioner.image.ImageLoader;
import java.awt.image.BufferedImage;
import java.io.InputStream;

/** Loads dataset images for plots; an unreadable image becomes a blank cell rather than an error. */
final class Thumbnails {

    private static final ImageLoader LOADER = ImageLoader.withDefaults();

    private Thumbnails() {}

    static BufferedImage load(Dataset dataset, ImageRecord image) {
        if (!image.present()) {
            return null;
        }
        try (InputStream in = dataset.open(image)) {
            return LOADER.read(in, dataset.describe(image)).toBufferedImage();
        } catch (Exception e) {
            return null;
        }
    }
}
