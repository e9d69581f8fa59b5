package dev.captioner.model;

import java.io.IOException;
import java.nio.file.Path;

/** What a {@link TrainingCheckpoint} needs of a run's state: its epoch, its best epoch, and how to save it. */
interface CheckpointState {

    /** File name of the state inside a checkpoint folder. */
    String FILE = "state.json";

    /** @return the last finished epoch */
    int epoch();

    /** @return the epoch whose parameters are the best so far */
    int bestEpoch();

    /**
     * Writes {@link #FILE} into a checkpoint folder that is being assembled.
     *
     * @param dir the folder
     * @throws IOException if it cannot be written
     */
    void write(Path dir) throws IOException;
}
