package dev.captioner.train;

import ai.djl.engine.Engine;
import ai.djl.nn.Block;
import ai.djl.nn.Parameter;
import ai.djl.util.Pair;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import dev.captioner.util.CaptionerException;
import dev.captioner.util.FileTrees;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Consumer;
import java.util.function.IntConsumer;

/**
 * The one training loop: every objective ({@link TrainingObjective}) runs its epochs here. The
 * engine readies the output folder, resumes an unfinished run (refusing one whose saved setup
 * differs from this one's, naming what differs), seeds each epoch's randomness from the seed and
 * the epoch alone, keeps the best-scoring epoch, stops after {@code patience} epochs without a
 * better score, commits every finished epoch as one atomic {@link TrainingCheckpoint}, tells the
 * listeners, and finally has the objective write its result from the best epoch's parameters.
 * So {@code kill -9} and {@code --resume} give the run an uninterrupted one gives, whatever is
 * trained.
 */
public final class TrainingEngine {

    /**
     * How a run ended.
     *
     * @param history every epoch (0, the starting point, for runs that have one)
     * @param bestEpoch the epoch whose parameters were kept
     * @param stoppedEarly whether patience ran out before the last epoch
     * @param <R> an epoch's record
     */
    public record Outcome<R>(List<R> history, int bestEpoch, boolean stoppedEarly) {}

    private final PrintStream log;
    private Consumer<List<?>> onEpoch = h -> { };
    private IntConsumer afterEpoch = e -> { };

    /** @param log where epoch summaries go */
    public TrainingEngine(PrintStream log) {
        this.log = log;
    }

    /**
     * @param listener receives every epoch so far after each committed epoch
     * @return this engine
     */
    public TrainingEngine onEpoch(Consumer<List<?>> listener) {
        this.onEpoch = listener;
        return this;
    }

    /**
     * @param hook runs after each committed epoch (tests interrupt runs there)
     * @return this engine
     */
    public TrainingEngine afterEpoch(IntConsumer hook) {
        this.afterEpoch = hook;
        return this;
    }

    /**
     * @param out a run's output folder
     * @return whether it holds an unfinished run with a committed epoch to resume
     */
    public static boolean hasCheckpoint(Path out) {
        return TrainingCheckpoint.latest(TrainingCheckpoint.trainingDir(out)).isPresent();
    }

    /**
     * Readies the output folder and finds the checkpoint to resume from. Call before the
     * objective builds its network, so that a refusal leaves nothing behind.
     *
     * @param objective what is trained
     * @param resume continue the unfinished run in the output folder
     * @return the latest checkpoint when resuming one
     */
    public Optional<Path> prepare(TrainingObjective<?> objective, boolean resume) {
        return TrainingCheckpoint.prepare(objective, resume, log);
    }

    /**
     * Runs the objective to its end from {@code checkpoint} (or from the start).
     *
     * @param objective what is trained, with its network and optimizer built
     * @param checkpoint from {@link #prepare}
     * @param <R> an epoch's record
     * @return how the run ended
     */
    public <R> Outcome<R> run(TrainingObjective<R> objective, Optional<Path> checkpoint) {
        Path trainingDir = TrainingCheckpoint.trainingDir(objective.out());
        RunState state = checkpoint.isPresent() ? restore(objective, checkpoint.get()) : null;
        List<R> history = state == null ? new ArrayList<>() : records(objective, state.history());
        double best = state == null ? Double.NEGATIVE_INFINITY : state.bestScore();
        int bestEpoch = state == null ? 0 : state.bestEpoch();
        int bad = state == null ? 0 : state.badEpochs();
        int from = state == null ? 1 : state.epoch() + 1;
        if (state == null) {
            R start = objective.start();
            if (start != null) {
                history.add(start);
                best = score(objective, start);
                commit(objective, trainingDir, 0, best, 0, 0, history);
            }
        }
        boolean stopped = bad >= objective.run().patience();
        if (!stopped && from <= objective.run().epochs()) {
            objective.begin(from);
        }
        for (int epoch = from; epoch <= objective.run().epochs() && !stopped; epoch++) {
            EpochRandom random = new EpochRandom(objective.run().seed(), epoch);
            Engine.getInstance().setRandomSeed(random.engineSeed());
            R record = objective.epoch(epoch, random);
            history.add(record);
            double score = score(objective, record);
            if (score > best) {
                best = score;
                bestEpoch = epoch;
                bad = 0;
            } else {
                bad++;
            }
            log.println(objective.command() + ": epoch " + epoch + "/" + objective.run().epochs() + " "
                    + objective.summary(record, bestEpoch == epoch));
            commit(objective, trainingDir, epoch, best, bestEpoch, bad, history);
            afterEpoch.accept(epoch);
            if (bad >= objective.run().patience() && epoch < objective.run().epochs()) {
                stopped = true;
                log.println(objective.command() + ": no better " + objective.scoreName() + " for " + bad
                        + " epochs; stopping (best: epoch " + bestEpoch + ")");
            }
        }
        Path last = TrainingCheckpoint.latest(trainingDir)
                .orElseThrow(() -> new CaptionerException(trainingDir + ": no finished epoch to keep"));
        objective.finish(List.copyOf(history), bestEpoch, last.resolve(TrainingCheckpoint.BEST));
        FileTrees.delete(trainingDir);
        return new Outcome<>(List.copyOf(history), bestEpoch, stopped);
    }

