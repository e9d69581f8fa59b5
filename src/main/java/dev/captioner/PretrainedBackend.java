package dev.captioner;

import dev.captioner.data.CaptionTokenizer;
import dev.captioner.decode.Caption;
import dev.captioner.decode.DecodeSpec;
import dev.captioner.hf.PretrainedCaptioner;
import dev.captioner.image.DecodeScale;
import dev.captioner.image.RgbImage;
import dev.captioner.vision.GridShape;
import java.util.List;
import java.util.Map;

/** A pretrained folder: its encoder's last hidden states are the features. */
record PretrainedBackend(PretrainedCaptioner captioner) implements CaptionBackend {

    @Override
    public float[] prepare(RgbImage image) {
        return captioner.prepare(image);
    }

    @Override
    public float[][] encode(List<float[]> inputs) {
        return captioner.encode(inputs);
    }

    @Override
    public List<List<Caption>> decode(float[][] features, DecodeSpec spec) {
        return captioner.caption(features, spec);
    }

    @Override
    public DecodeScale decodeScale() {
        return captioner.decodeScale();
    }

    @Override
    public CaptionTokenizer tokenizer() {
        return captioner.tokenizer();
    }

    /** Its cross-attention spreads over heads and layers: no one map per word to show. */
    @Override
    public GridShape attentionGrid() {
        return null;
    }

    @Override
    public Map<String, Object> describe() {
        return captioner.describe();
    }

    @Override
    public void close() {
        captioner.close();
    }
}
