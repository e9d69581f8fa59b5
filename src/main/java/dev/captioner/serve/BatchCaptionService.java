package dev.captioner.serve;

import dev.captioner.decode.Caption;
import dev.captioner.image.RgbImage;
import java.util.List;

/**
 * A {@link CaptionService} that can caption several images in one network call, which the
 * server uses to batch concurrent requests ({@code serve --max-batch}). Images are first turned
 * into the network's small input, so requests waiting for a batch hold kilobytes, not the
 * decoded photo.
 */
public interface BatchCaptionService extends CaptionService {

    /**
     * @param image decoded pixels
     * @return the network's input for it (resized and preprocessed)
     */
    float[] prepare(RgbImage image);

    /**
     * @param inputs prepared images
     * @param beam beam width
     * @return for each, the beam's captions, best first
     */
    List<List<Caption>> caption(List<float[]> inputs, int beam);
}
