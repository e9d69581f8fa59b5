package dev.captioner.model;

import com.fasterxml.jackson.annotation.JsonAnyGetter;
import com.fasterxml.jackson.annotation.JacksonInject;
import com.fasterxml.jackson.annotation.JsonIgnore;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.databind.InjectableValues;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.captioner.data.Cleaning;
import dev.captioner.util.AtomicFiles;
import dev.captioner.util.CaptionerException;
import dev.captioner.vision.EncoderCard;
import dev.captioner.vision.FeatureKind;
import dev.captioner.vision.GridShape;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Map;

/**
 * What a trained caption model is, as saved in its directory's {@code config.json}: the
 * {@link ModelSpec} the user asked for (architecture, sizes, cleaning), and what the data then
 * decided (vocabulary size, longest caption, the encoder whose features it reads, where it was
 * trained). Made with {@link #of}; the spec's own checks are not repeated here.
 *
 * @param architecture the network's architecture
 * @param embed word embedding size
 * @param units LSTM state size and the width of the image projection and decoder head
 * @param dropout dropout rate on the image feature and the embeddings
 * @param vocabularySize output width (distinct tokens + 1)
 * @param maxLength most tokens in a training caption, markers included
 * @param cleaning caption cleaning
 * @param minCount vocabulary minimum count
 * @param encoder the encoder that made the features
 * @param data where and in which layout the training data was
 * @param settings the architecture's own settings (see {@link ArchitectureSettings}), saved under
 *     their {@linkplain ArchitectureSettings#key() key}
 */
