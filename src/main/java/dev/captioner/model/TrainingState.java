package dev.captioner.model;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import dev.captioner.util.CaptionerException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * Where an unfinished training run stands after a finished epoch, saved in that epoch's
 * {@link TrainingCheckpoint} so that {@code --resume} can continue it.
 *
 * @param epoch the last finished epoch
 * @param bestDevLoss the best dev loss so far
 * @param bestEpoch the epoch that reached it
 * @param badEpochs epochs since the last improvement
 * @param model the model being trained
 * @param train the training settings
 * @param history every finished epoch
 */
public record TrainingState(
        @JsonProperty("epoch") int epoch,
        @JsonProperty("best_dev_loss") double bestDevLoss,
        @JsonProperty("best_epoch") int bestEpoch,
        @JsonProperty("bad_epochs") int badEpochs,
        @JsonProperty("model") ModelConfig model,
        @JsonProperty("train") TrainConfig train,
        @JsonProperty("history") List<EpochRecord> history) implements CheckpointState {

    /** File name inside the training folder. */
    public static final String FILE = CheckpointState.FILE;
    private static final ObjectMapper MAPPER = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    @Override
    public void write(Path dir) throws IOException {
        Files.write(dir.resolve(FILE), MAPPER.writeValueAsBytes(this));
    }

    static TrainingState load(Path dir) {
        try {
            return MAPPER.readValue(dir.resolve(FILE).toFile(), TrainingState.class);
        } catch (IOException e) {
            throw new CaptionerException(dir.resolve(FILE) + ": unreadable training state: " + e.getMessage(), e);
        }
    }
}
