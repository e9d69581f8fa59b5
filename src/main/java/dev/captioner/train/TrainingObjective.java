package dev.captioner.train;

import ai.djl.ndarray.NDManager;
import ai.djl.nn.Block;
import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Path;
import java.util.List;

/**
 * What a {@link TrainingEngine} run trains, and how: the engine owns the epochs, resuming,
 * randomness, the best epoch, patience, checkpoints and listeners; an objective says how an
 * epoch turns batches into losses and updates, how the result is scored, and what the finished
 * run writes. Cross-entropy training, self-critical fine-tuning and the concepts encoder's
 * training are objectives.
 *
 * @param <R> an epoch's record, as the run's history keeps it (serialised with Jackson)
 */
public interface TrainingObjective<R> {

    /** @return the command whose log lines these are ({@code train}, {@code finetune}, {@code concepts}) */
    String command();

    /** @return what the run is called in messages ({@code training}, {@code fine-tuning}) */
    String what();

    /** @return what a finished run leaves, in messages ({@code trained model}) */
    String result();

    /** @return the output folder; its {@code training/} folder holds the checkpoints */
    Path out();

    /** @return whether the output folder already holds a finished result */
    boolean complete();

    /**
     * @return what the run trains and how, in the form the checkpoint keeps: a resumed run must
     *     have the same (settings that may change between sessions, such as the number of epochs,
     *     are left out)
     */
    JsonNode setup();

    /**
     * @return the run's epochs, learning rate, clipping, patience and seed (every epoch's
     *     randomness derives from the seed and the epoch's number)
     */
    RunConfig run();

    /** @return the record type of an epoch */
    Class<R> recordType();

    /** @return the network whose parameters are checkpointed and kept, and its optimizer */
    Trainable trainable();

    /**
     * Scores the starting point as epoch 0, for runs that start from a trained model and keep it
     * unless an epoch beats it.
     *
     * @return the record of epoch 0, or null when the run starts from nothing
     */
    default R start() {
        return null;
    }

    /**
     * Called once before the first epoch of a session.
     *
     * @param from the first epoch to run
     */
    default void begin(int from) {
        // nothing to report by default
    }

    /**
     * Runs one epoch. The engine has seeded the engine's random numbers (dropout) from the seed
     * and the epoch already.
     *
     * @param epoch its number, from 1
     * @param random the epoch's other randomness
     * @return its record
     */
    R epoch(int epoch, EpochRandom random);

    /**
     * @param record an epoch's record
     * @return its score, higher is better: the best epoch's parameters are kept
     */
    double score(R record);

    /** @return what the score is, in messages ({@code dev loss}) */
    String scoreName();

    /**
     * @param score a score
     * @return how the log says it ({@code dev loss 0.8173})
     */
    String scoreText(double score);

    /**
     * @param record an epoch's record
     * @param best whether it is the best so far
     * @return the epoch's log line, without the command
     */
    String summary(R record, boolean best);


    /**
     * Writes the finished result from the best epoch's parameters.
     *
     * @param history every epoch
     * @param bestEpoch the epoch kept
     * @param bestParameters its parameters, as the checkpoint holds them
     */
    void finish(List<R> history, int bestEpoch, Path bestParameters);
}
