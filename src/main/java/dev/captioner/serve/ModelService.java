package dev.captioner.serve;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.captioner.Captioner;
import dev.captioner.decode.Caption;
import dev.captioner.model.ModelConfig;
import dev.captioner.vision.GridShape;
import dev.captioner.vision.RgbImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** The real service: a {@link Captioner} on a model directory. */
public final class ModelService implements BatchCaptionService, AutoCloseable {

    private final Captioner captioner;

    /** @param captioner a loaded captioner; closed with this service */
    public ModelService(Captioner captioner) {
        this.captioner = captioner;
    }

    @Override
    public List<Caption> caption(RgbImage image, int beam) {
        return captioner.alternatives(image, beam);
    }

    @Override
    public float[] prepare(RgbImage image) {
        return captioner.prepare(image);
    }

    @Override
    public List<List<Caption>> caption(List<float[]> inputs, int beam) {
        return captioner.alternativesOfInputs(inputs, beam);
    }

    @Override
    public GridShape attentionGrid() {
        return captioner.model().attentionGrid();
    }

    @Override
    public Map<String, Object> describe() {
        ModelConfig c = captioner.model().config();
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("architecture", c.architecture().id());
        m.put("encoder", c.encoder().name());
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
        Object metrics = metrics(captioner.model().dir());
        if (metrics != null) {
            m.put("metrics", metrics);
        }
        return m;
    }

    /** Scores, if the model sits in a run folder ({@code ../eval/*&#47;metrics.json}) or has its own. */
    private static Object metrics(Path modelDir) {
        Map<String, Object> out = new LinkedHashMap<>();
        ObjectMapper json = new ObjectMapper();
        Path own = modelDir.resolve("metrics.json");
        Path eval = modelDir.toAbsolutePath().getParent() == null ? null : modelDir.toAbsolutePath().getParent().resolve("eval");
        try {
            if (Files.isRegularFile(own)) {
                return json.readTree(own.toFile());
            }
            if (eval != null && Files.isDirectory(eval)) {
                try (var dirs = Files.list(eval)) {
                    for (Path d : dirs.sorted().toList()) {
                        if (Files.isRegularFile(d.resolve("metrics.json"))) {
                            out.put(d.getFileName().toString(), json.readTree(d.resolve("metrics.json").toFile()));
                        }
                    }
                }
            }
        } catch (IOException e) {
            return null;
        }
        return out.isEmpty() ? null : out;
    }

    @Override
    public void close() {
        captioner.close();
    }
}
