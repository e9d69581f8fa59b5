package dev.captioner;

import dev.captioner.data.CaptionTokenizer;
import dev.captioner.decode.Caption;
import dev.captioner.decode.CaptionDecoder;
import dev.captioner.decode.DecodeSpec;
import dev.captioner.image.DecodeScale;
import dev.captioner.image.RgbImage;
import dev.captioner.model.CaptionModel;
import dev.captioner.model.ModelConfig;
import dev.captioner.vision.GridShape;
import dev.captioner.vision.ImageEncoder;
import dev.captioner.vision.ImageInputs;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** A model directory written by {@code captioner train}, and the encoder of its features. */
record TrainedBackend(CaptionModel model, ImageEncoder encoder, CaptionDecoder decoder) implements CaptionBackend {

    @Override
    public float[] prepare(RgbImage image) {
        return ImageInputs.of(image, encoder);
    }

    @Override
    public float[][] encode(List<float[]> inputs) {
        return encoder.encodeInEfficientBatches(inputs);
    }

    @Override
    public List<List<Caption>> decode(float[][] features, DecodeSpec spec) {
        return decoder.decode(features, spec);
    }

    @Override
    public DecodeScale decodeScale() {
        return encoder.decodeScale();
    }

    @Override
    public CaptionTokenizer tokenizer() {
        return model.vocabulary();
    }

    @Override
    public GridShape attentionGrid() {
        return model.attentionGrid();
    }

    @Override
    public Map<String, Object> describe() {
        ModelConfig c = model.config();
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("architecture", c.architecture().id());
        m.put("encoder", Captioner.withoutFolders(c.encoder().name()));
        m.put("feature_dim", c.encoder().featureDim());
        GridShape grid = attentionGrid();
        if (grid != null) {
            m.put("attention_grid", Map.of("height", grid.height(), "width", grid.width()));
        }
        m.put("vocabulary_size", c.vocabularySize());
        m.put("max_length", c.maxLength());
        if (c.data() != null) {
            m.put("trained_on", Map.of("format", c.data().format(), "train_images", c.data().trainImages()));
        }
        return m;
    }

    @Override
    public void close() {
        encoder.close();
        model.close();
    }
}
