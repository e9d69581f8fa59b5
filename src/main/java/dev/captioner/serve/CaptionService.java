package dev.captioner.serve;

import dev.captioner.decode.Caption;
import dev.captioner.vision.GridShape;
import dev.captioner.vision.RgbImage;
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

    /** @return the grid an attention model's weights are over, or null if the model has no attention */
    default GridShape attentionGrid() {
        return null;
    }
}
