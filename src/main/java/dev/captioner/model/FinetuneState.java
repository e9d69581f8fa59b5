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
 * Where an unfinished fine-tuning run stands after a finished epoch, saved in that epoch's
 * {@link TrainingCheckpoint} so that {@code --resume} can continue it.
 *
 * @param epoch the last finished epoch (0: the starting model, scored)
 * @param bestDevCider the best dev CIDEr-D so far
 * @param bestEpoch the epoch that reached it
 * @param badEpochs epochs since the last improvement
 * @param model the model being fine-tuned
 * @param finetune the settings
 * @param history every finished epoch
 */
public record FinetuneState(
        @JsonProperty("epoch") int epoch,
        @JsonProperty("best_dev_cider") double bestDevCider,
        @JsonProperty("best_epoch") int bestEpoch,
        @JsonProperty("bad_epochs") int badEpochs,
        @JsonProperty("model") ModelConfig model,
        @JsonProperty("finetune") FinetuneConfig finetune,
        @JsonProperty("history") List<FinetuneRecord> history) implements CheckpointState {

    private static final ObjectMapper MAPPER = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    @Override
    public void write(Path dir) throws IOException {
        Files.write(dir.resolve(FILE), MAPPER.writeValueAsBytes(this));
    }

    static FinetuneState load(Path dir) {
        try {
            return MAPPER.readValue(dir.resolve(FILE).toFile(), FinetuneState.class);
        } catch (IOException e) {
            throw new CaptionerException(dir.resolve(FILE) + ": unreadable fine-tuning state: " + e.getMessage(), e);
        }
    }
}
