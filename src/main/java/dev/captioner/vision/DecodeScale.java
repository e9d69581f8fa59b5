package dev.captioner.vision;

/**
 * How much smaller than stored an image may be decoded: the largest whole factor by which the
 * decoder may subsample it and still leave at least as many pixels as the encoder's resize
 * reads. Decoding a 12-megapixel photo at 1/13 of its width for a 224-pixel network skips most
 * of the work of producing pixels that the resize would throw away.
 *
 * <p>{@link #FULL} is the Keras-exact path (every stored pixel decoded, then the encoder's own
 * resize), which features, training and evaluation use; an encoder's {@link
 * ImageEncoder#decodeScale()} is the fast path captioning uses unless asked for exact decoding.
 */
@FunctionalInterface
public interface DecodeScale {

    /** Decode every pixel. */
    DecodeScale FULL = (width, height) -> 1;

    /**
     * @param width the image's width as it will be seen (after its EXIF orientation)
     * @param height its height as it will be seen
     * @return the subsampling factor, at least 1
     */
    int factor(int width, int height);

    /**
     * The factor for an encoder that squashes any image to {@code width × height}: the decoded
     * image still has at least that many columns and rows.
     *
     * @param width the network input's width
     * @param height its height
     * @return the scale
     */
    static DecodeScale covering(int width, int height) {
        return (w, h) -> Math.max(1, Math.min(w / width, h / height));
    }

    /**
     * The factor for an encoder that resizes the shorter side to {@code side} (then crops): the
     * decoded shorter side stays at least {@code side}.
     *
     * @param side the shorter side before the crop
     * @return the scale
     */
    static DecodeScale shorterSide(int side) {
        return (w, h) -> Math.max(1, Math.min(w, h) / side);
    }
}
