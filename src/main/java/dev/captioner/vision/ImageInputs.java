package dev.captioner.vision;

import dev.captioner.image.RgbImage;
import dev.captioner.image.Preprocessing;
import dev.captioner.image.KerasResize;
import dev.captioner.image.ImageLoader;
import java.util.List;

/**
 * The one path from decoded pixels to network input, used by feature extraction, captioning, the
 * server and encoder training alike: resize with PIL's nearest rule to the network's size (as
 * Keras' {@code load_img(target_size=...)}), then the network's preprocessing; and the one place
 * where single inputs become a batch. Decoding itself is {@link ImageLoader}'s.
 */
public final class ImageInputs {

    private ImageInputs() {}

    /**
     * @param image decoded RGB pixels of any size
     * @param size the network's input width and height
     * @return the image resized to {@code size × size} (itself if it already is)
     */
    public static RgbImage resized(RgbImage image, int size) {
        return KerasResize.nearest(image, size, size);
    }

    /**
     * @param image decoded RGB pixels of any size
     * @param size the network's input width and height
     * @param preprocessing the network's preprocessing
     * @return {@code [3, size, size]} network input, flattened
     */
    public static float[] of(RgbImage image, int size, Preprocessing preprocessing) {
        return preprocessing.toChw(resized(image, size));
    }

    /**
     * @param image decoded RGB pixels of any size
     * @param encoder the network the input is for
     * @return the input for {@code encoder} ({@code [3, H, W]}), flattened, as it prepares images
     */
    public static float[] of(RgbImage image, ImageEncoder encoder) {
        return encoder.prepare(image);
    }

    /**
     * @param inputs {@code n} inputs of equal length {@code L}
     * @return {@code [n, L]} flattened, what {@link ImageEncoder#encode(float[], int)} takes
     */
    public static float[] batch(List<float[]> inputs) {
        if (inputs.isEmpty()) {
            return new float[0];
        }
        int per = inputs.get(0).length;
        float[] flat = new float[per * inputs.size()];
        for (int i = 0; i < inputs.size(); i++) {
            float[] x = inputs.get(i);
            if (x.length != per) {
                throw new IllegalArgumentException("input " + i + " has " + x.length + " values, the first " + per);
            }
            System.arraycopy(x, 0, flat, i * per, per);
        }
        return flat;
    }
}
