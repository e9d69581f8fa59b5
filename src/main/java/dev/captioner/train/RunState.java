package dev.captioner.train;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import dev.captioner.util.CaptionerException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Where an unfinished run stands after a finished epoch, saved in that epoch's
 * {@link TrainingCheckpoint} so that {@code --resume} can continue it, whatever the objective.
 *
 * @param command the command whose run it is ({@code train}, {@code finetune})
 * @param epoch the last finished epoch (0: only the starting point, scored)
 * @param bestScore the best score so far (higher is better)
 * @param bestEpoch the epoch that reached it
 * @param badEpochs epochs since the last improvement
 * @param setup what the run trains and how, as the objective saves it: resuming needs the same
 * @param history every finished epoch, as the objective records it
 */
public record RunState(
        @JsonProperty("command") String command,
        @JsonProperty("epoch") int epoch,
        @JsonProperty("best_score") double bestScore,
        @JsonProperty("best_epoch") int bestEpoch,
        @JsonProperty("bad_epochs") int badEpochs,
        @JsonProperty("setup") JsonNode setup,
        @JsonProperty("history") JsonNode history) {

    /** File name of the state inside a checkpoint folder. */
    public static final String FILE = "state.json";
    static final ObjectMapper MAPPER = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    /**
     * Writes {@link #FILE} into a checkpoint folder being assembled.
     *
     * @param dir the folder
     * @throws IOException if it cannot be written
     */
    void write(Path dir) throws IOException {
        Files.write(dir.resolve(FILE), MAPPER.writeValueAsBytes(this));
    }

    /**
     * @param dir a committed checkpoint folder
     * @return the state in it
     */
    static RunState load(Path dir) {
        try {
            return MAPPER.readValue(dir.resolve(FILE).toFile(), RunState.class);
        } catch (IOException e) {
            throw new CaptionerException(dir.resolve(FILE) + ": unreadable run state (from another version?): "
                    + e.getMessage(), e);
        }
    }
}
