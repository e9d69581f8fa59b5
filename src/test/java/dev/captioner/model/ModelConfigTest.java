package dev.captioner.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.captioner.util.CaptionerException;
import dev.captioner.vision.GridShape;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Each architecture's own settings record: a spec or configuration holds exactly the one its
 * architecture takes, and {@code config.json} saves it under its key, in the layout models were
 * always saved in (the attention LSTM's under {@code attention}, the transformer's under
 * {@code transformer}, none for the plain LSTMs).
 */
class ModelConfigTest {

    private static ModelConfig config(ModelSpec spec) {
        GridShape grid = spec.architecture().features() == dev.captioner.vision.FeatureKind.GRID
                ? new GridShape(2, 2, 3) : null;
        return ModelConfig.of(spec, 40, 12, new ModelConfig.EncoderInfo("vgg16", grid == null ? 8 : grid.size(), 224,
                "ab", null, grid), new ModelConfig.DataInfo("data", "flickr8k", 30));
    }

    @Test
    void everyArchitectureSavesItsOwnSettingsUnderTheirKeyAndReadsThemBack(@TempDir Path tmp) throws Exception {
        ModelSpec.AttentionSpec attention = new ModelSpec.AttentionSpec(7, 0.5f);
        ModelSpec.TransformerSpec transformer = new ModelSpec.TransformerSpec(2, 16, 4, 0, true, 1);
        List<String> keys = new ArrayList<>();
        for (Architecture a : Architecture.values()) {
            ModelSpec spec = ModelSpec.defaults(a).withSettingsFrom(attention, transformer);
            assertThat(a.takes(spec.settings())).isTrue();
            ModelConfig c = config(spec);
            Path dir = Files.createDirectories(tmp.resolve(a.id()));
            c.save(dir);
            JsonNode json = new ObjectMapper().readTree(dir.resolve(ModelConfig.FILE).toFile());
            String key = a.defaultSettings().key();
            for (String other : List.of("attention", "transformer", "settings", "key")) {
                assertThat(json.has(other)).as(a.id() + " " + other).isEqualTo(other.equals(key));
            }
            if (key != null) {
                keys.add(key);
            }
            assertThat(ModelConfig.load(dir)).isEqualTo(c);
            assertThat(ModelConfig.load(dir).spec()).isEqualTo(spec);
        }
        assertThat(keys).containsExactly("attention", "transformer");
        assertThat(config(ModelSpec.defaults(Architecture.ATTENTION).withSettings(attention))
                .settings(ModelSpec.AttentionSpec.class)).isEqualTo(attention);
    }

    @Test
    void settingsOfAnotherArchitectureAreRefused(@TempDir Path tmp) throws Exception {
        ModelSpec.TransformerSpec transformer = ModelSpec.TransformerSpec.defaults();
        assertThatThrownBy(() -> ModelSpec.defaults(Architecture.MERGE).withSettings(transformer))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("a merge model takes None settings");
        assertThat(ModelSpec.defaults(Architecture.TRANSFORMER).withArchitecture(Architecture.ATTENTION).settings())
                .isEqualTo(ModelSpec.AttentionSpec.defaults());
        assertThatThrownBy(() -> ModelSpec.defaults(Architecture.MERGE).settings(ModelSpec.AttentionSpec.class))
                .isInstanceOf(IllegalStateException.class);

        ModelConfig attention = config(ModelSpec.defaults(Architecture.ATTENTION));
        attention.save(tmp);
        Path file = tmp.resolve(ModelConfig.FILE);
        String saved = Files.readString(file);
        Files.writeString(file, saved.replace("\"attention\" : {", "\"transformer\" : {"));
        assertThatThrownBy(() -> ModelConfig.load(tmp)).isInstanceOf(CaptionerException.class)
                .hasMessageContaining("field 'attention' is missing");
        Files.writeString(file, saved.replaceFirst("\\{", "{\"transformer\": {\"layers\": 1, \"d_model\": 8, "
                + "\"heads\": 2, \"ffn\": 0, \"tie_embeddings\": false, \"attention_layer\": 0},"));
        assertThatThrownBy(() -> ModelConfig.load(tmp)).isInstanceOf(CaptionerException.class)
                .hasMessageContaining("Unrecognized field \"transformer\"");
        Files.writeString(file, saved.replace("\"alpha_reg\"", "\"alpha_regularisation\""));
        assertThatThrownBy(() -> ModelConfig.load(tmp)).isInstanceOf(CaptionerException.class)
                .hasMessageContaining("alpha_regularisation");
        Files.writeString(file, saved.replaceFirst("\\{", "{\"settings\": {\"dim\": 8, \"alpha_reg\": 1.0},"));
        assertThatThrownBy(() -> ModelConfig.load(tmp)).isInstanceOf(CaptionerException.class)
                .hasMessageContaining("Unrecognized field \"settings\"");
        Files.writeString(file, "[1, 2]");
        assertThatThrownBy(() -> ModelConfig.load(tmp)).isInstanceOf(CaptionerException.class)
                .hasMessageContaining("not a caption model configuration");
        Files.writeString(file, saved.replace("\"architecture\" : \"attention\",", ""));
        assertThatThrownBy(() -> ModelConfig.load(tmp)).isInstanceOf(CaptionerException.class)
                .hasMessageContaining("field 'architecture' is missing").hasMessageNotContaining("\n");
        Files.writeString(file, saved.replace("\"architecture\" : \"attention\"", "\"architecture\" : \"lstm9\""));
        assertThatThrownBy(() -> ModelConfig.load(tmp)).isInstanceOf(CaptionerException.class)
                .hasMessageContaining("lstm9");
    }
}
