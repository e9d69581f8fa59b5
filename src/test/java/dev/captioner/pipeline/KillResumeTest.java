package dev.captioner.pipeline;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assumptions.assumeThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.captioner.data.Cleaning;
import dev.captioner.data.Dataset;
import dev.captioner.data.DatasetLoader;
import dev.captioner.data.LoadSpec;
import dev.captioner.data.SynthSpec;
import dev.captioner.data.SyntheticShapes;
import dev.captioner.features.FeatureSet;
import dev.captioner.features.FeatureStore;
import dev.captioner.testutil.CliProcess;
import dev.captioner.util.AtomicFiles;
import dev.captioner.train.ConceptsTrainer;
import dev.captioner.train.ConceptsSpec;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.regex.Pattern;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The promise that nothing is lost, kept by real processes: {@code features}, {@code train},
 * {@code finetune}, {@code encoder train} and {@code run} are killed with SIGKILL at random moments (seeded, so a failure can be replayed),
 * run again, and compared with uninterrupted runs. Features must be identical, and so must
 * training: every epoch's losses and the kept parameters, bit for bit, as two uninterrupted
 * same-seed runs are.
 */
class KillResumeTest {

    @TempDir
    static Path dir;

    static Path data;
    static Path encoder;

    @BeforeAll
    static void dataAndEncoder() throws Exception {
        assumeThat(CliProcess.killIsSigkill()).as("a forcible kill is SIGKILL").isTrue();
        data = dir.resolve("shapes");
        encoder = dir.resolve("encoder");
        SyntheticShapes.generate(new SynthSpec(400, 48, 17), data);
        try (Dataset d = DatasetLoader.load(data, LoadSpec.defaults())) {
            new ConceptsTrainer(new PrintStream(new ByteArrayOutputStream()))
                    .train(d, new ConceptsSpec(32, 24, 1, 32, 2e-3f, 32, 1, Cleaning.KERAS_TUTORIAL), encoder, false);
        }
    }

    private static long timed(Path log, String... args) throws Exception {
        long start = System.nanoTime();
        assertThat(CliProcess.run(log, args)).as("exit status; see " + log).isZero();
        return (System.nanoTime() - start) / 1_000_000;
    }

    /** What each command logs once its work is under way: the kill clock starts there. */
    private static final Pattern WORKING = Pattern.compile("features: encoding|train: \\d+ captions|run: |finetune: |concepts: \\d+ labels");

    /**
     * Runs a command into {@code out} and kills it {@code kills} times at random moments of its
     * work, then leaves {@code out} for the test to finish with a clean run.
     *
     * <p>The moments are fractions of {@code duration}, the uninterrupted run's time. If the first
     * run outpaces its kill (a machine busier while the test timed the straight run), it starts
     * again from an empty {@code out} with a shorter delay, so that a kill always lands.
     *
     * @return how many kills landed while the command worked
     */
    private static int killRepeatedly(Random random, long duration, int kills, Path out, Path log, String... args)
            throws Exception {
        int landed = 0;
        for (int k = 0; k < kills; k++) {
            long at = (long) (duration * (0.05 + 0.7 * random.nextDouble()));
            boolean hit = CliProcess.killAfter(at, log, WORKING, args);
            for (int retry = 0; !hit && k == 0 && retry < 4; retry++) {
                deleteRecursively(out);
                at /= 3;
                hit = CliProcess.killAfter(at, log, WORKING, args);
            }
            if (hit) {
                landed++;
            }
        }
        return landed;
    }

    /**
     * Kills a fresh run once and its resumed run once, then resumes to the end if the second
     * kill left it unfinished.
     *
     * @param args the command's arguments, with or without {@code --resume}
     * @return how many kills landed while the command worked
     */
    private static int killTwiceThenFinish(Random random, long duration, Path out, Path log,
            java.util.function.Function<Boolean, String[]> args) throws Exception {
        return killTwiceThenFinish(random, duration, out, log, "config.json", args);
    }