    /**
     * Makes the trained parameters record gradients again after loading replaced their arrays
     * (loaded arrays are new tensors); running statistics, which are not trained, stay as they are.
     *
     * @param block a network whose parameters were loaded
     */
    static void requireGradients(Block block) {
        for (Pair<String, Parameter> p : block.getParameters()) {
            if (p.getValue().requiresGradient()) {
                p.getValue().getArray().setRequiresGradient(true);
            }
        }
    }

    /** A score that is not a number (nothing to score) never beats another. */
    private static <R> double score(TrainingObjective<R> objective, R record) {
        double s = objective.score(record);
        return Double.isNaN(s) ? Double.NEGATIVE_INFINITY : s;
    }

    private <R> void commit(TrainingObjective<R> objective, Path trainingDir, int epoch, double best, int bestEpoch,
            int bad, List<R> history) {
        TrainingCheckpoint.commit(trainingDir, new RunState(objective.command(), epoch, best, bestEpoch, bad, objective.setup(),
                RunState.MAPPER.valueToTree(history)), objective.trainable().block(), objective.trainable().optimizer());
        onEpoch.accept(List.copyOf(history));
    }

    private <R> RunState restore(TrainingObjective<R> objective, Path checkpoint) {
        RunState state = RunState.load(checkpoint);
        if (!objective.command().equals(state.command())) {
            throw new CaptionerException(checkpoint + ": the unfinished run is a '" + state.command()
                    + "' run, not a '" + objective.command() + "' one; choose another --out");
        }
        // Through text, as the saved one went: a float setting reads back as a double.
        JsonNode now = reread(objective.setup());
        List<String> differences = new ArrayList<>();
        differences(state.setup(), now, "", differences);
        if (!differences.isEmpty()) {
            throw new CaptionerException(checkpoint + ": the unfinished " + objective.what() + " run differs from this "
                    + "one in " + String.join(", ", differences) + "; resume with the same data and settings");
        }
        Trainable t = objective.trainable();
        TrainingCheckpoint.restoreWeights(checkpoint, t.block(), t.optimizer(), t.manager());
        requireGradients(t.block());
        log.println(objective.command() + ": resuming after epoch " + state.epoch() + " (best "
                + objective.scoreText(state.bestScore()) + " at epoch " + state.bestEpoch() + ")");
        return state;
    }

    private static JsonNode reread(JsonNode node) {
        try {
            return RunState.MAPPER.readTree(RunState.MAPPER.writeValueAsString(node));
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    private static <R> List<R> records(TrainingObjective<R> objective, JsonNode history) {
        List<R> out = new ArrayList<>();
        for (JsonNode r : history) {
            try {
                out.add(RunState.MAPPER.treeToValue(r, objective.recordType()));
            } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
                throw new CaptionerException("an unreadable epoch in the checkpoint's history: " + e.getMessage(), e);
            }
        }
        return out;
    }

    /** Collects the paths where two saved setups differ ({@code train.learning_rate 0.001 vs 0.002}). */
    static void differences(JsonNode before, JsonNode now, String path, List<String> out) {
        if (before != null && now != null && before.isObject() && now.isObject()) {
            List<String> names = new ArrayList<>();
            before.fieldNames().forEachRemaining(names::add);
            for (Iterator<Map.Entry<String, JsonNode>> it = now.fields(); it.hasNext();) {
                String n = it.next().getKey();
                if (!names.contains(n)) {
                    names.add(n);
                }
            }
            for (String n : names) {
                differences(before.get(n), now.get(n), path.isEmpty() ? n : path + "." + n, out);
            }
        } else if (before instanceof ArrayNode || now instanceof ArrayNode) {
            if (before == null || !before.equals(now)) {
                out.add(path + " (" + (before == null ? "none" : before.size() + " entries") + " vs "
                        + (now == null ? "none" : now.size() + " entries") + ")");
            }
        } else if (before == null ? now != null && !now.isNull() : !before.equals(now)) {
            out.add(path + " " + text(before) + " vs " + text(now));
        }
    }

    private static String text(JsonNode n) {
        return n == null ? "none" : n.isTextual() ? n.asText() : n.toString();
    }
}
