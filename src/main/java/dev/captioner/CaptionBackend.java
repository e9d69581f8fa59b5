package dev.captioner;

import dev.captioner.data.CaptionTokenizer;
import dev.captioner.decode.Caption;
import dev.captioner.decode.DecodeSpec;
import dev.captioner.image.DecodeScale;
import dev.captioner.image.RgbImage;
import dev.captioner.vision.GridShape;
import java.util.List;
import java.util.Map;

/**
 * What a {@link Captioner} captions prepared images with: a trained model with its encoder
 * ({@link TrainedBackend}), or a pretrained folder ({@link PretrainedBackend}). Callers ask it for
 * capabilities (attention grid, tokenizer, description), never which kind it is.
 */
interface CaptionBackend extends AutoCloseable {

    /** @return the encoder's input for the image: resized and preprocessed */
    float[] prepare(RgbImage image);

    /** @return {@code [B][F]} the features of prepared images */
    float[][] encode(List<float[]> inputs);

    /** @return for each image, the search's captions, best first */
    List<List<Caption>> decode(float[][] features, DecodeSpec spec);

    /** @return how much smaller than stored files may be decoded */
    DecodeScale decodeScale();

    /** @return ids to text */
    CaptionTokenizer tokenizer();

    /** @return the grid attention maps cover, or null for a model that shows none */
    GridShape attentionGrid();

    /** @return what {@code /api/model} shows: never a path on this machine */
    Map<String, Object> describe();

    @Override
    void close();
}
