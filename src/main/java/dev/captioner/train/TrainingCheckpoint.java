package dev.captioner.train;

import dev.captioner.model.ModelDirectory;
import dev.captioner.model.CaptionNet;
import ai.djl.ndarray.NDManager;
import dev.captioner.util.AtomicFiles;
import dev.captioner.util.CaptionerException;
import dev.captioner.util.FileTrees;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;
import java.util.Optional;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * The resumable state of an unfinished training run, committed once per finished epoch as one
 * unit: a folder {@code training/epoch-NNNN/} holding the last parameters ({@code last.params}),
 * the best-on-dev parameters so far ({@code best.params}), the optimizer's moments
 * ({@code adam.bin}) and the {@link RunState} ({@code state.json}). The folder is written
 * under a temporary name, synced and renamed, so a crash at any moment leaves the previous
 * epoch's checkpoint or the new one, never a mixture; older epochs are removed afterwards.
 */
final class TrainingCheckpoint {

    static final String LAST = "last.params";
    static final String BEST = "best.params";
    static final String ADAM = "adam.bin";
    private static final Pattern EPOCH_DIR = Pattern.compile("epoch-(\\d{4,})");

    private TrainingCheckpoint() {}

    /**
     * @param trainingDir the run's {@code training/} folder
     * @return the folder of the latest committed epoch, if any
     */
    static Optional<Path> latest(Path trainingDir) {
        return epochDirs(trainingDir).stream().reduce((a, b) -> b);
    }

    /**
     * @param out a run's output folder
     * @return its {@code training/} folder, where the checkpoints are
     */
    static Path trainingDir(Path out) {
        return out.resolve("training");
    }

    /**
     * Readies an output folder for a run: refuses one that holds a finished result, or an
     * unfinished run when not resuming; clears what an interrupted first epoch left.
     *
     * @param objective the run's objective: its folder, what it is called, whether it is done
     * @param resume whether the caller continues an unfinished run
     * @param log where a resume with nothing to resume is reported
     * @return the checkpoint to resume from, if resuming and there is one
     */
    static Optional<Path> prepare(TrainingObjective<?> objective, boolean resume, PrintStream log) {
        Path out = objective.out();
        Path trainingDir = trainingDir(out);
        String what = objective.what();
        String command = objective.command();
        if (objective.complete()) {
            throw new CaptionerException(out + ": already holds a " + objective.result() + "; choose another --out or "
                    + "delete it");
        }
        Optional<Path> checkpoint = latest(trainingDir);
        if (!resume && checkpoint.isPresent()) {
            throw new CaptionerException(out + ": holds an unfinished " + what + " run; pass --resume to continue it, "
                    + "or choose another --out");
        }
        if (resume && checkpoint.isEmpty()) {
            log.println(command + ": " + out + " has no finished epoch to resume; starting from epoch 1");
        }
        try {
            // An epoch that a crash interrupted before its checkpoint left nothing worth keeping.
            if (checkpoint.isEmpty()) {
                FileTrees.delete(trainingDir);
            }
            Files.createDirectories(trainingDir);
        } catch (IOException e) {
            throw new CaptionerException(out + ": cannot create: " + e.getMessage(), e);
        }
        return checkpoint;
    }

    /**
     * Commits a finished epoch.
     *
     * @param trainingDir the run's {@code training/} folder
     * @param state where the run (training or fine-tuning) stands after the epoch
     * @param net the network after the epoch
     * @param adam the optimizer after the epoch
     */
    static void commit(Path trainingDir, RunState state, ai.djl.nn.Block net, AdamOptimizer adam) {
        Optional<Path> previous = latest(trainingDir);
        Path target = trainingDir.resolve(String.format("epoch-%04d", state.epoch()));
        AtomicFiles.writeFolder(target, dir -> {
            ModelDirectory.writeParameters(net, dir.resolve(LAST));
            if (state.bestEpoch() == state.epoch()) {
                Files.copy(dir.resolve(LAST), dir.resolve(BEST));
            } else if (previous.isPresent() && Files.isRegularFile(previous.get().resolve(BEST))) {
                Files.copy(previous.get().resolve(BEST), dir.resolve(BEST), StandardCopyOption.COPY_ATTRIBUTES);
            } else {
                throw new IOException("the best epoch's parameters (epoch " + state.bestEpoch() + ") are missing");
            }
            adam.write(dir.resolve(ADAM));
            state.write(dir);
        });
        for (Path old : epochDirs(trainingDir)) {
            if (!old.equals(target)) {
                FileTrees.delete(old);
            }
        }
        removeLeftovers(trainingDir);
    }

    /**
     * Loads a committed epoch's last parameters and moments.
     *
     * @param epochDir a folder from {@link #latest}
     * @param net receives the last parameters
     * @param adam receives the moments
     * @param manager owns the loaded arrays
     */
    static void restoreWeights(Path epochDir, ai.djl.nn.Block net, AdamOptimizer adam, NDManager manager) {
        ModelDirectory.loadParameters(net, epochDir.resolve(LAST), manager);
        adam.load(epochDir.resolve(ADAM));
    }

    private static List<Path> epochDirs(Path trainingDir) {
        if (!Files.isDirectory(trainingDir)) {
            return List.of();
        }
        try (Stream<Path> s = Files.list(trainingDir)) {
            return s.filter(p -> EPOCH_DIR.matcher(p.getFileName().toString()).matches())
                    .filter(p -> Files.isRegularFile(p.resolve(RunState.FILE)))
                    .sorted()
                    .toList();
        } catch (IOException e) {
            throw new CaptionerException(trainingDir + ": cannot list: " + e.getMessage(), e);
        }
    }

    /** Temporary folders of commits that a crash interrupted. */
    private static void removeLeftovers(Path trainingDir) {
        try (Stream<Path> s = Files.list(trainingDir)) {
            for (Path p : s.filter(p -> AtomicFiles.isTemporary(p.getFileName().toString())).toList()) {
                FileTrees.delete(p);
            }
        } catch (IOException e) {
            throw new CaptionerException(trainingDir + ": cannot list: " + e.getMessage(), e);
        }
    }
}
