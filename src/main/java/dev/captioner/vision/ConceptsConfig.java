package dev.captioner.vision;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import dev.captioner.util.AtomicFiles;
import dev.captioner.util.CaptionerException;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;

/**
 * Settings and results of a trained concepts encoder, saved as {@code concepts.json} beside its
 * parameters.
 *
 * @param imageSize input width and height in pixels (32 to 256)
 * @param channels widths of the four convolution blocks
 * @param featureDim length of the feature (the penultimate layer)
 * @param labels the concepts predicted: frequent words and word pairs of the training captions
 * @param epochs training epochs
 * @param batchSize images per step
 * @param learningRate Adam's learning rate
 * @param seed seed of initialisation and shuffling
 * @param devMeanAveragePrecision mean average precision over labels on the dev split, once trained
 */
public record ConceptsConfig(
        @JsonProperty("image_size") int imageSize,
        @JsonProperty("channels") List<Integer> channels,
        @JsonProperty("feature_dim") int featureDim,
        @JsonProperty("labels") List<String> labels,
        @JsonProperty("epochs") int epochs,
        @JsonProperty("batch_size") int batchSize,
        @JsonProperty("learning_rate") float learningRate,
        @JsonProperty("seed") long seed,
        @JsonProperty("dev_map") Double devMeanAveragePrecision) {

    /** File name of the settings inside an encoder directory. */
    public static final String FILE = "concepts.json";
    private static final ObjectMapper MAPPER = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    /** Validates the settings. */
    public ConceptsConfig {
        if (imageSize < 32 || imageSize > 256 || imageSize % 16 != 0) {
            throw new IllegalArgumentException("image_size must be a multiple of 16 from 32 to 256, was " + imageSize);
        }
        if (channels == null || channels.size() != 4 || channels.stream().anyMatch(c -> c < 1)) {
            throw new IllegalArgumentException("channels must be four positive widths, was " + channels);
        }
        if (featureDim < 1) {
            throw new IllegalArgumentException("feature_dim must be positive, was " + featureDim);
        }
        if (labels == null || labels.isEmpty()) {
            throw new IllegalArgumentException("labels must not be empty");
        }
        if (epochs < 1 || batchSize < 1 || !(learningRate > 0)) {
            throw new IllegalArgumentException("epochs, batch_size and learning_rate must be positive");
        }
        channels = List.copyOf(channels);
        labels = List.copyOf(labels);
    }

    /** @return a copy with the dev score set */
    public ConceptsConfig withDevMap(double map) {
        return new ConceptsConfig(imageSize, channels, featureDim, labels, epochs, batchSize, learningRate, seed, map);
    }

    /** @param dir encoder directory to write {@value #FILE} into */
    public void save(Path dir) {
        try {
            AtomicFiles.write(dir.resolve(FILE), MAPPER.writeValueAsBytes(this));
        } catch (IOException e) {
            throw new CaptionerException(dir.resolve(FILE) + ": cannot write: " + e.getMessage(), e);
        }
    }

    /**
     * @param dir an encoder directory
     * @return its settings
     */
    public static ConceptsConfig load(Path dir) {
        Path file = dir.resolve(FILE);
        try {
            return MAPPER.readValue(file.toFile(), ConceptsConfig.class);
        } catch (IOException e) {
            String msg = e.getCause() instanceof IllegalArgumentException iae ? iae.getMessage() : e.getMessage();
            throw new CaptionerException(file + ": not a concepts encoder: " + msg, e);
        }
    }
}
