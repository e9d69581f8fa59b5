package dev.captioner.image;

/**
 * How much smaller than stored an image may be decoded: the largest whole factor by which the
 * decoder may subsample it and still leave at least as many pixels as the encoder's resize
 * reads. Decoding a 12-megapixel photo at 1/13 of its width for a 224-pixel network skips most
 * of the work of producing pixels that the resize would throw away.
 *
 * <p>{@link #FULL} is the Keras-exact path (every stored pixel decoded, then the encoder's own
 * resize), which features, training and evaluation use; an encoder's own scale
 * ({@code ImageEncoder.decodeScale()} in {@code vision}) is the fast path captioning uses unless asked for exact decoding.
 */
@FunctionalInterface
public interface DecodeScale {

    /** Decode every pixel. */
    DecodeScale FULL = (width, height) -> 1;

    /**
     * How many times finer than the resize's own spacing the decoded grid stays. The encoders'
     * nearest resize picks one stored pixel per output pixel; a grid as coarse as that spacing
     * would move each pick by up to half of it, a different sample of every texture (measured on
     * the shared photos and the Flickr8k slice: the demo model's caption changed on 22 % of them,
     * feature cosine down to 0.988). A quarter of the spacing keeps each pick within an eighth of
     * it of the exact path's (100 % identical captions, cosine at least 0.999) and costs little:
     * the JDK's JPEG decoder spends most of its time on the stored pixels whatever the factor
     * (a 12 MP photo: 58 ms whole, 37 ms at 1/4, 31 ms at 1/16).
     */
    int PHASE = 4;

    /**
     * @param width the image's width as it will be seen (after its EXIF orientation)
     * @param height its height as it will be seen
     * @return the subsampling factor, at least 1
     */
    int factor(int width, int height);

    /**
     * The factor for an encoder that squashes any image to {@code width × height}: the decoded
     * image keeps at least {@link #PHASE} times as many columns and rows (or all of them).
     *
     * @param width the network input's width
     * @param height its height
     * @return the scale
     */
    static DecodeScale covering(int width, int height) {
        return (w, h) -> Math.max(1, Math.min(w / width, h / height) / PHASE);
    }

    /**
     * The factor for an encoder that resizes the shorter side to {@code side} (then crops): the
     * decoded shorter side keeps at least {@link #PHASE} times {@code side} (or all of it).
     *
     * @param side the shorter side before the crop
     * @return the scale
     */
    static DecodeScale shorterSide(int side) {
        return (w, h) -> Math.max(1, Math.min(w, h) / side / PHASE);
    }
}
