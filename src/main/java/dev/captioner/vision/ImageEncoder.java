package dev.captioner.vision;

import dev.captioner.image.RgbImage;
import dev.captioner.image.Preprocessing;
import dev.captioner.image.DecodeScale;
/**
 * A pretrained network that turns an image into a fixed-length feature: one pooled vector, or
 * (for attention models) a spatial grid of annotation vectors, flattened. Implementations are
 * safe to call from several threads at once.
 */
public interface ImageEncoder extends AutoCloseable {

    /** @return the encoder's name in the encoder registry ({@link Encoders}) */
    String name();

    /** @return length of a feature vector; for a grid, the flattened grid ({@code H × W × D}) */
    int featureDim();

    /** @return the grid this encoder gives, or null when it gives one pooled vector per image */
    default GridShape grid() {
        return null;
    }

    /**
     * Switches this encoder to grids of annotation vectors (for attention models); returns it.
     *
     * @return this encoder, giving grids
     * @throws dev.captioner.util.CaptionerException if it has no grid to give
     */
    default ImageEncoder gridded() {
        throw new dev.captioner.util.CaptionerException("the " + name() + " encoder gives no grid, only pooled vectors");
    }

    /** @return the card of an exported encoder (how images are prepared, which outputs are used), or null */
    default EncoderCard card() {
        return null;
    }

    /**
     * Prepares an image as this network needs it: by default resized with PIL's nearest rule
     * (as Keras' {@code load_img}) and then {@link #preprocessing()}.
     *
     * @param image decoded RGB pixels of any size
     * @return the network's input, flattened channels-first
     */
    default float[] prepare(RgbImage image) {
        return ImageInputs.of(image, imageSize(), preprocessing());
    }

    /**
     * How much smaller than stored an image may be decoded for {@link #prepare} to see what it
     * needs: by default enough pixels to cover the square input the default resize squashes to.
     *
     * @return the fast path's decode scale
     */
    default DecodeScale decodeScale() {
        return DecodeScale.covering(imageSize(), imageSize());
    }

    /** @return whether it gives pooled vectors or grids */
    default FeatureKind kind() {
        return grid() == null ? FeatureKind.POOLED : FeatureKind.GRID;
    }

    /** @return width and height of the network input in pixels */
    int imageSize();

    /** @return how pixels become network input after the resize (null when {@link #prepare} does it all) */
    Preprocessing preprocessing();

    /** @return SHA-256 of the weights file, so features and models can say what made them */
    String weightsSha256();

    /** @return where the weights were read from, or null if they were not read from a file */
    default java.nio.file.Path weightsLocation() {
        return null;
    }

    /**
     * @return forward FLOPs of one image (a multiply-add is two), what benchmarks set their rate
     *     against; NaN when the network's arithmetic is not known
     */
    default double flopsPerImage() {
        return Double.NaN;
    }

    /**
     * Runs the network on a batch.
     *
     * @param batch {@code [n, 3, S, S]} preprocessed input, flattened
     * @param n batch size
     * @return {@code [n, featureDim]} features
     */
    float[][] encode(float[] batch, int n);

    /**
     * Resizes (like Keras' {@code load_img}), preprocesses and encodes one image.
     *
     * @param image decoded RGB image of any size
     * @return its feature vector
     */
    default float[] encode(RgbImage image) {
        return encode(prepare(image), 1)[0];
    }

    /**
     * Encodes prepared inputs as one batch.
     *
     * @param inputs inputs from {@link ImageInputs#of(RgbImage, ImageEncoder)}
     * @return one feature vector per input, in order
     */
    default float[][] encode(java.util.List<float[]> inputs) {
        return inputs.isEmpty() ? new float[0][] : encode(ImageInputs.batch(inputs), inputs.size());
    }

    /**
     * The most images per network call that stays fast on a CPU. Larger batches are not always
     * faster: VGG16's activations at batch 16 are 100–200 MB each, fresh memory on every call that
     * page-faults in, so it is fastest one image at a time, while MobileNet gains from batching
     * (measured rates: docs/performance.md). Callers that do not expose a batch size to the user
     * encode through {@link #encodeInEfficientBatches}.
     *
     * @return images per call, at least 1
     */
    default int efficientBatch() {
        return 16;
    }

    /**
     * Encodes prepared inputs in calls of at most {@link #efficientBatch()} images.
     *
     * @param inputs inputs from {@link ImageInputs#of(RgbImage, ImageEncoder)}
     * @return one feature vector per input, in order
     */
    default float[][] encodeInEfficientBatches(java.util.List<float[]> inputs) {
        int step = Math.max(1, efficientBatch());
        if (inputs.size() <= step) {
            return encode(inputs);
        }
        float[][] out = new float[inputs.size()][];
        for (int i = 0; i < inputs.size(); i += step) {
            float[][] part = encode(inputs.subList(i, Math.min(inputs.size(), i + step)));
            System.arraycopy(part, 0, out, i, part.length);
        }
        return out;
    }

    @Override
    void close();
}