    /** As above, for a result that is finished when {@code finished} exists in {@code out}. */
    private static int killTwiceThenFinish(Random random, long duration, Path out, Path log, String finished,
            java.util.function.Function<Boolean, String[]> args) throws Exception {
        int landed = killRepeatedly(random, duration, 1, out, log, args.apply(false));
        landed += killRepeatedly(random, duration, 1, out, log, args.apply(true));
        if (!Files.exists(out.resolve(finished))) {
            assertThat(CliProcess.run(log, args.apply(true))).as("see " + log).isZero();
        }
        return landed;
    }

    private static void deleteRecursively(Path path) throws IOException {
        if (!Files.exists(path)) {
            return;
        }
        try (var walk = Files.walk(path)) {
            for (Path p : walk.sorted(java.util.Comparator.reverseOrder()).toList()) {
                Files.delete(p);
            }
        }
    }

    private static String[] featuresArgs(Path out) {
        return new String[] {"features", "--data", data.toString(), "--encoder", "concepts", "--weights",
            encoder.toString(), "--out", out.toString(), "--threads", "2"};
    }

    @Test
    void featuresKilledAtRandomMomentsEndIdenticalToAnUninterruptedRun() throws Exception {
        Path straight = dir.resolve("features/straight.h5");
        long duration = timed(dir.resolve("features/straight.log"), featuresArgs(straight));
        FeatureSet expected = FeatureStore.read(straight);
        assertThat(expected.size()).isEqualTo(400);
        int landed = 0;
        for (int seed = 1; seed <= 2; seed++) {
            Path out = dir.resolve("features/killed" + seed + ".h5");
            Path log = dir.resolve("features/killed" + seed + ".log");
            landed += killRepeatedly(new Random(seed), duration, 3, out, log, featuresArgs(out));
            assertThat(CliProcess.run(log, featuresArgs(out))).as("see " + log).isZero();
            FeatureSet got = FeatureStore.read(out);
            assertThat(got.ids()).isEqualTo(expected.ids());
            assertThat(got.features()).as("see " + log).isDeepEqualTo(expected.features());
            assertThat(out.resolveSibling(out.getFileName() + ".partial")).doesNotExist();
            try (var files = Files.list(out.getParent())) {
                assertThat(files.map(f -> f.getFileName().toString()))
                        .as("no temporary left by the kills").noneMatch(AtomicFiles::isTemporary);
            }
        }
        assertThat(landed).as("kills that landed while a run was going").isPositive();
    }

    private static String[] trainArgs(Path features, Path out, boolean resume, String... more) {
        List<String> a = new ArrayList<>(List.of("train", "--data", data.toString(), "--features", features.toString(),
                "--out", out.toString(), "--epochs", "5", "--patience", "10", "--embed", "32", "--units", "48",
                "--batch-size", "32", "--dropout", "0.3", "--seed", "9"));
        a.addAll(List.of(more));
        if (resume) {
            a.add("--resume");
        }
        return a.toArray(String[]::new);
    }

    /** A small transformer decoder with a warm-up that spans the kills, so the schedule is resumed too. */
    private static final String[] TRANSFORMER = {"--architecture", "transformer", "--layers", "2", "--d-model", "32",
        "--heads", "4", "--ffn", "64", "--warmup", "20"};

    @Test
    void transformerTrainingKilledAndResumedEndsExactlyLikeAnUninterruptedRun() throws Exception {
        Path features = dir.resolve("transformer/features.h5");
        assertThat(CliProcess.run(dir.resolve("transformer/features.log"), featuresArgs(features))).isZero();
        Path straight = dir.resolve("transformer/straight");
        long duration = timed(dir.resolve("transformer/straight.log"), trainArgs(features, straight, false, TRANSFORMER));
        Path out = dir.resolve("transformer/killed");
        Path log = dir.resolve("transformer/killed.log");
        Random random = new Random(300);
        int landed = killTwiceThenFinish(random, duration, out, log, resume -> trainArgs(features, out, resume, TRANSFORMER));
        assertSameTraining(out, straight, log);
        assertThat(new ObjectMapper().readTree(out.resolve("config.json").toFile()).at("/architecture").asText())
                .isEqualTo("transformer");
        assertThat(landed).as("kills that landed while training ran").isPositive();
    }

