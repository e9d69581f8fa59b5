package dev.captioner.serve;

import dev.captioner.decode.Caption;
import dev.captioner.image.DecodeScale;
import dev.captioner.vision.GridShape;
import dev.captioner.image.RgbImage;
import java.util.List;
import java.util.Map;

/** What the server needs from a model: captions for an image, and a description of itself. */
public interface CaptionService {

    /**
     * @param image decoded pixels
     * @param beam beam width
     * @return the beam's captions, best first
     */
    List<Caption> caption(RgbImage image, int beam);

    /** @return what {@code GET /api/model} answers */
    Map<String, Object> describe();

    /**
     * @return how much smaller than stored an upload may be decoded for this service: every pixel
     *     unless it says otherwise
     */
    default DecodeScale decodeScale() {
        return DecodeScale.FULL;
    }

    /** @return the grid each word's attention map covers, or null if the model yields no maps */
    default GridShape attentionGrid() {
        return null;
    }

    /** Is told how long each stage of captioning took. */
    @FunctionalInterface
    interface StageTimer {
        /**
         * @param stage {@code encode} (the image network) or {@code caption} (the caption search)
         * @param seconds how long it took
         */
        void record(String stage, double seconds);
    }

    /**
     * Asks the service to report its stages' times (the server's {@code /metrics}); a service
     * that cannot tell them apart ignores it.
     *
     * @param timer receives each stage's time
     */
    default void timeStages(StageTimer timer) {
        // nothing to report by default
    }
}
