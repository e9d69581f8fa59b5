package dev.captioner.model;

import com.fasterxml.jackson.annotation.JsonIgnore;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import dev.captioner.data.Cleaning;
import dev.captioner.util.AtomicFiles;
import dev.captioner.util.CaptionerException;
import dev.captioner.vision.EncoderCard;
import dev.captioner.vision.FeatureKind;
import dev.captioner.vision.GridShape;
import java.io.IOException;
import java.nio.file.Path;

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
 * @param attention the attention layer's settings, for architectures with one (else null)
 * @param transformer the transformer's settings, for the transformer (else null)
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
        @JsonProperty("attention") @JsonInclude(JsonInclude.Include.NON_NULL) ModelSpec.AttentionSpec attention,
        @JsonProperty("transformer") @JsonInclude(JsonInclude.Include.NON_NULL) ModelSpec.TransformerSpec transformer) {

    /** File name inside a model directory. */
    public static final String FILE = ModelDirectory.CONFIG;
    private static final ObjectMapper MAPPER = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

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
        if (architecture != null && architecture.attentionLayer() != (attention != null)) {
            throw new IllegalArgumentException("attention settings go with, and only with, an architecture with an "
                    + "attention layer");
        }
        if (architecture != null && architecture.transformerLayers() != (transformer != null)) {
            throw new IllegalArgumentException("transformer settings go with, and only with, the transformer");
        }
        spec(architecture, embed, units, dropout, cleaning, minCount, attention, transformer);
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
                spec.cleaning(), spec.minCount(), encoder, data,
                spec.architecture().attentionLayer() ? spec.attention() : null,
                spec.architecture().transformerLayers() ? spec.transformer() : null);
    }

    private static ModelSpec spec(Architecture architecture, int embed, int units, float dropout, Cleaning cleaning,
            int minCount, ModelSpec.AttentionSpec attention, ModelSpec.TransformerSpec transformer) {
        return new ModelSpec(architecture, embed, units, dropout, cleaning, minCount,
                attention == null ? ModelSpec.AttentionSpec.defaults() : attention,
                transformer == null ? ModelSpec.TransformerSpec.defaults() : transformer);
    }

    /** @return what the user asked for (default attention settings where the architecture has none) */
    @JsonIgnore
    public ModelSpec spec() {
        return spec(architecture, embed, units, dropout, cleaning, minCount, attention, transformer);
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
            return MAPPER.readValue(file.toFile(), ModelConfig.class);
        } catch (IOException e) {
            Throwable c = e.getCause();
            String msg = c instanceof IllegalArgumentException ? c.getMessage()
                    : e instanceof com.fasterxml.jackson.core.JsonProcessingException j ? j.getOriginalMessage()
                    : e.getMessage();
            throw new CaptionerException(file + ": not a caption model configuration: " + msg, e);
        }
    }
}