public record ModelConfig(
        @JsonProperty("architecture") Architecture architecture,
        @JsonProperty("embed") int embed,
        @JsonProperty("units") int units,
        @JsonProperty("dropout") float dropout,
        @JsonProperty("vocabulary_size") int vocabularySize,
        @JsonProperty("max_length") int maxLength,
        @JsonProperty("cleaning") Cleaning cleaning,
        @JsonProperty("min_count") int minCount,
        @JsonProperty("encoder") EncoderInfo encoder,
        @JsonProperty("data") DataInfo data,
        @JacksonInject(SETTINGS) ArchitectureSettings settings) {

    /** File name inside a model directory. */
    public static final String FILE = ModelDirectory.CONFIG;
    private static final ObjectMapper MAPPER = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
    /** What {@code config.json}'s reader injects: the settings read under the architecture's key. */
    private static final String SETTINGS = "architecture-settings";

    /**
     * The encoder recorded with a model, so that {@code caption} can compute the same features.
     *
     * @param name the encoder's name in the encoder registry
     * @param featureDim feature length
     * @param imageSize input size in pixels
     * @param weightsSha256 SHA-256 of the weights file
     * @param weights where the weights were when the features were made (a hint; may be null)
     * @param grid the grid of annotation vectors the features are, or null for pooled vectors
     * @param card an exported encoder's card (how images become its input), or null
     */
    public record EncoderInfo(
            @JsonProperty("name") String name,
            @JsonProperty("feature_dim") int featureDim,
            @JsonProperty("image_size") int imageSize,
            @JsonProperty("weights_sha256") String weightsSha256,
            @JsonProperty("weights") String weights,
            @JsonProperty("grid") @JsonInclude(JsonInclude.Include.NON_NULL) GridShape grid,
            @JsonProperty("card") @JsonInclude(JsonInclude.Include.NON_NULL) EncoderCard card) {

        /** An encoder of pooled vectors. */
        public EncoderInfo(String name, int featureDim, int imageSize, String weightsSha256, String weights) {
            this(name, featureDim, imageSize, weightsSha256, weights, null, null);
        }

        /** An encoder without a card. */
        public EncoderInfo(String name, int featureDim, int imageSize, String weightsSha256, String weights,
                GridShape grid) {
            this(name, featureDim, imageSize, weightsSha256, weights, grid, null);
        }

        /** @return pooled vectors or grids */
        @JsonIgnore
        public FeatureKind kind() {
            return grid == null ? FeatureKind.POOLED : FeatureKind.GRID;
        }
    }

    /**
     * Where a model was trained.
     *
     * @param location the dataset path as given
     * @param format its layout
     * @param trainImages images in the training split
     */
    public record DataInfo(
            @JsonProperty("location") String location,
            @JsonProperty("format") String format,
            @JsonProperty("train_images") int trainImages) {}

    /** Validates what the data decided; the spec's fields are checked by {@link ModelSpec}. */
    public ModelConfig {
        if (encoder == null) {
            throw new IllegalArgumentException("encoder is required");
        }
        new ModelSpec(architecture, embed, units, dropout, cleaning, minCount, settings);
        if (vocabularySize < 2 || maxLength < 2) {
            throw new IllegalArgumentException("vocabulary_size and max_length must be at least 2");
        }
        if (encoder.featureDim() < 1) {
            throw new IllegalArgumentException("encoder.feature_dim must be positive");
        }
        if (encoder.grid() != null && encoder.grid().size() != encoder.featureDim()) {
            throw new IllegalArgumentException("encoder.grid " + encoder.grid() + " does not hold encoder.feature_dim "
                    + encoder.featureDim() + " values");
        }
        if (!architecture.reads(encoder.kind())) {
            throw new IllegalArgumentException("a " + architecture + " model reads " + architecture.features().id()
                    + " features, but encoder.grid says " + encoder.kind().id());
        }
    }

    /**
     * @param spec what the user asked for
     * @param vocabularySize output width (distinct tokens + 1)
     * @param maxLength most tokens in a training caption, markers included
     * @param encoder the encoder that made the features
     * @param data where the training data was, or null
     * @return the configuration to save
     */
    public static ModelConfig of(ModelSpec spec, int vocabularySize, int maxLength, EncoderInfo encoder, DataInfo data) {
        return new ModelConfig(spec.architecture(), spec.embed(), spec.units(), spec.dropout(), vocabularySize, maxLength,
                spec.cleaning(), spec.minCount(), encoder, data, spec.settings());
    }

    /** @return what the user asked for */
    @JsonIgnore
    public ModelSpec spec() {
        return new ModelSpec(architecture, embed, units, dropout, cleaning, minCount, settings);
    }

    /**
     * @param type the settings' record type
     * @param <T> that type
     * @return the architecture's settings as that type
     * @throws IllegalStateException if the architecture takes another kind
     */
    public <T extends ArchitectureSettings> T settings(Class<T> type) {
        return ModelSpec.settingsAs(architecture, settings, type);
    }

    /** @return the architecture's own settings under their key, for {@code config.json} */
    @JsonAnyGetter
    Map<String, Object> savedSettings() {
        return settings.key() == null ? Map.of() : Map.of(settings.key(), settings);
    }

    /** @return the architecture's own settings (saved under their key, not as a field of their own) */
    @Override
    @JsonIgnore
    public ArchitectureSettings settings() {
        return settings;
    }

    /**
     * Reads {@code config.json}: the architecture says which settings record it holds, and under
     * which key; the rest is read as the record's fields, any other key refused as unknown.
     */
    private static ModelConfig fromJson(ObjectNode node) throws IOException {
        ObjectNode rest = node.deepCopy();
        if (node.has("settings")) {
            // The record's own name for them, which the file never uses (they go under their key).
            throw new IllegalArgumentException("Unrecognized field \"settings\"");
        }
        JsonNode id = node.get("architecture");
        if (id == null || !id.isTextual()) {
            throw new IllegalArgumentException("field 'architecture' is missing");
        }
        Architecture a = MAPPER.treeToValue(id, Architecture.class);
        ArchitectureSettings settings = a.defaultSettings();
        if (settings.key() != null) {
            JsonNode saved = rest.remove(settings.key());
            if (saved == null) {
                throw new IllegalArgumentException("field '" + settings.key() + "' is missing: the " + a.id()
                        + " architecture saves its settings there");
            }
            settings = MAPPER.treeToValue(saved, settings.getClass());
        }
        return MAPPER.readerFor(ModelConfig.class).with(new InjectableValues.Std().addValue(SETTINGS, settings))
                .readValue(rest);
    }

    /** @return what the model reads: pooled vectors or grids */
    @JsonIgnore
    public FeatureKind features() {
        return encoder.kind();
    }

    /**
     * @return the grid over which each word's attention map is spread, or null when the
     *     architecture yields no maps
     */
    @JsonIgnore
    public GridShape attentionGrid() {
        return architecture.attentionMaps() ? encoder.grid() : null;
    }

    /** @return the grid the model attends over: the encoder's (attention models only) */
    @JsonIgnore
    public GridShape grid() {
        return encoder.grid();
    }

    /** @return the feature length the model reads */
    @JsonIgnore
    public int featureDim() {
        return encoder.featureDim();
    }

    /** @param dir model directory to write {@code config.json} into */
    public void save(Path dir) {
        try {
            AtomicFiles.write(dir.resolve(FILE), MAPPER.writeValueAsBytes(this));
        } catch (IOException e) {
            throw new CaptionerException(dir.resolve(FILE) + ": cannot write: " + e.getMessage(), e);
        }
    }

    /**
     * @param dir a model directory
     * @return its configuration
     */
    public static ModelConfig load(Path dir) {
        Path file = dir.resolve(FILE);
        try {
            JsonNode tree = MAPPER.readTree(file.toFile());
            if (!(tree instanceof ObjectNode node)) {
                throw new IllegalArgumentException("not a JSON object");
            }
            return fromJson(node);
        } catch (IOException e) {
            Throwable c = e.getCause();
            String msg = c instanceof IllegalArgumentException ? c.getMessage()
                    : e instanceof com.fasterxml.jackson.core.JsonProcessingException j ? j.getOriginalMessage()
                    : e.getMessage();
            throw new CaptionerException(file + ": not a caption model configuration: " + msg, e);
        } catch (IllegalArgumentException e) {
            throw new CaptionerException(file + ": not a caption model configuration: " + e.getMessage(), e);
        }
    }
}