    private static String[] finetuneArgs(Path features, Path model, Path out, boolean resume) {
        List<String> a = new ArrayList<>(List.of("finetune", "--model", model.toString(), "--data", data.toString(),
                "--features", features.toString(), "--out", out.toString(), "--epochs", "3", "--patience", "10",
                "--lr", "1e-3", "--batch-size", "32", "--seed", "9"));
        if (resume) {
            a.add("--resume");
        }
        return a.toArray(String[]::new);
    }

    @Test
    void finetuningKilledAndResumedEndsExactlyLikeAnUninterruptedRun() throws Exception {
        Path features = dir.resolve("finetune/features.h5");
        assertThat(CliProcess.run(dir.resolve("finetune/features.log"), featuresArgs(features))).isZero();
        Path model = dir.resolve("finetune/model");
        assertThat(CliProcess.run(dir.resolve("finetune/train.log"), trainArgs(features, model, false))).isZero();
        Path straight = dir.resolve("finetune/straight");
        long duration = timed(dir.resolve("finetune/straight.log"), finetuneArgs(features, model, straight, false));
        Path out = dir.resolve("finetune/killed");
        Path log = dir.resolve("finetune/killed.log");
        Random random = new Random(400);
        int landed = killTwiceThenFinish(random, duration, out, log, resume -> finetuneArgs(features, model, out, resume));
        JsonNode a = new ObjectMapper().readTree(out.resolve("finetune.json").toFile()).get("epochs");
        JsonNode b = new ObjectMapper().readTree(straight.resolve("finetune.json").toFile()).get("epochs");
        assertThat(a.size()).isEqualTo(b.size());
        for (int i = 0; i < a.size(); i++) {
            for (String field : List.of("mean_reward", "dev_cider")) {
                assertThat(a.get(i).get(field).asText()).as("epoch %d %s; see %s", i, field, log)
                        .isEqualTo(b.get(i).get(field).asText());
            }
        }
        assertThat(Files.readAllBytes(out.resolve("model.params"))).as("kept parameters; see " + log)
                .isEqualTo(Files.readAllBytes(straight.resolve("model.params")));
        assertThat(landed).as("kills that landed while fine-tuning ran").isPositive();
    }

    private static String[] encoderArgs(Path out, boolean resume) {
        List<String> a = new ArrayList<>(List.of("encoder", "train", "--data", data.toString(), "--out", out.toString(),
                "--size", "32", "--labels", "24", "--epochs", "4", "--batch-size", "32", "--seed", "3"));
        if (resume) {
            a.add("--resume");
        }
        return a.toArray(String[]::new);
    }

    @Test
    void conceptsEncoderTrainingKilledAndResumedEndsExactlyLikeAnUninterruptedRun() throws Exception {
        Path straight = dir.resolve("concepts/straight");
        long duration = timed(dir.resolve("concepts/straight.log"), encoderArgs(straight, false));
        Path out = dir.resolve("concepts/killed");
        Path log = dir.resolve("concepts/killed.log");
        int landed = killTwiceThenFinish(new Random(500), duration, out, log, "concepts.json",
                resume -> encoderArgs(out, resume));
        JsonNode a = new ObjectMapper().readTree(out.resolve("history.json").toFile());
        JsonNode b = new ObjectMapper().readTree(straight.resolve("history.json").toFile());
        assertThat(a.size()).isEqualTo(b.size()).isEqualTo(4);
        for (int i = 0; i < a.size(); i++) {
            for (String field : List.of("train_loss", "dev_map")) {
                assertThat(a.get(i).get(field).asText()).as("epoch %d %s; see %s", i + 1, field, log)
                        .isEqualTo(b.get(i).get(field).asText());
            }
        }
        assertThat(Files.readAllBytes(out.resolve("concepts.params"))).as("kept parameters; see " + log)
                .isEqualTo(Files.readAllBytes(straight.resolve("concepts.params")));
        assertThat(Files.readString(out.resolve("concepts.json"))).isEqualTo(Files.readString(straight.resolve(
                "concepts.json")));
        assertThat(landed).as("kills that landed while the encoder trained").isPositive();
    }

    private static JsonNode history(Path model) throws Exception {
        return new ObjectMapper().readTree(model.resolve("history.json").toFile());
    }

    private static void assertSameTraining(Path model, Path expected, Path log) throws Exception {
        JsonNode a = history(model);
        JsonNode b = history(expected);
        assertThat(a.size()).isEqualTo(b.size());
        for (int i = 0; i < a.size(); i++) {
            assertThat(a.get(i).get("train_loss").asDouble()).as("epoch %d train loss; see %s", i + 1, log)
                    .isEqualTo(b.get(i).get("train_loss").asDouble());
            assertThat(a.get(i).get("dev_loss").asDouble()).as("epoch %d dev loss; see %s", i + 1, log)
                    .isEqualTo(b.get(i).get("dev_loss").asDouble());
        }
        assertThat(Files.readAllBytes(model.resolve("model.params"))).as("kept parameters; see " + log)
                .isEqualTo(Files.readAllBytes(expected.resolve("model.params")));
    }

    @Test
    void trainingKilledAtRandomMomentsAndResumedEndsExactlyLikeAnUninterruptedRun() throws Exception {
        Path features = dir.resolve("train/features.h5");
        assertThat(CliProcess.run(dir.resolve("train/features.log"), featuresArgs(features))).isZero();
        Path first = dir.resolve("train/straight1");
        Path second = dir.resolve("train/straight2");
        long duration = timed(dir.resolve("train/straight1.log"), trainArgs(features, first, false));
        timed(dir.resolve("train/straight2.log"), trainArgs(features, second, false));
        assertSameTraining(second, first, dir.resolve("train/straight2.log"));

        int landed = 0;
        for (int seed = 1; seed <= 2; seed++) {
            Path out = dir.resolve("train/killed" + seed);
            Path log = dir.resolve("train/killed" + seed + ".log");
            Random random = new Random(100 + seed);
            landed += killTwiceThenFinish(random, duration, out, log, resume -> trainArgs(features, out, resume));
            assertSameTraining(out, first, log);
        }
        assertThat(landed).as("kills that landed while training ran").isPositive();
    }

    private static String[] runArgs(Path out) {
        return new String[] {"run", "--data", data.toString(), "--encoder", "concepts", "--weights", encoder.toString(),
            "--out", out.toString(), "--epochs", "3", "--embed", "32", "--units", "32", "--batch-size", "32",
            "--seed", "4", "--clusters", "3"};
    }

    @Test
    void aWholeRunKilledAtRandomMomentsAndRunAgainScoresLikeAnUninterruptedRun() throws Exception {
        Path straight = dir.resolve("run/straight");
        long duration = timed(dir.resolve("run/straight.log"), runArgs(straight));
        JsonNode metrics = new ObjectMapper().readTree(straight.resolve("eval/greedy/metrics.json").toFile());
        int landed = 0;
        for (int seed = 1; seed <= 2; seed++) {
            Path out = dir.resolve("run/killed" + seed);
            Path log = dir.resolve("run/killed" + seed + ".log");
            landed += killRepeatedly(new Random(200 + seed), duration, 2, out, log, runArgs(out));
            assertThat(CliProcess.run(log, runArgs(out))).as("see " + log).isZero();
            assertThat(new ObjectMapper().readTree(out.resolve("eval/greedy/metrics.json").toFile()))
                    .as("greedy metrics; see " + log).isEqualTo(metrics);
            assertSameTraining(out.resolve("model"), straight.resolve("model"), log);
            assertThat(FeatureStore.read(out.resolve("features.h5")).features())
                    .isDeepEqualTo(FeatureStore.read(straight.resolve("features.h5")).features());
            assertThat(out.resolve("report/index.html")).isRegularFile();
        }
        assertThat(landed).as("kills that landed while the run worked").isPositive();
    }
}
